// Resend accounts, through the official `resend` SDK pointed at `baseUrl` (its constructor takes
// `{ baseUrl }`, so tests use the local fake). Every send carries `Idempotency-Key: <our message
// id>`: Resend answers a repeat within 24 hours with the first answer and sends nothing, so the
// engine may simply retry after a crash (idempotent: true) — within those 24 hours only
// (idempotencyWindowMs). The same key with another body (409 invalid_idempotent_request) means the
// key already sent something: never retried, the email is looked up by its Message-ID instead
// (GET /emails lists each email's message_id). Events arrive by Svix-signed webhook (webhook.ts)
// at /webhooks/resend.
import { Resend, type ErrorResponse } from 'resend';
import validator from 'validator';
import { prepareEmail } from '../email/prepare.ts';
import {
  fail,
  ok,
  type Address,
  type ChannelAdapter,
  type ConnectionCheck,
  type LookupResult,
  type SendFailure,
  type SendResult,
} from '../types.ts';
import { ResendCredentials } from './credentials.ts';
import { resendSettings, type ResendSettings } from './settings.ts';
import { resendWebhook } from './webhook.ts';

const client = (credentials: ResendCredentials) =>
  new Resend(credentials.apiKey, { baseUrl: credentials.baseUrl.replace(/\/+$/, '') });

/** Resend keeps an idempotency key for 24 hours (resend.com/docs/dashboard/emails/idempotency-keys). */
const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Pages of 100 the lookup reads, newest first (a message looked up is a recent one). */
const LOOKUP_PAGES = 5;

export const resendAdapter: ChannelAdapter<ResendCredentials, ResendSettings, 'resend'> = {
  provider: 'resend',
  label: 'Resend',
  senderDns: { dkimSelectors: ['resend'] },
  channels: ['email'],
  credentials: ResendCredentials,
  credentialParts: ['webhookSecret'],
  // Before `credentials`, requests named the account's part `resend`.
  credentialAliases: { resend: '.' },
  idempotent: true,
  idempotencyWindowMs: KEY_LIFETIME_MS,
  screens: ['recipient', 'content', 'health'],
  settings: resendSettings,
  prepare: (message, conversation, context) => prepareEmail(message, conversation, context),
  async send(message, credentials, context): Promise<SendResult> {
    const to = message.to.email;
    if (!to || !validator.isEmail(to)) return fail({ kind: 'invalid_recipient', message: 'Invalid email address' });
    if (!message.from.email) return fail({ kind: 'rejected', message: 'the sender has no email address' });
    const response = await client(credentials).emails.send(
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
    if (!response.error) return ok({ providerMessageId: response.data.id });
    if (response.error.name !== 'invalid_idempotent_request')
      return fail(classifyResendError(response.error, response.headers, context.now));
    // Our key already produced a send (with another body): it went out; find which email it was.
    const found = await findByMessageId(message.id, credentials, context.signal);
    if ('found' in found && found.found) return ok(found.value);
    return fail({
      kind: 'already_sent',
      message: 'Resend already sent an email under this message id (409 invalid_idempotent_request)',
    });
  },
  // Resend finds emails by its own id only; listing recent emails finds ours by its Message-ID. A
  // miss proves nothing (older than the pages read): within the key's lifetime the engine resends
  // with the key instead.
  lookup: (messageId, credentials, context) => findByMessageId(messageId, credentials, context.signal),
  webhook: resendWebhook,
  async checkConnection(credentials, context): Promise<ConnectionCheck[]> {
    const response = await client(credentials).domains.list();
    if (response.error)
      return [
        {
          name: 'api_key',
          verdict: 'failed',
          detail: classifyResendError(response.error, response.headers).message,
          fix: 'create a Resend API key with sending access and store it in the account',
        },
      ];
    const checks: ConnectionCheck[] = [{ name: 'api_key', verdict: 'ok', detail: 'Resend accepts the API key' }];
    const fromEmail = context.account?.fromEmail;
    const domain = fromEmail ? fromEmail.slice(fromEmail.lastIndexOf('@') + 1).toLowerCase() : undefined;
    if (!domain) return checks;
    const found = response.data.data.find((d) => d.name.toLowerCase() === domain);
    checks.push(
      found?.status === 'verified'
        ? { name: 'domain', verdict: 'ok', detail: `${domain} is verified at Resend` }
        : {
            name: 'domain',
            verdict: 'failed',
            detail: found ? `${domain} is ${found.status} at Resend` : `${domain} is not a Resend domain of this key`,
            fix: `add ${domain} in Resend (Domains) and publish the DNS records it shows`,
          },
    );
    return checks;
  },
};

async function findByMessageId(
  messageId: string,
  credentials: ResendCredentials,
  signal: AbortSignal | undefined,
): Promise<LookupResult> {
  const emails = client(credentials).emails;
  let after: string | undefined;
  for (let page = 0; page < LOOKUP_PAGES; page += 1) {
    const listed = await emails.list({ limit: 100, ...(after ? { after } : {}) }, signal ? { signal } : {});
    if (listed.error) return { unsupported: true };
    const match = listed.data.data.find((e) => e.message_id?.replace(/^<|>$/g, '').startsWith(`${messageId}@`));
    if (match) return { found: true, value: { providerMessageId: match.id } };
    const last = listed.data.data.at(-1);
    if (!listed.data.has_more || !last) break;
    after = last.id;
  }
  return { unsupported: true };
}

/** Seconds from `now` to the next midnight UTC, when a daily quota starts again. */
function untilNextUtcDay(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(60, Math.ceil((next - now.getTime()) / 1000));
}

/** Resend's documented error names and statuses (resend.com/docs/api-reference/errors). */
export function classifyResendError(
  error: ErrorResponse,
  headers: Record<string, string> | null,
  now: Date = new Date(),
): SendFailure {
  const status = error.statusCode;
  const text = `Resend ${status ?? 'network'} ${error.name}: ${error.message}`.slice(0, 300);
  if (status === null || status === undefined)
    return { kind: 'provider_down', message: `cannot reach Resend: ${error.message}` };
  if (error.name === 'daily_quota_exceeded' || error.name === 'monthly_quota_exceeded')
    // The account's quota: nothing goes through it before the next day (a month's quota is tried
    // daily: Resend's reset day follows the billing cycle, which the API does not tell).
    return { kind: 'rate_limited', message: text, retryAfterSeconds: untilNextUtcDay(now), accountLimit: true };
  if (status === 429) {
    const seconds = Number(headers?.['retry-after']);
    return {
      kind: 'rate_limited',
      message: text,
      retryAfterSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : 1,
    };
  }
  // The same key while its first request is still running: that request decides; ask again shortly.
  if (error.name === 'concurrent_idempotent_requests')
    return { kind: 'temporary', message: text, retryAfterSeconds: 5 };
  if (error.name === 'invalid_idempotent_request') return { kind: 'already_sent', message: text };
  if (status === 401 || status === 403) return { kind: 'auth_expired', message: text };
  if (status >= 500) return { kind: 'provider_down', message: text };
  return { kind: 'rejected', message: text };
}

function mailbox(address: Address): string {
  const email = address.email ?? '';
  if (!address.name) return email;
  return `"${address.name.replace(/["\\\r\n]/g, '')}" <${email}>`;
}
