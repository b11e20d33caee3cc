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
  /**
   * SMS: segments a second this account's number (or Messaging Service) takes; default by the
   * number: 1 for a long code, 3 for a US toll-free number, 100 for a short code (twilio.ts pacing).
   */
  segmentsPerSecond: z.number().positive().max(1000).optional(),
  /** Calls: new calls a second (Twilio's default is 1 per account; support can raise it). */
  callsPerSecond: z.number().positive().max(100).default(1),
  /** Calls: record the bridged call (off by default; a consent notice plays first). */
  recordCalls: z.boolean().default(false),
});
export type TwilioCredentials = z.infer<typeof TwilioCredentials>;
