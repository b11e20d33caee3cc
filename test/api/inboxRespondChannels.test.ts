// Answering from the inbox on the channel of the reply: SMS through Twilio (to the contact's
// number, from ours, no second opt-out line, the status callback set), WhatsApp only inside the
// 24-hour window the reply opened, LinkedIn to the profile; refused, with nothing sent, for a
// contact suppressed on that channel and for a call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHttpProvider, type FakeHttpProvider } from '../fakes/httpProvider.ts';
import { ALWAYS_OPEN, NO_CAPS, world, type World } from '../support/world.ts';
import { deliver, fakeTwilio, HOOK, NUMBER, PUBLIC_URL, twilioSender } from '../engine/twilioSupport.ts';

const HOUR = 3_600_000;
const DANA = {
  email: 'dana@globex.example',
  phone: '+14155550101',
  linkedinUrl: 'https://www.linkedin.com/in/dana-globex',
  firstName: 'Dana',
  smsOptIn: true,
  whatsappOptIn: true,
  timezone: 'UTC',
};

const twilio = fakeTwilio();
let http: FakeHttpProvider;
beforeAll(async () => {
  http = await startFakeHttpProvider();
});
afterAll(() => http.close());

/** One contact, one step on `channel`, sent; her logged reply. */
async function oneStep(w: World, channel: string) {
  const [dana] = await w.contacts([DANA]);
  const sequenceId = await w.sequence({
    name: `${channel} once`,
    steps: [{ day: 0, channel, template: channel === 'linkedin' ? 'connection_request' : 'intro' }],
    schedule: ALWAYS_OPEN,
  });
  await w.enroll(sequenceId, [dana as string]);
  await w.engine.tick();
  const message = (await w.messages(`&channel=${channel}`))[0] as { id: string; provider: string };
  expect(message, `no ${channel} message: ${JSON.stringify(await w.timeline(dana as string))}`).toBeDefined();
  const replyId = (await w.ok('POST', `/v1/messages/${message.id}/replies`, { body: 'Interested, tell me more' }))
    .replyId as string;
  return { dana: dana as string, message, replyId };
}

describe('POST /v1/replies/:id/respond on every channel', () => {
  it('SMS: from our number to theirs through Twilio, once the conversation has its opt-out line; never after STOP', async () => {
    const w = await world({ publicUrl: PUBLIC_URL });
    const account = twilio.account();
    await twilioSender(w, twilio, { fromPhone: NUMBER, credentials: account });
    const { dana, message, replyId } = await oneStep(w, 'sms');
    expect(message.provider).toBe('twilio');
    const answered = await w.ok('POST', `/v1/replies/${replyId}/respond`, { body: 'Great — free on Tuesday?' });
    expect(answered.action).toMatchObject({ action: 'respond', data: { status: 'sent', channel: 'sms' } });
    const sent = twilio.messages.filter((m) => m.accountSid === account.accountSid);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({
      from: NUMBER,
      to: DANA.phone,
      body: 'Great — free on Tuesday?',
      statusCallback: HOOK,
    });
    const detail = await w.ok('GET', `/v1/replies/${replyId}`);
    expect((detail.conversation as { kind: string; channel: string }[]).map((e) => [e.kind, e.channel])).toEqual([
      ['message', 'sms'],
      ['reply', 'sms'],
      ['response', 'sms'],
    ]);
    expect((await w.timeline(dana)).map((e) => e.summary)).toContain(
      'Answered from the inbox on SMS via twilio: Great — free on Tuesday?',
    );

    // She texts STOP: the next answer is refused and nothing goes out.
    await deliver(
      w,
      twilio.inbound({ accountSid: account.accountSid, url: HOOK, from: DANA.phone, to: NUMBER, body: 'STOP' }),
    );
    const refused = await w.call('POST', `/v1/replies/${replyId}/respond`, { body: 'One more thing' });
    expect(refused).toMatchObject({
      status: 409,
      body: {
        error: {
          code: 'conflict',
          message: 'the contact is suppressed on SMS (opted_out): nothing more is sent there',
        },
      },
    });
    expect(twilio.messages.filter((m) => m.accountSid === account.accountSid)).toHaveLength(2);
  });

  it('WhatsApp: a session message inside the 24-hour window the reply opened, refused once it closed', async () => {
    const w = await world();
    await w.ok('POST', '/v1/senders', {
      channel: 'whatsapp',
      provider: 'http',
      fromPhone: NUMBER,
      credentials: { url: http.url },
      ...NO_CAPS,
    });
    const { replyId } = await oneStep(w, 'whatsapp');
    w.clock.advance(23 * HOUR);
    const before = http.deliveries.length;
    await w.ok('POST', `/v1/replies/${replyId}/respond`, { body: 'Here is the deck.' });
    const sent = http.deliveries.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toMatchObject({
      channel: 'whatsapp',
      to: { phone: DANA.phone },
      from: { phone: NUMBER },
      text: 'Here is the deck.',
    });
    w.clock.advance(2 * HOUR);
    const refused = await w.call('POST', `/v1/replies/${replyId}/respond`, { body: 'Any thoughts?' });
    expect(refused.status).toBe(409);
    expect((refused.body.error as { message: string }).message).toMatch(
      /^the WhatsApp 24-hour window closed at \S+Z: only an approved template may go now$/,
    );
    expect(http.deliveries).toHaveLength(before + 1);
  });

  it('LinkedIn: to the profile, in the sandbox when the conversation went out there', async () => {
    const w = await world();
    const { replyId } = await oneStep(w, 'linkedin');
    const answered = await w.ok('POST', `/v1/replies/${replyId}/respond`, { body: 'Thanks Dana — coffee next week?' });
    expect(answered.action).toMatchObject({ data: { status: 'sent', channel: 'linkedin', provider: 'sandbox' } });
    expect(answered.reply).toMatchObject({ channel: 'linkedin', lastAction: { action: 'respond' } });
  });
});
