// Gallabox against its local fake (test/fakes/gallabox.ts): apiKey/apiSecret headers, session and
// template sends, an answer naming the message by `id` or `messageId`, errors classified by the
// Meta code or words they carry, no lookup, and webhooks signed in hex, in base64, or carrying a
// shared secret header — every variant PROVIDERS.md leaves open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAdapters } from '../../src/channels/registry.ts';
import type { OutboundMessage, WebhookRequest } from '../../src/channels/types.ts';
import { FakeGallabox } from '../fakes/gallabox.ts';
import { adapterContract } from './adapterContract.ts';
import { whatsappMessage } from './messages.ts';

let gallabox: FakeGallabox;
const bodies = new FakeGallabox();
const at = new Date('2026-03-02T08:59:00Z');
const status = (s: 'sent' | 'delivered' | 'read' | 'failed', reason?: string) =>
  bodies.status({ id: 'gbx_msg_1', status: s, to: '919876543210', at, ...(reason ? { reason } : {}) });
beforeAll(async () => {
  gallabox = await new FakeGallabox().start();
  gallabox.templates.push({
    name: 'casual_checkin',
    language: 'en',
    category: 'MARKETING',
    status: 'APPROVED',
    body: 'Hi {{1}}, {{2}}',
  });
});
afterAll(() => gallabox.close());

const credentials = () => ({
  apiKey: gallabox.apiKey,
  apiSecret: gallabox.apiSecret,
  channelId: gallabox.channelId,
  accountId: gallabox.accountId,
  webhookSecret: gallabox.webhookSecret,
  baseUrl: gallabox.url,
});
const hookCredentials = {
  apiKey: 'unused',
  apiSecret: 'unused',
  channelId: bodies.channelId,
  accountId: bodies.accountId,
  webhookSecret: bodies.webhookSecret,
};
const templated = (base: OutboundMessage): OutboundMessage => ({
  ...base,
  to: { phone: '+919876543210', name: 'Ana Lima' },
  template: { name: 'casual_checkin', language: 'en', parameters: [{ text: 'Ana' }, { text: 'a short note' }] },
});
/** The x-event-name Gallabox would send with a body (the ignored case names its own). */
function eventNameOf(body: string): string {
  if (body.includes('"event":"')) return /"event":"([^"]+)"/.exec(body)?.[1] ?? '';
  return body.includes('"status"') ? 'Message.WA.status.received' : 'Message.received';
}
const ref = { ref: { providerMessageId: 'gbx_msg_1', channel: 'whatsapp' as const }, via: 'gallabox' };
const request = (body: string, headers: Record<string, string>): WebhookRequest => ({
  method: 'POST',
  rawBody: Buffer.from(body),
  headers,
  url: 'https://quotahit.example/webhooks/gallabox',
  query: {},
});

adapterContract({
  provider: 'gallabox',
  adapter: defaultAdapters().gallabox,
  setup: async () => ({ credentials: credentials(), accepted: () => gallabox.messages.length }),
  message: (id) => templated(whatsappMessage(id)),
  failures: [
    {
      kind: 'window_closed',
      arrange: () => undefined,
      message: (base) => ({ ...base, template: undefined, to: { phone: '+447700900123' } }),
    },
    {
      kind: 'template_required',
      arrange: () => undefined,
      message: (base) => ({ ...base, template: { name: 'never_registered', language: 'en', parameters: [] } }),
    },
    { kind: 'rate_limited', arrange: () => void gallabox.failNext.push({ status: 429, message: 'Too many requests' }) },
    {
      kind: 'rate_limited',
      arrange: () => void gallabox.failNext.push({ status: 400, message: '(#131056) pair rate limit hit' }),
    },
    { kind: 'auth_expired', arrange: () => ({ ...credentials(), apiSecret: 'revoked' }) },
    { kind: 'invalid_recipient', arrange: () => undefined, message: (base) => ({ ...base, to: { phone: 'n/a' } }) },
    { kind: 'provider_down', arrange: () => void gallabox.failNext.push({ status: 503, message: 'down' }) },
    { kind: 'provider_down', arrange: () => ({ ...credentials(), baseUrl: 'http://127.0.0.1:1' }) },
  ],
  lookup: { sent: 'unsupported', unknown: 'unsupported' },
  webhook: {
    credentials: hookCredentials,
    signed: (body) => request(body, bodies.sign(body, { event: eventNameOf(body) })),
    events: [
      {
        name: 'Message.received (a reply)',
        body: bodies.inbound({ from: '919876543210', text: 'sounds good', id: 'gbx_in_1', at }),
        expect: [{ type: 'replied', text: 'sounds good', ref: { from: { phone: '+919876543210' } } }],
      },
      { name: 'status delivered', body: status('delivered'), expect: [{ type: 'delivered', ...ref }] },
      { name: 'status read (without delivered)', body: status('read'), expect: [{ type: 'read', ...ref }] },
      { name: 'status sent (nothing to act on)', body: status('sent'), expect: [] },
      {
        name: 'status failed',
        body: status('failed', '(#131026) Message undeliverable'),
        expect: [{ type: 'failed', code: '131026', ...ref }],
      },
    ],
    ignored: [JSON.stringify({ id: 'c1', channelId: bodies.channelId, event: 'Contact.created' })],
  },
});

describe('gallabox: the variants its docs leave open', () => {
  const body = bodies.inbound({ from: '919876543210', text: 'hi', id: 'gbx_in_2', at });
  const hook = () => defaultAdapters().gallabox.webhook;
  it('accepts the signature in hex, in base64, or the shared secret header', () => {
    for (const headers of [
      bodies.sign(body, { encoding: 'hex' }),
      bodies.sign(body, { encoding: 'base64' }),
      bodies.sign(body, { shared: true }),
    ])
      expect(hook()?.verify(request(body, headers), hookCredentials, at)).toMatchObject({ ok: true });
    expect(
      hook()?.verify(request(body, bodies.sign(body, { secret: 'wrong-secret' })), hookCredentials, at),
    ).toMatchObject({
      ok: false,
    });
    expect(
      hook()?.verify(request(body, bodies.sign(body, { shared: true, secret: 'wrong-secret' })), hookCredentials, at),
    ).toMatchObject({ ok: false });
  });

  it('routes by channelId', () => {
    expect(hook()?.accountKey?.(request(body, {}))).toBe(bodies.channelId);
  });

  it('reads the message id from `id` or `messageId`, and sends template values by variable', async () => {
    gallabox.idField = 'messageId';
    const result = await defaultAdapters().gallabox.send(templated(whatsappMessage('g-shape')), credentials(), {});
    gallabox.idField = 'id';
    expect(result).toMatchObject({ ok: true });
    expect(gallabox.messages.at(-1)?.body).toMatchObject({
      channelId: gallabox.channelId,
      channelType: 'whatsapp',
      recipient: { phone: '919876543210' },
      whatsapp: {
        type: 'template',
        template: { templateName: 'casual_checkin', bodyValues: { 1: 'Ana', 2: 'a short note' } },
      },
    });
  });

  it('syncs templates from the account', async () => {
    expect(await defaultAdapters().gallabox.listTemplates?.(credentials(), {})).toMatchObject({
      ok: true,
      templates: [{ name: 'casual_checkin', status: 'APPROVED', body: 'Hi {{1}}, {{2}}' }],
    });
  });
});
