// Resend against its local fake (resend.com's documented API) and Svix-signed webhooks: every email
// event type Resend documents, and the non-email events it also sends (acknowledged, ignored).
import { afterAll, beforeAll } from 'vitest';
import { defaultAdapters } from '../../src/channels/registry.ts';
import type { WebhookRequest } from '../../src/channels/types.ts';
import { FakeResend, signSvix } from '../fakes/resend.ts';
import { adapterContract } from './adapterContract.ts';
import { emailMessage } from './messages.ts';

const SECRET = `whsec_${Buffer.from('contract-resend-webhook-secret!!').toString('base64')}`;

let resend: FakeResend;
beforeAll(async () => {
  resend = await new FakeResend().start();
});
afterAll(() => resend.close());

const credentials = () => ({ apiKey: resend.apiKey, baseUrl: resend.url, webhookSecret: SECRET });
const event = (type: string, data: Record<string, unknown> = {}) =>
  JSON.stringify({
    type,
    created_at: '2026-03-02T08:59:00.000Z',
    data: { email_id: 're_email_1', to: ['dana@globex.example'], ...data },
  });
const ref = { ref: { providerMessageId: 're_email_1' }, via: 'resend' };

adapterContract({
  provider: 'resend',
  adapter: defaultAdapters().resend,
  setup: async () => ({ credentials: credentials(), accepted: () => resend.emails.length }),
  message: emailMessage,
  failures: [
    { kind: 'rate_limited', arrange: () => void resend.rateLimitNext.push('rate_limit_exceeded') },
    { kind: 'rate_limited', arrange: () => void resend.rateLimitNext.push('daily_quota_exceeded') },
    { kind: 'auth_expired', arrange: () => ({ ...credentials(), apiKey: 're_revoked_key' }) },
    {
      kind: 'invalid_recipient',
      arrange: () => undefined,
      message: (base) => ({ ...base, to: { email: 'not an address' } }),
    },
    { kind: 'provider_down', arrange: () => ({ ...credentials(), baseUrl: 'http://127.0.0.1:1' }) },
    { kind: 'temporary', arrange: () => void (resend.concurrentNext = 1) },
  ],
  // Found by its Message-ID in the list of recent emails; a miss proves nothing.
  lookup: { sent: 'found', unknown: 'unsupported' },
  webhook: {
    // Only the signing secret matters to a webhook (the account's API key is never used there).
    credentials: { apiKey: 're_contract_key', webhookSecret: SECRET },
    toleranceSeconds: 300,
    signed: (body, { now, id }): WebhookRequest => ({
      method: 'POST',
      rawBody: Buffer.from(body),
      headers: {
        'content-type': 'application/json',
        ...signSvix({ secrets: [SECRET], id, timestamp: Math.floor(now.getTime() / 1000), body }),
      },
      url: 'https://quotahit.example/webhooks/resend',
      query: {},
    }),
    events: [
      { name: 'email.delivered', body: event('email.delivered'), expect: [{ type: 'delivered', ...ref }] },
      { name: 'email.sent (nothing to act on)', body: event('email.sent'), expect: [] },
      { name: 'email.delivery_delayed (nothing to act on)', body: event('email.delivery_delayed'), expect: [] },
      { name: 'email.opened', body: event('email.opened'), expect: [{ type: 'opened', reportedBy: 'Resend' }] },
      {
        name: 'email.clicked',
        body: event('email.clicked', {
          click: { link: 'https://acme.example/x', ipAddress: '203.0.113.9', userAgent: 'Mozilla/5.0 (Macintosh)' },
        }),
        expect: [{ type: 'clicked', url: 'https://acme.example/x', userAgent: 'Mozilla/5.0 (Macintosh)' }],
      },
      {
        name: 'email.bounced (permanent)',
        body: event('email.bounced', { bounce: { type: 'Permanent', message: '550 5.1.1 unknown user' } }),
        expect: [{ type: 'bounced', bounceType: 'hard', reason: '550 5.1.1 unknown user' }],
      },
      {
        name: 'email.bounced (no bounce.type: still permanent)',
        body: event('email.bounced', { bounce: { subType: 'General', message: '550 5.1.1 unknown user' } }),
        expect: [{ type: 'bounced', bounceType: 'hard' }],
      },
      {
        name: 'email.bounced (its Message-ID read)',
        body: event('email.bounced', { message_id: '<m-1@acme.example>', bounce: { type: 'Permanent', message: 'x' } }),
        expect: [{ ref: { providerMessageId: 're_email_1', rfcMessageIds: ['<m-1@acme.example>'], channel: 'email' } }],
      },
      {
        name: 'email.failed',
        body: event('email.failed', { failed: { reason: 'reached_daily_quota' } }),
        expect: [{ type: 'failed', reason: 'reached_daily_quota' }],
      },
      {
        name: 'email.suppressed',
        body: event('email.suppressed', {
          suppressed: { message: 'on the suppression list', type: 'OnAccountSuppressionList' },
        }),
        expect: [
          { type: 'bounced', bounceType: 'hard', reason: 'Resend suppressed the address: on the suppression list' },
        ],
      },
      {
        name: 'email.bounced (transient)',
        body: event('email.bounced', { bounce: { type: 'Transient', message: 'mailbox full' } }),
        expect: [{ type: 'bounced', bounceType: 'soft' }],
      },
      { name: 'email.complained', body: event('email.complained'), expect: [{ type: 'complained', ...ref }] },
    ],
    ignored: [
      JSON.stringify({ type: 'contact.created', created_at: '2026-03-02T08:59:00Z', data: { id: 'c_1' } }),
      JSON.stringify({ type: 'domain.updated', created_at: '2026-03-02T08:59:00Z', data: { id: 'd_1' } }),
    ],
  },
});
