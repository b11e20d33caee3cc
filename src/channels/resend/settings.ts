// The installation-wide Resend webhook signing secret, for accounts that have none of their own.
import { z } from 'zod';
import type { ProviderSettings } from '../types.ts';

export type ResendSettings = { webhookSecret?: string };

const Env = z.object({
  RESEND_WEBHOOK_SECRET: z.string().startsWith('whsec_', 'must be the whsec_… signing secret').optional(),
});

export const resendSettings: ProviderSettings<ResendSettings> = {
  env: Env,
  resolve(env) {
    const e = Env.parse(env);
    return e.RESEND_WEBHOOK_SECRET ? { webhookSecret: e.RESEND_WEBHOOK_SECRET } : {};
  },
};
