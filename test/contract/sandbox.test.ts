// The sandbox keeps the contract: it accepts every message (stored by the engine, sent nowhere) and,
// having nothing to lose, counts any reservation as delivered after a crash.
import { defaultAdapters } from '../../src/channels/registry.ts';
import { adapterContract } from './adapterContract.ts';
import { emailMessage } from './messages.ts';

adapterContract({
  provider: 'sandbox',
  adapter: defaultAdapters().sandbox,
  setup: async () => ({ credentials: {} }),
  message: emailMessage,
  failures: [],
  lookup: { sent: 'found', unknown: 'found' },
});
