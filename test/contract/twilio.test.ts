// Twilio against its local fake (the documented Messages API) and X-Twilio-Signature-signed
// webhooks: every message status Twilio documents, inbound SMS (a reply, STOP, START, HELP) and
// call status callbacks. Twilio has no idempotency key: a resend is taken twice, which is why the
// engine never resends a message whose fate is unknown.
import { afterAll, beforeAll } from 'vitest';
import { defaultAdapters } from '../../src/channels/registry.ts';
import type { OutboundMessage, WebhookRequest } from '../../src/channels/types.ts';
import { FakeTwilio, sid, signTwilio } from '../fakes/twilio.ts';
import { adapterContract } from './adapterContract.ts';

let twilio: FakeTwilio;
let account: { accountSid: string; authToken: string };
beforeAll(async () => {
  twilio = await new FakeTwilio().start();
  account = twilio.account();
});
afterAll(() => twilio.close());

const URL = 'https://quotahit.example/webhooks/twilio';
const credentials = () => ({ ...account, baseUrl: twilio.url });
const SM = sid('SM');
const CA = sid('CA');
const HOOK_ACCOUNT = sid('AC');
const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
const status = (value: string, extra: Record<string, string> = {}) =>
  form({
    MessageSid: SM,
    AccountSid: HOOK_ACCOUNT,
    From: '+15005550006',
    To: '+14155550100',
    MessageStatus: value,
    ...extra,
  });
const inbound = (body: string) =>
  form({
    MessageSid: SM,
    AccountSid: HOOK_ACCOUNT,
    From: '+14155550100',
    To: '+15005550006',
    Body: body,
    NumMedia: '0',
    SmsStatus: 'received',
  });
const call = (value: string) => form({ CallSid: CA, AccountSid: HOOK_ACCOUNT, CallStatus: value });
const ref = { ref: { providerMessageId: SM, channel: 'sms' as const }, via: 'twilio' };
const from = { ref: { from: { phone: '+14155550100' }, channel: 'sms' as const }, via: 'twilio' };

function smsMessage(id: string): OutboundMessage {
  return {
    id,
    channel: 'sms',
    purpose: 'intro',
    to: { phone: '+14155550100', name: 'Dana' },
    from: { phone: '+15005550006' },
    text: 'Hi Dana, Sam from Acme here. Worth a quick chat? Reply STOP to opt out.',
  };
}

adapterContract({
  provider: 'twilio',
  adapter: defaultAdapters().twilio,
  setup: async () => ({ credentials: credentials(), accepted: () => twilio.messages.length }),
  message: smsMessage,
  failures: [
    {
      kind: 'rate_limited',
      arrange: () => void twilio.failNext.push({ status: 429, code: 20429, message: 'Too Many Requests' }),
    },
    {
      kind: 'rate_limited',
      arrange: () =>
        void twilio.failNext.push({
          status: 400,
          code: 21611,
          message: 'This From phone number has exceeded the maximum number of queued messages',
        }),
    },
    { kind: 'auth_expired', arrange: () => ({ ...credentials(), authToken: 'f'.repeat(32) }) },
    { kind: 'invalid_recipient', arrange: () => undefined, message: (base) => ({ ...base, to: { phone: '+1999' } }) },
    {
      kind: 'invalid_recipient',
      arrange: () =>
        void twilio.failNext.push({
          status: 400,
          code: 21211,
          message: "The 'To' number is not a valid phone number.",
        }),
    },
    {
      kind: 'opted_out',
      // The person texted STOP to our number earlier: Twilio blocks the pair.
      arrange: () => void twilio.optedOut.add('+15005550006|+14155550199'),
      message: (base) => ({ ...base, to: { phone: '+14155550199' } }),
    },
    {
      kind: 'provider_down',
      arrange: () => void twilio.failNext.push({ status: 503, code: 20500, message: 'Service Unavailable' }),
    },
    { kind: 'provider_down', arrange: () => ({ ...credentials(), baseUrl: 'http://127.0.0.1:1' }) },
    {
      kind: 'rejected',
      arrange: () =>
        void twilio.failNext.push({
          status: 400,
          code: 21408,
          message: 'Permission to send an SMS has not been enabled for the region',
        }),
    },
  ],
  lookup: { sent: 'unsupported', unknown: 'unsupported' },
  webhook: {
    credentials: { accountSid: HOOK_ACCOUNT, authToken: 'contract-twilio-auth-token' },
    signed: (body): WebhookRequest => ({
      method: 'POST',
      rawBody: Buffer.from(body),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': signTwilio('contract-twilio-auth-token', URL, [...new URLSearchParams(body).entries()]),
      },
      url: URL,
      query: {},
    }),
    events: [
      { name: 'MessageStatus delivered', body: status('delivered'), expect: [{ type: 'delivered', ...ref }] },
      { name: 'MessageStatus read', body: status('read'), expect: [{ type: 'read', ...ref }] },
      ...['queued', 'sending', 'sent', 'accepted', 'scheduled', 'partially_delivered', 'canceled'].map((s) => ({
        name: `MessageStatus ${s} (nothing to act on)`,
        body: status(s),
        expect: [],
      })),
      ...[30003, 30004, 30005, 30006, 30007, 30008].map((code) => ({
        name: `MessageStatus undelivered with ErrorCode ${code}`,
        body: status('undelivered', { ErrorCode: String(code) }),
        expect: [{ type: 'failed' as const, code: String(code), ...ref }],
      })),
      {
        name: 'MessageStatus failed',
        body: status('failed', { ErrorCode: '30008' }),
        expect: [{ type: 'failed', reason: 'failed (error 30008: unknown error)' }],
      },
      {
        name: 'an inbound reply',
        body: inbound('Sounds good, call me Tuesday'),
        expect: [{ type: 'replied', text: 'Sounds good, call me Tuesday', ...from }],
      },
      ...['STOP', 'stop', 'StopAll', 'UNSUBSCRIBE', 'end', 'QUIT', 'REVOKE', 'OPTOUT', 'CANCEL'].map((word) => ({
        name: `inbound ${word}`,
        body: inbound(word),
        expect: [{ type: 'opted_out' as const, everywhere: false, ...from }],
      })),
      { name: 'inbound START', body: inbound('START'), expect: [{ type: 'opted_in', ...from }] },
      { name: 'inbound UNSTOP', body: inbound('unstop'), expect: [{ type: 'opted_in', ...from }] },
      {
        name: 'inbound YES (opts in and answers)',
        body: inbound('Yes'),
        expect: [{ type: 'opted_in' }, { type: 'replied', text: 'Yes' }],
      },
      { name: 'inbound HELP (no sequence action)', body: inbound('HELP'), expect: [] },
      {
        name: 'a sentence with stop in it is a reply',
        body: inbound('please stop texting me'),
        expect: [{ type: 'replied' }],
      },
      ...[
        'initiated',
        'ringing',
        'answered',
        'in-progress',
        'completed',
        'busy',
        'no-answer',
        'failed',
        'canceled',
      ].map((s) => ({
        name: `CallStatus ${s}`,
        body: call(s),
        expect: [{ type: 'call' as const, outcome: s, ref: { providerMessageId: CA, channel: 'call' as const } }],
      })),
    ],
  },
});
