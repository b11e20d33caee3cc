// The sandbox: the default when no account is configured for a channel. It delivers nowhere; the
// fully rendered message row (provider "sandbox") is the record, so the whole flow can be watched
// safely from a fresh `npm start`.
import { z } from 'zod';
import { CHANNELS } from '../../core/channels.ts';
import { ok, type ChannelAdapter } from '../types.ts';

export const sandboxAdapter: ChannelAdapter<Record<string, never>, undefined, 'sandbox'> = {
  provider: 'sandbox',
  label: 'Sandbox',
  channels: CHANNELS,
  credentials: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  idempotent: true,
  send: async (message) => ok({ providerMessageId: `sandbox_${message.id}` }),
  // The sandbox has nothing to lose: a message reserved before a crash counts as delivered.
  lookup: async (messageId) => ({ found: true, value: { providerMessageId: `sandbox_${messageId}` } }),
};
