// Resend accounts, through the official `resend` SDK pointed at `baseUrl` (its constructor takes
// `{ baseUrl }`, so tests use the local fake). Every send carries `Idempotency-Key: <our message
// id>`: Resend answers a repeat within 24 hours with the first answer and sends nothing, so the
// engine may simply retry after a crash (idempotent: true). Events arrive by Svix-signed webhook
// (webhook.ts) at /webhooks/resend.
import { Resend, type ErrorResponse } from 'resend';
import validator from 'validator';
import { prepareEmail } from '../email/prepare.ts';
import {
  fail,
  ok,
  type Address,
  type ChannelAdapter,
  type ConnectionCheck,
  type SendFailure,
  type SendResult,
} from '../types.ts';
import { ResendCredentials } from './credentials.ts';
import { resendSettings, type ResendSettings } from './settings.ts';
import { resendWebhook } from './webhook.ts';

const client = (credentials: ResendCredentials) =>
  new Resend(credentials.apiKey, { baseUrl: credentials.baseUrl.replace(/\/+$/, '') });

export const resendAdapter: ChannelAdapter<ResendCredentials, ResendSettings, 'resend'> = {
  provider: 'resend',
  label: 'Resend',
  channels: ['email'],
  credentials: ResendCredentials,
  credentialParts: ['webhookSecret'],
  // Before `credentials`, requests named the account's part `resend`.
  credentialAliases: { resend: '.' },
  idempotent: true,
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
    if (response.error) return fail(classifyResendError(response.error, response.headers));
    return ok({ providerMessageId: response.data.id });
  },
  // Resend looks emails up by its own id only; the idempotency key makes a retry the reconcile.
  lookup: async () => ({ unsupported: true }),
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
