// The Twilio adapter's parts: the signature (PROVIDERS.md's test vector, the port spellings, the
// JSON bodySHA256 variant, repeated parameters), the SMS as it goes out (opt-out line, segments,
// status callback, From or Messaging Service) against the local fake, and the STOP words.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smsKeyword } from '../../src/core/smsKeywords.ts';
import { twilioAdapter } from '../../src/channels/twilio/adapter.ts';
import { TwilioCredentials } from '../../src/channels/twilio/credentials.ts';
import { prepareSms } from '../../src/channels/twilio/prepare.ts';
import { twilioSignature, urlSpellings, verifyTwilioSignature } from '../../src/channels/twilio/signature.ts';
import { accountKeyOf, accountKeys, keywordOf } from '../../src/channels/twilio/webhook.ts';
import type { OutboundMessage, PrepareContext } from '../../src/channels/types.ts';
import { FakeTwilio, sid, signTwilio } from '../fakes/twilio.ts';

describe('X-Twilio-Signature', () => {
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params: [string, string][] = [
    ['CallSid', 'CA1234567890ABCDE'],
    ['Caller', '+14158675309'],
    ['Digits', '1234'],
    ['From', '+14158675309'],
    ['To', '+18005551212'],
  ];

  it("matches Twilio's published test vector (our signer and the fake's)", () => {
    expect(twilioSignature('12345', url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(signTwilio('12345', url, [...params].reverse())).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  const verify = (input: { url: string; signature?: string; body: string; contentType?: string }) =>
    verifyTwilioSignature({
      authToken: '12345',
      url: input.url,
      signature: input.signature,
      rawBody: Buffer.from(input.body),
      contentType: input.contentType ?? 'application/x-www-form-urlencoded',
    });
  const body = new URLSearchParams(params).toString();

  it('verifies the vector as a request, and refuses a missing or wrong signature, another URL or a changed value', () => {
    expect(verify({ url, signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', body })).toEqual({ ok: true });
    expect(verify({ url, body })).toMatchObject({ ok: false, reason: expect.stringContaining('missing') });
    expect(verify({ url, signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=', body })).toMatchObject({ ok: false });
    expect(verify({ url: `${url}&x=1`, signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', body })).toMatchObject({ ok: false });
    expect(
      verify({ url, signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', body: body.replace('1234', '1235') }),
    ).toMatchObject({ ok: false });
  });

  it('accepts a signature made with or without the default port', () => {
    expect(urlSpellings('https://a.example/x?y=1')).toEqual(['https://a.example/x?y=1', 'https://a.example:443/x?y=1']);
    expect(urlSpellings('http://a.example:80/x')).toEqual(['http://a.example:80/x', 'http://a.example/x']);
    expect(urlSpellings('https://a.example:8443/x')).toEqual(['https://a.example:8443/x']);
    const withPort = twilioSignature('12345', 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params);
    expect(verify({ url, signature: withPort, body })).toEqual({ ok: true });
    const without = twilioSignature('12345', url, params);
    expect(verify({ url: 'https://mycompany.com:443/myapp.php?foo=1&bar=2', signature: without, body })).toEqual({
      ok: true,
    });
  });

  it('appends repeated parameters each, sorted by value', () => {
    const repeated: [string, string][] = [
      ['Event', 'ringing'],
      ['Event', 'answered'],
      ['A', '1'],
    ];
    const signature = twilioSignature('12345', url, repeated);
    expect(signature).toBe(
      twilioSignature('12345', url, [
        ['A', '1'],
        ['Event', 'answered'],
        ['Event', 'ringing'],
      ]),
    );
    expect(verify({ url, signature, body: new URLSearchParams(repeated).toString() })).toEqual({ ok: true });
  });

  it('verifies a JSON body by its bodySHA256 (the URL alone is signed) and refuses a changed body', () => {
    const json = '{"MessageSid":"SM1"}';
    const hash = createHash('sha256').update(json).digest('hex');
    const signedUrl = `https://q.example/webhooks/twilio?bodySHA256=${hash}`;
    const signature = twilioSignature('12345', signedUrl);
    expect(verify({ url: signedUrl, signature, body: json, contentType: 'application/json' })).toEqual({ ok: true });
    expect(
      verify({ url: signedUrl, signature, body: '{"MessageSid":"SM2"}', contentType: 'application/json' }),
    ).toMatchObject({
      ok: false,
      reason: expect.stringContaining('bodySHA256'),
    });
  });
});

describe('STOP words', () => {
  it.each([
    ['STOP', 'opt_out'],
    [' stop ', 'opt_out'],
    ['Stop.', 'opt_out'],
    ['stopall', 'opt_out'],
    ['Unsubscribe', 'opt_out'],
    ['end', 'opt_out'],
    ['quit', 'opt_out'],
    ['revoke', 'opt_out'],
    ['optout', 'opt_out'],
    ['cancel', 'opt_out'],
    ['START', 'opt_in'],
    ['yes', 'opt_in'],
    ['unstop', 'opt_in'],
    ['HELP', 'help'],
    ['info', 'help'],
    ['stop it', undefined],
    ['please STOP', undefined],
    ['Sounds good', undefined],
  ])('%j → %s', (body, expected) => {
    expect(smsKeyword(body)).toBe(expected);
  });
});

describe('Advanced Opt-Out (OptOutType)', () => {
  it.each([
    // A service's own keyword: only OptOutType says what it is.
    ['ARRET', 'STOP', 'opt_out'],
    ['arret', 'stop', 'opt_out'],
    ['Oui', 'START', 'opt_in'],
    ['AIDE', 'Help', 'help'],
    // OptOutType absent (no Advanced Opt-Out, or a service set to another spelling): the body decides.
    ['STOP', undefined, 'opt_out'],
    ['ARRET', undefined, undefined],
    // A standard opt-out word the service removed from its list still opts out here.
    ['CANCEL', undefined, 'opt_out'],
    ['CANCEL', 'START', 'opt_out'],
    ['START', 'START', 'opt_in'],
    ['hello', 'SOMETHING_NEW', undefined],
  ])('%j with OptOutType %j → %s', (body, type, expected) => {
    expect(keywordOf(body, type)).toBe(expected);
  });
});

describe('which account a Twilio webhook names', () => {
  const AC = sid('AC');
  const MG = sid('MG');
  const params = (entries: Record<string, string>) => new Map(Object.entries(entries));

  it('an account answers to its Account SID with its Messaging Service, else its number; calls by number', () => {
    expect(accountKeyOf({ accountSid: AC }, { channel: 'sms', fromPhone: '+15005550006' })).toBe(`${AC}:+15005550006`);
    expect(
      accountKeyOf({ accountSid: AC, messagingServiceSid: MG }, { channel: 'sms', fromPhone: '+15005550006' }),
    ).toBe(`${AC}:${MG}`);
    expect(
      accountKeyOf({ accountSid: AC, messagingServiceSid: MG }, { channel: 'call', fromPhone: '+15005550006' }),
    ).toBe(`${AC}:+15005550006`);
    expect(accountKeyOf({ accountSid: AC }, {})).toBe(AC);
  });

  it('an inbound message names our number by To; a status callback or call status by From', () => {
    const inbound = { AccountSid: AC, MessageSid: sid('SM'), From: '+14155550101', To: '+15005550006', Body: 'hi' };
    expect(accountKeys(params(inbound))).toEqual([`${AC}:+15005550006`, AC]);
    expect(accountKeys(params({ ...inbound, MessagingServiceSid: MG }))).toEqual([
      `${AC}:+15005550006`,
      `${AC}:${MG}`,
      AC,
    ]);
    const status = {
      AccountSid: AC,
      MessageSid: sid('SM'),
      From: '+15005550006',
      To: '+14155550101',
      MessageStatus: 'delivered',
    };
    expect(accountKeys(params(status))).toEqual([`${AC}:+15005550006`, AC]);
    const call = {
      AccountSid: AC,
      CallSid: sid('CA'),
      From: '+15005550006',
      To: '+14155550999',
      CallStatus: 'ringing',
    };
    expect(accountKeys(params(call))).toEqual([`${AC}:+15005550006`, AC]);
    expect(accountKeys(params({ From: '+1' }))).toBeUndefined();
    expect(accountKeys(params({ AccountSid: AC, Body: 'hi' }))).toBeUndefined();
  });
});

const context = (settings: Record<string, unknown> = {}): PrepareContext => ({
  now: new Date('2026-03-02T09:00:00Z'),
  workspace: { name: 'Acme', postalAddress: null },
  sequenceSettings: settings,
  links: { publicBaseUrl: 'https://q.example/', trackingBaseUrl: 'https://q.example', secret: 'x' },
});
const sms = (text: string): OutboundMessage => ({
  id: 'msg-1',
  channel: 'sms',
  purpose: 'intro',
  to: { phone: '+14155550100' },
  from: { phone: '+15005550006' },
  text,
});
const earlier = [
  { messageId: 'm0', rfcMessageId: null, subject: null, providerMessageId: 'SM0', providerThreadId: null },
];

describe('an SMS prepared for Twilio', () => {
  it('the first SMS of a sequence ends with the opt-out line, later ones do not get it added', () => {
    const first = prepareSms(sms('Hi Dana, Sam from Acme.'), { earlier: [], lastInboundAt: null }, context());
    expect(first).toMatchObject({
      ok: true,
      message: {
        text: 'Hi Dana, Sam from Acme.\nReply STOP to opt out.',
        headers: { StatusCallback: 'https://q.example/webhooks/twilio' },
      },
    });
    const already = prepareSms(sms('Hi Dana. Reply STOP to opt out'), { earlier: [], lastInboundAt: null }, context());
    expect(already.ok && already.message.text).toBe('Hi Dana. Reply STOP to opt out');
    const later = prepareSms(sms('Following up.'), { earlier, lastInboundAt: null }, context());
    expect(later.ok && later.message.text).toBe('Following up.');
  });

  it('is measured in segments against smsMaxSegments (default 1): GSM-7 160, UCS-2 70', () => {
    const gsm = 'a'.repeat(160);
    expect(prepareSms(sms(gsm), { earlier, lastInboundAt: null }, context()).ok).toBe(true);
    const over = prepareSms(sms(`${gsm}a`), { earlier, lastInboundAt: null }, context());
    expect(over).toMatchObject({
      ok: false,
      failure: { kind: 'rejected', message: expect.stringContaining('2 segments (GSM-7') },
    });
    expect(prepareSms(sms(`${gsm}a`), { earlier, lastInboundAt: null }, context({ smsMaxSegments: 2 })).ok).toBe(true);
    const unicode = prepareSms(sms(`${'a'.repeat(70)}ł`), { earlier, lastInboundAt: null }, context());
    expect(unicode).toMatchObject({ ok: false, failure: { message: expect.stringContaining('UCS-2') } });
    expect(!unicode.ok && unicode.failure.message).toContain('not GSM-7: ł');
  });
});

describe('twilio adapter against the fake', () => {
  let twilio: FakeTwilio;
  let credentials: TwilioCredentials;
  beforeAll(async () => {
    twilio = await new FakeTwilio().start();
    credentials = TwilioCredentials.parse({ ...twilio.account(), baseUrl: twilio.url });
  });
  afterAll(() => twilio.close());

  it('defaults to api.twilio.com, refuses malformed SIDs, is not idempotent', () => {
    expect(TwilioCredentials.parse({ accountSid: sid('AC'), authToken: 'x'.repeat(32) }).baseUrl).toBe(
      'https://api.twilio.com',
    );
    expect(TwilioCredentials.safeParse({ accountSid: 'AC123', authToken: 'x'.repeat(32) }).success).toBe(false);
    expect(
      TwilioCredentials.safeParse({ accountSid: sid('AC'), authToken: 'x'.repeat(32), messagingServiceSid: 'MG1' })
        .success,
    ).toBe(false);
    expect(twilioAdapter.idempotent).toBe(false);
  });

  it('sends To, From, Body and StatusCallback as a form; a Messaging Service replaces From', async () => {
    const prepared = prepareSms(sms('Hi Dana'), { earlier: [], lastInboundAt: null }, context());
    if (!prepared.ok) throw new Error('not prepared');
    const sent = await twilioAdapter.send(prepared.message, credentials, {});
    expect(sent.ok).toBe(true);
    expect(twilio.messages.at(-1)).toMatchObject({
      to: '+14155550100',
      from: '+15005550006',
      messagingServiceSid: null,
      body: 'Hi Dana\nReply STOP to opt out.',
      statusCallback: 'https://q.example/webhooks/twilio',
    });
    if (sent.ok) expect(sent.value.providerMessageId).toBe(twilio.messages.at(-1)?.sid);
    // The service picks the number from its pool (the fake: the first).
    const service = twilio.messagingService({ accountSid: credentials.accountSid, numbers: ['+15005550009'] });
    expect((await twilioAdapter.send(sms('Hi'), { ...credentials, messagingServiceSid: service }, {})).ok).toBe(true);
    expect(twilio.messages.at(-1)).toMatchObject({ from: '+15005550009', messagingServiceSid: service });
    const unknown = await twilioAdapter.send(sms('Hi'), { ...credentials, messagingServiceSid: sid('MG') }, {});
    expect(unknown.ok).toBe(false);
  });

  it('refuses a sender without a number or service, and a call step', async () => {
    const none = await twilioAdapter.send({ ...sms('Hi'), from: {} }, credentials, {});
    expect(!none.ok && none.failure).toMatchObject({ kind: 'rejected', message: expect.stringContaining('fromPhone') });
    const call = await twilioAdapter.send({ ...sms('Hi'), channel: 'call' }, credentials, {});
    expect(!call.ok && call.failure.kind).toBe('rejected');
  });

  it('checks the connection: credentials, and something to send from', async () => {
    const checks = await twilioAdapter.checkConnection?.(credentials, { account: { fromPhone: '+15005550006' } });
    expect(checks).toEqual([expect.objectContaining({ name: 'credentials', verdict: 'ok' })]);
    const bad = await twilioAdapter.checkConnection?.({ ...credentials, authToken: 'y'.repeat(32) }, {});
    expect(bad).toEqual([expect.objectContaining({ name: 'credentials', verdict: 'failed' })]);
    const nothing = await twilioAdapter.checkConnection?.(credentials, { account: { fromPhone: null } });
    expect(nothing?.[1]).toMatchObject({ name: 'sender', verdict: 'failed' });
  });
});
