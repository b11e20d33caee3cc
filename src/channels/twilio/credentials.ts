// A Twilio account as stored (encrypted): the Account SID and Auth Token (Basic auth, and the key
// of every webhook signature), an optional Messaging Service that sends instead of the account's
// number, and the host root of the API (tests and proxies point it elsewhere; the adapter appends
// /2010-04-01/…). The same credentials serve the `sms` and the `call` channel.
import { z } from 'zod';

export const TWILIO_BASE_URL = 'https://api.twilio.com';

export const TwilioCredentials = z.strictObject({
  accountSid: z.string().regex(/^AC[0-9a-f]{32}$/i, 'must be the AC… Account SID (AC and 32 hex digits)'),
  authToken: z.string().min(16, 'must be the Auth Token (32 characters)').max(200),
  messagingServiceSid: z
    .string()
    .regex(/^MG[0-9a-f]{32}$/i, 'must be the MG… Messaging Service SID (MG and 32 hex digits)')
    .optional(),
  baseUrl: z.url().default(TWILIO_BASE_URL),
  /** Calls: record the bridged call (off by default; a consent notice plays first). */
  recordCalls: z.boolean().default(false),
});
export type TwilioCredentials = z.infer<typeof TwilioCredentials>;
