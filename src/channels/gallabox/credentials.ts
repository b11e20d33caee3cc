// A Gallabox account (one WhatsApp channel) as stored (encrypted): the developer API key and secret,
// the channel id (every send names it; webhooks name the account by it), the account id
// (templates), the webhook secret (an HMAC key for x-gallabox-signature, or the value of a shared
// secret header), the API root (tests and proxies point it elsewhere), and the template used when
// a step has none named like its purpose.
import { z } from 'zod';

export const GALLABOX_BASE_URL = 'https://server.gallabox.com';

const MongoId = z.string().regex(/^[0-9a-f]{24}$/i, 'must be the 24-character id Gallabox shows');

export const GallaboxCredentials = z.strictObject({
  apiKey: z.string().min(1).max(500),
  apiSecret: z.string().min(1).max(500),
  channelId: MongoId,
  accountId: MongoId,
  webhookSecret: z.string().min(8, 'must be at least 8 characters').max(500).optional(),
  /** The custom header Gallabox is configured to send the shared secret in (instead of signing). */
  webhookSecretHeader: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a header name')
    .default('x-webhook-secret'),
  baseUrl: z.url().default(GALLABOX_BASE_URL),
  defaultTemplate: z.string().min(1).max(512).optional(),
});
export type GallaboxCredentials = z.infer<typeof GallaboxCredentials>;
