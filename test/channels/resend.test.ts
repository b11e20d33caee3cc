// The Resend adapter against the local fake (idempotency, errors), and the webhook verifier and
// parser against bodies signed the way Svix signs them — cross-checked with the Resend SDK's own
// verifier so our signer cannot drift from the real scheme.
import { Resend } from 'resend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyResendError, resendAdapter } from '../../src/channels/resend/adapter.ts';
import { ResendCredentials } from '../../src/channels/resend/credentials.ts';
import type { OutboundMessage } from '../../src/channels/types.ts';
import { parseResendEvent, verifySvix } from '../../src/channels/resend/webhook.ts';
import { FakeResend, signSvix } from '../fakes/resend.ts';

let resend: FakeResend;
let credentials: ResendCredentials;
beforeAll(async () => {
  resend = await new FakeResend().start();
  credentials = ResendCredentials.parse({ apiKey: resend.apiKey, baseUrl: resend.url });
});
afterAll(async () => resend.close());

const message = (id: string, text = 'Hi Dana'): OutboundMessage => ({
  id,
  channel: 'email',
  purpose: 'intro',
  from: { email: 'sam@acme.io', name: 'Sam "The Man" Rivera' },
  to: { email: 'dana@globex.com' },
  subject: 'Quick question',
  text,
  html: `<p>${text}</p>`,
  headers: { 'Message-ID': `<${id}@acme.io>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
});

describe('resend adapter', () => {
  it('defaults to the public API and is idempotent', () => {
    expect(ResendCredentials.parse({ apiKey: 're_x' }).baseUrl).toBe('https://api.resend.com');
    expect(resendAdapter.idempotent).toBe(true);
  });

  it('sends with our message id as Idempotency-Key; a retry sends nothing twice', async () => {
    const first = await resendAdapter.send(message('msg-1'), credentials, {});
    const again = await resendAdapter.send(message('msg-1'), credentials, {});
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    expect(again.value.providerMessageId).toBe(first.value.providerMessageId);
    const sent = resend.emails.filter((e) => e.idempotencyKey === 'msg-1');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({
      from: '"Sam The Man Rivera" <sam@acme.io>',
      to: ['dana@globex.com'],
      subject: 'Quick question',
      headers: { 'Message-ID': '<msg-1@acme.io>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    });
  });

  it('a reused key with another body is never retried: the email the key sent is looked up', async () => {
    const first = await resendAdapter.send(message('msg-2'), credentials, {});
    const conflict = await resendAdapter.send(message('msg-2', 'changed'), credentials, {});
    expect(first.ok && conflict.ok && conflict.value.providerMessageId).toBe(first.ok && first.value.providerMessageId);
    // Without our Message-ID on the first email there is nothing to find it by: already sent.
    const bare = { ...message('msg-2b'), headers: {} };
    await resendAdapter.send(bare, credentials, {});
    expect(await resendAdapter.send({ ...bare, text: 'changed' }, credentials, {})).toEqual({
      ok: false,
      failure: {
        kind: 'already_sent',
        message: 'Resend already sent an email under this message id (409 invalid_idempotent_request)',
      },
    });
    expect(resend.emails.filter((e) => e.idempotencyKey === 'msg-2b')).toHaveLength(1);
  });

  it('retries a key whose first request is still running (409 concurrent_idempotent_requests)', async () => {
    resend.concurrentNext = 1;
    const busy = await resendAdapter.send(message('msg-2c'), credentials, {});
    expect(!busy.ok && busy.failure).toMatchObject({ kind: 'temporary', retryAfterSeconds: 5 });
    expect((await resendAdapter.send(message('msg-2c'), credentials, {})).ok).toBe(true);
  });

  it('keeps a key 24 hours: after that, the same key sends again (so the engine must not rely on it)', async () => {
    const start = resend.now;
    await resendAdapter.send(message('msg-2d'), credentials, {});
    resend.now = new Date(start.getTime() + 25 * 3600_000);
    await resendAdapter.send(message('msg-2d'), credentials, {});
    resend.now = start;
    expect(resend.emails.filter((e) => e.idempotencyKey === 'msg-2d')).toHaveLength(2);
    expect(resendAdapter.idempotencyWindowMs).toBe(24 * 3600_000);
  });

  it("a day's quota waits for the next UTC day, as the account's limit", () => {
    const now = new Date('2026-03-02T21:30:00Z');
    expect(
      classifyResendError(
        { statusCode: 429, name: 'daily_quota_exceeded', message: 'quota' },
        { 'retry-after': '1' },
        now,
      ),
    ).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 2.5 * 3600, accountLimit: true });
  });

  it('maps 429 to rate_limited with Retry-After', async () => {
    resend.rateLimitNext.push('rate_limit_exceeded');
    const result = await resendAdapter.send(message('msg-3'), credentials, {});
    expect(!result.ok && result.failure).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 1 });
    expect((await resendAdapter.send(message('msg-3'), credentials, {})).ok).toBe(true);
  });

  it('maps a wrong API key to auth_expired and an unreachable API to provider_down', async () => {
    const bad = await resendAdapter.send(message('msg-4'), { ...credentials, apiKey: 're_wrong' }, {});
    expect(!bad.ok && bad.failure).toMatchObject({
      kind: 'auth_expired',
      message: expect.stringContaining('invalid_api_key'),
    });
    const down = await resendAdapter.send(message('msg-5'), { ...credentials, baseUrl: 'http://127.0.0.1:1' }, {});
    expect(!down.ok && down.failure.kind).toBe('provider_down');
  });

  it.each([
    [{ statusCode: 422, name: 'missing_required_field', message: 'Missing `to` field.' }, 'rejected'],
    [{ statusCode: 400, name: 'validation_error', message: 'Invalid `from` field.' }, 'rejected'],
    [{ statusCode: 401, name: 'missing_api_key', message: 'Missing API key' }, 'auth_expired'],
    [{ statusCode: 403, name: 'invalid_api_key', message: 'API key is invalid' }, 'auth_expired'],
    [{ statusCode: 429, name: 'daily_quota_exceeded', message: 'quota' }, 'rate_limited'],
    [{ statusCode: 500, name: 'internal_server_error', message: 'boom' }, 'provider_down'],
  ] as const)('classifies %o as %s', (error, kind) => {
    expect(classifyResendError(error, null).kind).toBe(kind);
  });
});

describe('resend webhooks', () => {
  const secret = `whsec_${Buffer.from('resend-webhook-secret-32-bytes!!').toString('base64')}`;
  const rotated = `whsec_${Buffer.from('the-previous-secret-of-32-bytes!').toString('base64')}`;
  const now = new Date('2026-03-01T10:00:00Z');
  const timestamp = Math.floor(now.getTime() / 1000);
  const body = JSON.stringify({
    type: 'email.bounced',
    created_at: '2026-03-01T09:59:58.000Z',
    data: {
      email_id: '4ef9a417-02e9-4d39-ad75-9611e0fcc33c',
      from: 'Sam <sam@acme.io>',
      to: ['dana@globex.com'],
      subject: 'Quick question',
      created_at: '2026-03-01T09:59:00.000Z',
      bounce: { type: 'Permanent', subType: 'Suppressed', message: 'The recipient is on the suppression list.' },
    },
  });

  it('accepts a body signed like Svix, as the Resend SDK does', () => {
    const headers = signSvix({ secrets: [secret], id: 'msg_2a', timestamp, body });
    expect(verifySvix({ secret, headers, rawBody: body, now })).toEqual({ ok: true, id: 'msg_2a', timestamp });
    // The SDK's verifier (standardwebhooks) uses the real clock: sign for now to cross-check.
    const live = Math.floor(Date.now() / 1000);
    const liveHeaders = signSvix({ secrets: [secret], id: 'msg_2b', timestamp: live, body });
    const sdk = new Resend('re_unused').webhooks.verify({
      payload: body,
      headers: { id: 'msg_2b', timestamp: String(live), signature: liveHeaders['svix-signature']! },
      webhookSecret: secret,
    });
    expect(sdk).toMatchObject({ type: 'email.bounced' });
  });

  it('accepts any of several signatures during key rotation', () => {
    const headers = signSvix({ secrets: [rotated, secret], id: 'msg_3', timestamp, body });
    expect(headers['svix-signature']!.split(' ')).toHaveLength(2);
    expect(verifySvix({ secret, headers, rawBody: Buffer.from(body), now }).ok).toBe(true);
  });

  it.each([
    {
      name: 'tampered body',
      change: { rawBody: body.replace('Permanent', 'Transient') },
      reason: 'no signature matches',
    },
    { name: 'wrong secret', change: { secret: rotated }, reason: 'no signature matches' },
    {
      name: 'six minutes late',
      change: { now: new Date(now.getTime() + 360_000) },
      reason: 'timestamp is 360 s away from now',
    },
    {
      name: 'six minutes early',
      change: { now: new Date(now.getTime() - 360_000) },
      reason: 'timestamp is 360 s away from now',
    },
    { name: 'no headers', change: { headers: {} }, reason: 'missing svix-id, svix-timestamp or svix-signature header' },
  ])('rejects $name', ({ change, reason }) => {
    const headers = signSvix({ secrets: [secret], id: 'msg_4', timestamp, body });
    expect(verifySvix({ secret, headers, rawBody: body, now, ...change })).toEqual({ ok: false, reason });
  });

  it('normalizes a hard bounce, keyed by the svix id', () => {
    expect(parseResendEvent(JSON.parse(body), 'msg_2a')).toEqual({
      ok: true,
      event: {
        providerEventId: 'msg_2a',
        type: 'bounced',
        providerMessageId: '4ef9a417-02e9-4d39-ad75-9611e0fcc33c',
        occurredAt: '2026-03-01T09:59:58.000Z',
        recipient: 'dana@globex.com',
        bounceType: 'hard',
        bounceMessage: 'The recipient is on the suppression list.',
      },
    });
  });

  it.each([
    ['email.sent', 'sent'],
    ['email.delivered', 'delivered'],
    ['email.delivery_delayed', 'delivery_delayed'],
    ['email.opened', 'opened'],
    ['email.complained', 'complained'],
  ])('maps %s to %s', (type, normalized) => {
    const result = parseResendEvent(
      { type, created_at: '2026-03-01 10:00:00.123+00', data: { email_id: 'e1', to: ['d@g.com'] } },
      'm',
    );
    expect(result).toMatchObject({ ok: true, event: { type: normalized, occurredAt: '2026-03-01T10:00:00.123Z' } });
  });

  it('keeps the clicked URL and who clicked, and skips events we do not act on', () => {
    const click = {
      link: 'https://acme.io/pricing',
      ipAddress: '203.0.113.9',
      userAgent: 'Mozilla/5.0 (X11)',
      timestamp: '2026-03-01T10:00:00Z',
    };
    const clicked = parseResendEvent(
      { type: 'email.clicked', created_at: '2026-03-01T10:00:00Z', data: { email_id: 'e1', click } },
      'm',
    );
    expect(clicked).toMatchObject({
      ok: true,
      event: { type: 'clicked', url: click.link, ip: click.ipAddress, userAgent: click.userAgent },
    });
    expect(parseResendEvent({ type: 'contact.created', created_at: 'x', data: { email_id: 'e' } }, 'm')).toEqual({
      ok: false,
      reason: 'unhandled event type contact.created',
    });
    expect(parseResendEvent('nonsense', 'm')).toEqual({ ok: false, reason: 'not a Resend email event' });
  });
});
