// A WhatsApp Cloud API account (one business phone number) as stored (encrypted): the system-user
// access token, the phone number id (the path of every send and the key webhooks name it by), the
// WhatsApp Business Account id (templates), the app secret (X-Hub-Signature-256), the verify token
// of the webhook handshake, the Graph root (tests and proxies point it elsewhere), an optional
// Graph version overriding the installation's, and the template used when a step has none named
// like its purpose.
import { z } from 'zod';

export const META_GRAPH_URL = 'https://graph.facebook.com';

const GraphId = z.string().regex(/^\d{5,30}$/, 'must be the numeric id Meta shows');

export const MetaCredentials = z.strictObject({
  accessToken: z.string().min(1).max(2000),
  phoneNumberId: GraphId,
  wabaId: GraphId,
  appSecret: z.string().min(1).max(200),
  verifyToken: z.string().min(1).max(200),
  baseUrl: z.url().default(META_GRAPH_URL),
  apiVersion: z
    .string()
    .regex(/^v\d{1,3}\.\d$/, 'must look like v21.0')
    .optional(),
  defaultTemplate: z.string().min(1).max(512).optional(),
});
export type MetaCredentials = z.infer<typeof MetaCredentials>;
