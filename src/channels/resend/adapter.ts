// Resend accounts, through the official `resend` SDK pointed at `baseUrl` (its constructor takes
// `{ baseUrl }`, so tests use the local fake). Every send carries `Idempotency-Key: <our message
// id>`: Resend answers a repeat within 24 hours with the first answer and sends nothing, so the
// engine may simply retry after a crash (idempotent: true). Events arrive by webhook
// (src/inbound/resendWebhook.ts).
import { Resend, type ErrorResponse } from 'resend';
import validator from 'validator';
import { z } from 'zod';
import { fail, ok, type Address, type ChannelAdapter, type SendFailure, type SendResult } from '../types.ts';

export const RESEND_BASE_URL = 'https://api.resend.com';

export const ResendCredentials = z.strictObject({
  apiKey: z.string().min(1).max(500),
  baseUrl: z.url().default(RESEND_BASE_URL),
});
export type ResendCredentials = z.infer<typeof ResendCredentials>;

export const resendAdapter: ChannelAdapter<ResendCredentials> = {
  provider: 'resend',
  channels: ['email'],
  credentials: ResendCredentials,
  idempotent: true,
  async send(message, credentials, context): Promise<SendResult> {
    const to = message.to.email;
    if (!to || !validator.isEmail(to)) return fail({ kind: 'invalid_recipient', message: 'Invalid email address' });
    if (!message.from.email) return fail({ kind: 'rejected', message: 'the sender has no email address' });
    const client = new Resend(credentials.apiKey, { baseUrl: credentials.baseUrl.replace(/\/+$/, '') });
    const response = await client.emails.send(
      {
        from: mailbox(message.from),
        to: [to],
        subject: message.subject ?? '',
        text: message.text,
        ...(message.html !== undefined ? { html: message.html } : {}),
        ...(message.headers ? { headers: message.headers } : {}),
      },
      { idempotencyKey: message.id, ...(context.signal ? { signal: context.signal } : {}) },
    );
    if (response.error) return fail(classifyResendError(response.error, response.headers));
    return ok({ providerMessageId: response.data.id });
  },
  // Resend looks emails up by its own id only; the idempotency key makes a retry the reconcile.
  lookup: async () => ({ unsupported: true }),
};

/** Resend's documented error names and statuses (resend.com/docs/api-reference/errors). */
export function classifyResendError(error: ErrorResponse, headers: Record<string, string> | null): SendFailure {
  const status = error.statusCode;
  const text = `Resend ${status ?? 'network'} ${error.name}: ${error.message}`.slice(0, 300);
  if (status === null || status === undefined)
    return { kind: 'provider_down', message: `cannot reach Resend: ${error.message}` };
  if (status === 429) {
    const seconds = Number(headers?.['retry-after']);
    const quota = error.name === 'daily_quota_exceeded' || error.name === 'monthly_quota_exceeded';
    return {
      kind: 'rate_limited',
      message: text,
      retryAfterSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : quota ? 3600 : 1,
    };
  }
  if (status === 409) return { kind: 'temporary', message: text, retryAfterSeconds: 5 };
  if (status === 401 || status === 403) return { kind: 'auth_expired', message: text };
  if (status >= 500) return { kind: 'provider_down', message: text };
  return { kind: 'rejected', message: text };
}

function mailbox(address: Address): string {
  const email = address.email ?? '';
  if (!address.name) return email;
  return `"${address.name.replace(/["\\\r\n]/g, '')}" <${email}>`;
}
