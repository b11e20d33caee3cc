// Twilio accounts that share an Account SID, and Messaging Services with Advanced Opt-Out, end to
// end against the local fake: inbound messages are routed by our number (To) or the service, not by
// the Account SID alone, so two numbers on one Account SID (here in two workspaces, writing to the
// same person) each get their own replies; a service's own keywords arrive with OptOutType and act
// like the standard words (STOP suppresses, START lifts, HELP does nothing); a service that drops
// keyword messages leaves it to 21610 at the next send, which suppresses too.
import { describe, expect, it } from 'vitest';
import { ALWAYS_OPEN, world } from '../support/world.ts';
import { DAY, deliver, enrollmentOf, fakeTwilio, HOOK, PUBLIC_URL, tickPaced, twilioSender } from './twilioSupport.ts';

const twilio = fakeTwilio();

const sequence = {
  name: 'two texts',
  steps: [
    { day: 0, channel: 'sms', template: 'intro' },
    { day: 2, channel: 'sms', template: 'casual_checkin' },
  ],
  schedule: ALWAYS_OPEN,
};

describe('Twilio numbers that share an Account SID', () => {
  it('each number gets its own replies, even in two workspaces writing to the same person', async () => {
    const w = await world({ publicUrl: PUBLIC_URL });
    const other = await w.workspace('Other workspace');
    const account = twilio.account();
    await twilioSender(w, twilio, { fromPhone: '+15005550006', credentials: account });
    await twilioSender(other, twilio, { fromPhone: '+15005550007', credentials: account });
    const person = { phone: '+14155550150', firstName: 'Dana', smsOptIn: true, timezone: 'UTC' };
    const [mine] = await w.contacts([person]);
    const [theirs] = await other.contacts([person]);
    await w.enroll(await w.sequence(sequence), [mine as string]);
    await other.enroll(await other.sequence(sequence), [theirs as string]);
    await w.engine.tick();
    expect(twilio.messages.filter((m) => m.accountSid === account.accountSid).map((m) => m.from)).toEqual(
      expect.arrayContaining(['+15005550006', '+15005550007']),
    );

    // Dana answers the other workspace's number: its enrollment stops, ours runs on.
    const reply = twilio.inbound({
      accountSid: account.accountSid,
      url: HOOK,
      from: person.phone,
      to: '+15005550007',
      body: 'Yes, call me tomorrow',
    });
    expect((await deliver(w, reply)).statusCode).toBe(200);
    await w.engine.tick();
    expect(await enrollmentOf(other, theirs as string)).toEqual({ status: 'stopped', stopReason: 'replied' });
    expect(await enrollmentOf(w, mine as string)).toEqual({ status: 'active', stopReason: null });
    expect((await w.timeline(mine as string)).some((e) => e.type === 'replied')).toBe(false);

    // STOP to our number: ours stops and suppresses; the other workspace keeps no suppression of ours.
    const stop = twilio.inbound({
      accountSid: account.accountSid,
      url: HOOK,
      from: person.phone,
      to: '+15005550006',
      body: 'STOP',
    });
    expect((await deliver(w, stop)).statusCode).toBe(200);
    await w.engine.tick();
    expect(await enrollmentOf(w, mine as string)).toEqual({ status: 'stopped', stopReason: 'unsubscribed' });
    expect(await other.row('SELECT reason FROM suppressions')).toEqual([]);
  });

  it('a number no account here sends from is refused (404), not given to another number of the Account SID', async () => {
    const w = await world({ publicUrl: PUBLIC_URL });
    const account = twilio.account();
    await twilioSender(w, twilio, { fromPhone: '+15005550006', credentials: account });
    const stray = twilio.inbound({
      accountSid: account.accountSid,
      url: HOOK,
      from: '+14155550151',
      to: '+15005550099',
      body: 'hi',
    });
    const answer = await deliver(w, stray);
    expect(answer.statusCode).toBe(404);
    expect(answer.json().error.message).toContain(`${account.accountSid}:+15005550099`);
  });
});

describe('a Messaging Service with Advanced Opt-Out', () => {
  it("acts on the service's own keywords (OptOutType, any spelling) and on 21610 when it drops them", async () => {
    const w = await world({ publicUrl: PUBLIC_URL });
    const account = twilio.account();
    const NUMBER = '+15005550008';
    const service = twilio.messagingService({
      accountSid: account.accountSid,
      numbers: [NUMBER],
      advancedOptOut: { optOut: ['STOP', 'ARRET'], optIn: ['START', 'OUI'], help: ['HELP', 'AIDE'] },
    });
    await twilioSender(w, twilio, { credentials: { ...account, messagingServiceSid: service } });
    const phones = ['+14155550161', '+14155550162', '+14155550163', '+14155550164'];
    await w.contacts(phones.map((phone) => ({ phone, smsOptIn: true, timezone: 'UTC' })));
    const rows = await w.row<{ id: string; phone: string }>('SELECT id, phone FROM contacts');
    const [ana, ben, cleo, dev] = phones.map((phone) => rows.find((r) => r.phone === phone)?.id);
    await w.enroll(await w.sequence(sequence), [ana, ben, cleo, dev] as string[]);
    await tickPaced(w);
    expect(twilio.messages.filter((m) => m.messagingServiceSid === service)).toHaveLength(4);
    const text = async (from: string, body: string, optOutType?: string | null) =>
      (
        await deliver(
          w,
          twilio.inbound({
            accountSid: account.accountSid,
            url: HOOK,
            from,
            to: NUMBER,
            body,
            ...(optOutType !== undefined ? { optOutType } : {}),
          }),
        )
      ).statusCode;
    const optIn = async (id: string) => (await w.ok('GET', `/v1/contacts/${id}`)).smsOptIn;

    // A custom opt-out word: only OptOutType=STOP says what it is.
    expect(await text('+14155550161', 'Arret')).toBe(200);
    await w.engine.tick();
    expect(await enrollmentOf(w, ana as string)).toEqual({ status: 'stopped', stopReason: 'unsubscribed' });
    expect(await optIn(ana as string)).toBe(false);
    // A custom opt-in word lifts it; it is not a reply.
    expect(await text('+14155550161', 'oui')).toBe(200);
    await w.engine.tick();
    expect(await optIn(ana as string)).toBe(true);
    expect((await w.timeline(ana as string)).some((e) => e.type === 'replied')).toBe(false);
    // A custom help word: no sequence action.
    expect(await text('+14155550162', 'AIDE')).toBe(200);
    await w.engine.tick();
    expect(await enrollmentOf(w, ben as string)).toEqual({ status: 'active', stopReason: null });
    // OptOutType spelt otherwise (lower case) is read the same.
    expect(await text('+14155550163', 'Arret', 'stop')).toBe(200);
    await w.engine.tick();
    expect(await enrollmentOf(w, cleo as string)).toEqual({ status: 'stopped', stopReason: 'unsubscribed' });

    // A service set to drop keyword messages posts nothing: Twilio blocks the pair, and the next
    // send gets 21610, which suppresses just as well.
    twilio.inbound({ accountSid: account.accountSid, url: HOOK, from: '+14155550164', to: NUMBER, body: 'ARRET' });
    w.clock.advance(2 * DAY + 60_000);
    await tickPaced(w);
    expect(await optIn(dev as string)).toBe(false);
    // Suppressed for SMS: Cleo and Dev (Ana opted back in).
    expect(await w.row('SELECT reason FROM suppressions WHERE channel = $1', ['sms'])).toEqual([
      { reason: 'opted_out' },
      { reason: 'opted_out' },
    ]);
    // Ben (help only) got his second text; Dev's was refused, never sent.
    expect(twilio.messages.filter((m) => m.to === '+14155550162')).toHaveLength(2);
    expect(twilio.messages.filter((m) => m.to === '+14155550164')).toHaveLength(1);
  });
});
