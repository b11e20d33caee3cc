// Meta's WhatsApp Cloud API against its local fake (test/fakes/meta.ts): session and template
// sends, each documented error code as its failure kind, no lookup (no idempotency key either), and
// X-Hub-Signature-256 webhooks: inbound messages, every status, failures with their codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAdapters } from '../../src/channels/registry.ts';
import { classifyMetaError } from '../../src/channels/meta/errors.ts';
import { verifyMetaSignature } from '../../src/channels/meta/webhook.ts';
import type { OutboundMessage, WebhookRequest } from '../../src/channels/types.ts';
import { FakeMeta, signMeta } from '../fakes/meta.ts';
import { adapterContract } from './adapterContract.ts';
import { whatsappMessage } from './messages.ts';

let meta: FakeMeta;
/** Bodies and signatures as the fake makes them, at collection time (before any server starts). */
const bodies = new FakeMeta();
const at = new Date('2026-03-02T08:59:00Z');
const inbound = () => bodies.inbound({ from: '16505551234', text: 'yes, tell me more', id: 'wamid.IN1', at });
const status = (s: 'sent' | 'delivered' | 'read' | 'failed') =>
  bodies.status({ id: 'wamid.ABC', status: s, to: '16505551234', at });
beforeAll(async () => {
  meta = await new FakeMeta().start();
  meta.templates.push({
    name: 'casual_checkin',
    language: 'en_US',
    category: 'MARKETING',
    status: 'APPROVED',
    body: 'Hi {{1}}, {{2}}',
  });
});
afterAll(() => meta.close());

const credentials = () => ({
  accessToken: meta.accessToken,
  phoneNumberId: meta.phoneNumberId,
  wabaId: meta.wabaId,
  appSecret: meta.appSecret,
  verifyToken: 'contract-verify-token',
  baseUrl: meta.url,
  apiVersion: meta.version,
});
/** Credentials before the fake is up (webhooks need only the secrets). */
const credentials0 = () => ({
  accessToken: 'EAAG-unused',
  phoneNumberId: bodies.phoneNumberId,
  wabaId: bodies.wabaId,
  appSecret: bodies.appSecret,
  verifyToken: 'contract-verify-token',
});
const templated = (base: OutboundMessage): OutboundMessage => ({
  ...base,
  template: {
    name: 'casual_checkin',
    language: 'en_US',
    parameters: [{ text: 'Ana' }, { text: 'a short note' }],
  },
});
const ref = { ref: { providerMessageId: 'wamid.ABC', channel: 'whatsapp' as const }, via: 'meta' };

adapterContract({
  provider: 'meta',
  adapter: defaultAdapters().meta,
  setup: async () => ({ credentials: credentials(), accepted: () => meta.messages.length }),
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
      message: (base) => ({ ...base, template: { name: 'never_registered', language: 'en_US', parameters: [] } }),
    },
    { kind: 'template_required', arrange: () => void meta.failNext.push(132001) },
    { kind: 'rate_limited', arrange: () => void meta.failNext.push(130429) },
    { kind: 'rate_limited', arrange: () => void meta.failNext.push(131056) },
    { kind: 'rate_limited', arrange: () => void meta.failNext.push(131048) },
    { kind: 'rate_limited', arrange: () => void meta.failNext.push(131049) },
    { kind: 'invalid_recipient', arrange: () => void meta.failNext.push(131026) },
    { kind: 'invalid_recipient', arrange: () => undefined, message: (base) => ({ ...base, to: { phone: 'n/a' } }) },
    { kind: 'auth_expired', arrange: () => ({ ...credentials(), accessToken: 'EAAG-revoked' }) },
    { kind: 'provider_down', arrange: () => void meta.failNext.push(500) },
    { kind: 'provider_down', arrange: () => ({ ...credentials(), baseUrl: 'http://127.0.0.1:1' }) },
  ],
  lookup: { sent: 'unsupported', unknown: 'unsupported' },
  webhook: {
    credentials: { ...credentials0(), appSecret: bodies.appSecret },
    signed: (body): WebhookRequest => ({
      method: 'POST',
      rawBody: Buffer.from(body),
      headers: bodies.sign(body),
      url: 'https://quotahit.example/webhooks/meta',
      query: {},
    }),
    events: [
      {
        name: 'an inbound text message (a reply)',
        body: inbound(),
        expect: [{ type: 'replied', text: 'yes, tell me more', ref: { from: { phone: '+16505551234' } } }],
      },
      {
        name: 'status delivered',
        body: status('delivered'),
        expect: [{ type: 'delivered', ...ref }],
      },
      {
        name: 'status read (without delivered)',
        body: status('read'),
        expect: [{ type: 'read', ...ref }],
      },
      { name: 'status sent (nothing to act on)', body: status('sent'), expect: [] },
      {
        name: 'status failed with its code',
        body: status('failed'),
        expect: [{ type: 'failed', code: '131026', ...ref }],
      },
    ],
    ignored: [
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [{ id: '1', changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }] }],
      }),
      JSON.stringify({ object: 'page', entry: [] }),
    ],
  },
});

describe('meta: the signature and the handshake', () => {
  it("matches Meta's documented test vector (key `secret`, body `test`)", () => {
    expect(signMeta('secret', 'test')).toBe('sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914');
    expect(
      verifyMetaSignature(
        'secret',
        Buffer.from('test'),
        'sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914',
      ),
    ).toBe(true);
    expect(verifyMetaSignature('other', Buffer.from('test'), signMeta('secret', 'test'))).toBe(false);
  });

  it('answers hub.challenge only for a known verify token', () => {
    const hook = defaultAdapters().meta.webhook;
    const request = (token: string): WebhookRequest => ({
      method: 'GET',
      rawBody: Buffer.alloc(0),
      headers: {},
      url: 'https://quotahit.example/webhooks/meta',
      query: { 'hub.mode': 'subscribe', 'hub.verify_token': token, 'hub.challenge': '1158201444' },
    });
    expect(hook?.handshake?.(request('contract-verify-token'), [credentials()])).toEqual({
      status: 200,
      body: '1158201444',
    });
    expect(hook?.handshake?.(request('wrong'), [credentials()])?.status).toBe(403);
  });

  it('sends a template with its parameters and `to` as digits', async () => {
    const result = await defaultAdapters().meta.send(templated(whatsappMessage('m-shape')), credentials(), {});
    expect(result.ok).toBe(true);
    expect(meta.messages.at(-1)?.body).toMatchObject({
      messaging_product: 'whatsapp',
      to: '16505551234',
      type: 'template',
      template: {
        name: 'casual_checkin',
        language: { code: 'en_US' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana' },
              { type: 'text', text: 'a short note' },
            ],
          },
        ],
      },
    });
  });

  it('syncs templates from the WABA', async () => {
    const listed = await defaultAdapters().meta.listTemplates?.(credentials(), {});
    expect(listed).toMatchObject({
      ok: true,
      templates: [{ name: 'casual_checkin', language: 'en_US', status: 'APPROVED', body: 'Hi {{1}}, {{2}}' }],
    });
  });

  it.each([
    [131047, 'window_closed', /24 hours/],
    [132000, 'template_required', /variables/],
    [132001, 'template_required', /not approved/],
    [132015, 'template_required', /paused/],
    [132016, 'template_required', /disabled/],
    [130429, 'rate_limited', /throughput/],
    [131056, 'rate_limited', /short time/],
    [131048, 'rate_limited', /spam/],
    [131049, 'rate_limited', /marketing/],
    [131026, 'invalid_recipient', /blocked/],
    [190, 'auth_expired', /token/],
  ] as const)('maps error %i to %s with a reason people can act on', (code, kind, reason) => {
    const failure = classifyMetaError(400, code, `(#${code}) raw`);
    expect(failure.kind).toBe(kind);
    expect(failure.message).toMatch(reason);
  });
});
