// A LinkedIn account driven through Phantombuster, as stored (encrypted): the Phantombuster API key,
// the LinkedIn session (the `li_at` cookie and the user agent of the browser it came from: LinkedIn
// ends a session whose user agent changes), the agents (phantoms) QuotaHit launches, and the API
// root including `/api/v2` (tests and proxies point an account elsewhere).
import { z } from 'zod';

export const PHANTOMBUSTER_BASE_URL = 'https://api.phantombuster.com/api/v2';

const agentId = z
  .string()
  .trim()
  .min(1, 'must be the id of a Phantombuster agent (the number in its URL)')
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be the id of a Phantombuster agent (the number in its URL)');

export const PhantombusterCredentials = z.strictObject({
  apiKey: z.string().trim().min(1).max(200),
  sessionCookie: z
    .string()
    .trim()
    .min(10, 'must be the value of the li_at cookie of a logged-in LinkedIn session')
    .max(2000)
    .regex(/^[^\s;]+$/, 'must be the bare li_at value (no "li_at=", no spaces or semicolons)'),
  userAgent: z.string().trim().min(10, 'must be the user agent of the browser the cookie came from').max(500),
  connectAgentId: agentId,
  messageAgentId: agentId,
  networkAgentId: agentId.optional(),
  baseUrl: z.url().default(PHANTOMBUSTER_BASE_URL),
});
export type PhantombusterCredentials = z.infer<typeof PhantombusterCredentials>;
