// SMS through Twilio end to end, against the local fake: consent (no SMS without smsOptIn), the
// first SMS with its opt-out line, signed status callbacks, an inbound STOP (suppressed at once,
// consent withdrawn, the enrollment stopped), START lifting it, a reply stopping another
// contact's enrollment, 21610 at send time, an unreachable number falling back, and bad webhooks
// (unsigned, wrong signature, wrong URL, malformed) refused with nothing written.
import { describe, expect, it } from 'vitest';
import { ALWAYS_OPEN, world } from '../support/world.ts';
import {
  DAY,
  deliver,
  enrollmentOf,
  fakeTwilio,
  HOOK,
  NUMBER,
  PUBLIC_URL,
  tickPaced,
  twilioSender,
} from './twilioSupport.ts';

const twilio = fakeTwilio();

async function smsWorld() {
  const w = await world({ publicUrl: PUBLIC_URL });
  const account = twilio.account();
  const sender = await twilioSender(w, twilio, { fromPhone: NUMBER, credentials: account });
  return { w, account, sender };
}

/** SMS on day 0, an SMS follow-up on day 2 (falls back to email), an email on day 4. */
const sequence = {
  name: 'sms first',
  steps: [
    { day: 0, channel: 'sms', template: 'intro' },
    { day: 2, channel: 'sms', template: 'casual_checkin' },
    { day: 4, channel: 'email', template: 'followup_1' },
  ],
  schedule: ALWAYS_OPEN,
};

describe('SMS through Twilio', () => {
  it('registers the account without echoing its Auth Token and names the webhook URL', async () => {
    const { sender, account } = await smsWorld();
    expect(sender).toMatchObject({ channel: 'sms', provider: 'twilio', webhookUrl: HOOK });
    expect(JSON.stringify(sender)).not.toContain(account.authToken);
  });

  it('sends with consent, acts on statuses, STOP, START and replies from signed webhooks', async () => {
    const { w, account } = await smsWorld();
    const [dana, pat, lee] = await w.contacts([
      { email: 'dana@globex.example', phone: '+14155550101', firstName: 'Dana', smsOptIn: true, timezone: 'UTC' },
      { email: 'pat@initech.example', phone: '+14155550102', firstName: 'Pat', smsOptIn: true, timezone: 'UTC' },
      { phone: '+14155550103', firstName: 'Lee', timezone: 'UTC' },
    ]);
    const sequenceId = await w.sequence(sequence);
    await w.enroll(sequenceId, [dana, pat, lee] as string[]);
    await tickPaced(w);

    // Lee gave no SMS consent (null): the step is skipped with the reason (no email to fall back to).
    expect((await w.timeline(lee as string)).map((e) => e.summary).join('\n')).toMatch(/no SMS consent/);
    const sent = await w.messages('&channel=sms');
    expect(sent.map((m) => m.contactId).sort()).toEqual([dana, pat].sort());
    expect(sent.every((m) => m.provider === 'twilio' && m.status === 'sent')).toBe(true);
    const mine = twilio.messages.filter((m) => m.accountSid === account.accountSid);
    expect(mine).toHaveLength(2);
    for (const m of mine) {
      expect(m).toMatchObject({ from: NUMBER, statusCallback: HOOK });
      expect(m.body).toMatch(/Reply STOP to opt out\.?$/);
    }
    const smOf = (phone: string) => mine.find((m) => m.to === phone)?.sid as string;

    // A status callback updates the message; its redelivery is acknowledged and changes nothing.
    const delivered = await deliver(w, twilio.statusCallback(smOf('+14155550102'), 'delivered'));
    expect(delivered.statusCode).toBe(200);
    expect(delivered.headers['content-type']).toMatch(/text\/xml/);
    expect(delivered.body).toContain('<Response></Response>');
    expect((await deliver(w, twilio.statusCallback(smOf('+14155550102'), 'delivered'))).statusCode).toBe(200);
    expect((await w.messages(`&contactId=${pat}`))[0]?.status).toBe('delivered');

    // Dana texts STOP: suppressed at once, consent withdrawn, the enrollment stopped.
    const stop = await deliver(
      w,
      twilio.inbound({ accountSid: account.accountSid, url: HOOK, from: '+14155550101', to: NUMBER, body: 'Stop' }),
    );
    expect(stop.statusCode).toBe(200);
    expect(await enrollmentOf(w, dana as string)).toEqual({ status: 'stopped', stopReason: 'unsubscribed' });
    expect((await w.ok('GET', `/v1/contacts/${dana}`)).smsOptIn).toBe(false);
    expect(await w.row('SELECT reason FROM suppressions WHERE channel = $1', ['sms'])).toEqual([
      { reason: 'opted_out' },
    ]);

    // Pat answers: a reply, classified, on the timeline; the enrollment stops.
    const reply = await deliver(
      w,
      twilio.inbound({
        accountSid: account.accountSid,
        url: HOOK,
        from: '+14155550102',
        to: NUMBER,
        body: 'Sounds interesting, tell me more',
      }),
    );
    expect(reply.statusCode).toBe(200);
    expect(await enrollmentOf(w, pat as string)).toEqual({ status: 'stopped', stopReason: 'replied' });
    expect((await w.timeline(pat as string)).some((e) => e.type === 'replied')).toBe(true);

    // Nothing more goes to either of them, days later.
    w.clock.advance(5 * DAY);
    await w.engine.tick();
    expect(await w.messages()).toHaveLength(2);

    // START lifts the SMS suppression and gives consent back (the stopped enrollment stays stopped).
    await deliver(
      w,
      twilio.inbound({ accountSid: account.accountSid, url: HOOK, from: '+14155550101', to: NUMBER, body: 'START' }),
    );
    expect(await w.row('SELECT reason FROM suppressions WHERE channel = $1', ['sms'])).toEqual([]);
    expect((await w.ok('GET', `/v1/contacts/${dana}`)).smsOptIn).toBe(true);
  });

  it('refuses unsigned, forged, wrong-URL and malformed webhooks, and writes nothing', async () => {
    const { w, account } = await smsWorld();
    const stored = async () =>
      (await w.db.system((sql) => sql.query<{ n: number }>('SELECT count(*)::int AS n FROM inbound_events'))).rows[0]
        ?.n;
    const before = await stored();
    const good = twilio.inbound({
      accountSid: account.accountSid,
      url: HOOK,
      from: '+14155550109',
      to: NUMBER,
      body: 'STOP',
    });
    const unsigned = await deliver(w, { ...good, headers: { 'content-type': good.headers['content-type'] as string } });
    expect(unsigned.statusCode).toBe(403);
    expect(unsigned.json().error).toMatchObject({
      code: 'invalid_signature',
      message: expect.stringContaining('missing X-Twilio-Signature'),
    });
    const forged = await deliver(w, {
      ...good,
      headers: { ...good.headers, 'x-twilio-signature': 'bm90IGEgc2lnbmF0dXJl' },
    });
    expect(forged.statusCode).toBe(403);
    const elsewhere = twilio.inbound({
      accountSid: account.accountSid,
      url: 'https://evil.example/webhooks/twilio',
      from: '+14155550109',
      to: NUMBER,
      body: 'STOP',
    });
    expect((await deliver(w, { ...elsewhere, url: HOOK })).statusCode).toBe(403);
    const malformed = await deliver(
      w,
      twilio.sign(account.accountSid, HOOK, { AccountSid: account.accountSid, Body: 'hi' }),
    );
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.message).toMatch(/MessageSid/);
    expect(await stored()).toBe(before);
  });

  it('answers a signed post carrying NUL with 400 (escaped or raw, in a field we read or not), never 500, and writes nothing', async () => {
    const { w, account } = await smsWorld();
    const stored = async () =>
      (await w.db.system((sql) => sql.query<{ n: number }>('SELECT count(*)::int AS n FROM inbound_events'))).rows[0]
        ?.n;
    const before = await stored();
    const base = {
      MessageSid: 'SM' + 'a'.repeat(32),
      AccountSid: account.accountSid,
      From: '+14155550109',
      To: NUMBER,
    };
    // NUL in the text we read, percent-escaped: the event names the field.
    const inBody = await deliver(w, twilio.sign(account.accountSid, HOOK, { ...base, Body: 'hi\u0000there' }));
    expect(inBody.statusCode).toBe(400);
    expect(inBody.json().error.message).toMatch(/NUL/);
    // A raw NUL byte in a parameter we do not read: signed like any other, the form itself is refused.
    const hook = twilio.sign(account.accountSid, HOOK, { ...base, Body: 'hi', Extra: 'a\u0000b' });
    const raw = await deliver(w, { ...hook, body: hook.body.replace('%00', '\u0000') });
    expect(raw.statusCode).toBe(400);
    expect(raw.json().error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/NUL/) });
    expect(await stored()).toBe(before);
  });

  it('21610 at send time suppresses SMS; an unreachable number (30003) sends later SMS steps to the fallback', async () => {
    const { w, account } = await smsWorld();
    const [kim, ana] = await w.contacts([
      { email: 'kim@umbrella.example', phone: '+14155550104', smsOptIn: true, timezone: 'UTC' },
      { email: 'ana@hooli.example', phone: '+14155550105', smsOptIn: true, timezone: 'UTC' },
    ]);
    twilio.optedOut.add(`${NUMBER}|+14155550104`);
    const sequenceId = await w.sequence(sequence);
    await w.enroll(sequenceId, [kim, ana] as string[]);
    await tickPaced(w);
    expect((await w.messages(`&contactId=${kim}`))[0]).toMatchObject({ status: 'failed' });
    expect((await w.ok('GET', `/v1/contacts/${kim}`)).smsOptIn).toBe(false);
    const sm = twilio.messages.find((m) => m.accountSid === account.accountSid && m.to === '+14155550105')
      ?.sid as string;
    expect((await deliver(w, twilio.statusCallback(sm, 'undelivered', 30003))).statusCode).toBe(200);
    const failed = (await w.messages(`&contactId=${ana}`))[0];
    expect(failed).toMatchObject({ status: 'failed' });
    w.clock.advance(2 * DAY + 60_000);
    await tickPaced(w);
    const second = (await w.messages(`&contactId=${ana}`)).find((m) => m.step === 1);
    expect(second).toMatchObject({ channel: 'email' });
    expect((await w.timeline(ana as string)).map((e) => e.summary).join('\n')).toMatch(/cannot receive SMS/);
  });
});
