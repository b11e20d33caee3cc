// A Resend account as stored (encrypted): its API key, the API root (tests and proxies point it
// elsewhere) and, optionally, the Svix signing secret of the webhook registered for it.
import { z } from 'zod';

export const RESEND_BASE_URL = 'https://api.resend.com';

export const ResendCredentials = z.strictObject({
  apiKey: z.string().min(1).max(500),
  baseUrl: z.url().default(RESEND_BASE_URL),
  webhookSecret: z.string().startsWith('whsec_', 'must be the whsec_… signing secret').optional(),
});
export type ResendCredentials = z.infer<typeof ResendCredentials>;
