// Standard Webhooks signing (https://www.standardwebhooks.com): the signed content is
// `${id}.${timestamp}.${body}`, HMAC-SHA256 keyed with the base64 part of a `whsec_` secret, sent
// as `v1,<base64>` in `webhook-signature`; several signatures (a rotation's old and new secrets)
// are separated by spaces.
import { createHmac } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

/** The key bytes of a `whsec_` secret. */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

export function signWebhook(input: { secret: string; id: string; timestamp: number; body: string }): string {
  const mac = createHmac('sha256', secretKey(input.secret))
    .update(`${input.id}.${input.timestamp}.${input.body}`)
    .digest('base64');
  return `v1,${mac}`;
}

/** The headers of one attempt: every secret still valid signs it. */
export function webhookHeaders(input: {
  secrets: readonly string[];
  id: string;
  /** Unix seconds of this attempt. */
  timestamp: number;
  body: string;
}): Record<string, string> {
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': input.secrets.map((secret) => signWebhook({ ...input, secret })).join(' '),
  };
}
