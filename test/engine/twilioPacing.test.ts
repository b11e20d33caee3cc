// Per-number pacing in segments per second, against the local Twilio fake and on the world's manual
// clock: a US long code takes 1 segment a second, so after a 2-segment text the number's next text
// waits 2 seconds (the step is deferred to that instant, never sent early, never dropped; the gaps
// are checked against each text's segments as it reached Twilio, and the unit test shows a
// multi-segment text costing several units — the offline writer's texts here are one segment); a
// toll-free number takes 3 a second; an account may say its own rate (`segmentsPerSecond`).
import { describe, expect, it } from 'vitest';
import { smsSegments } from '../../src/core/smsSegments.ts';
import { defaultSegmentsPerSecond, twilioPace } from '../../src/channels/twilio/pacing.ts';
import { TwilioCredentials } from '../../src/channels/twilio/credentials.ts';
import { ALWAYS_OPEN, world, type World } from '../support/world.ts';
import { fakeTwilio, PUBLIC_URL, twilioSender } from './twilioSupport.ts';

const twilio = fakeTwilio();

describe('Twilio pace per sender', () => {
  const credentials = TwilioCredentials.parse({ accountSid: `AC${'0'.repeat(32)}`, authToken: 'x'.repeat(32) });
  const text = (body: string) => ({
    kind: 'send' as const,
    message: { id: 'm', channel: 'sms' as const, purpose: 'intro', to: {}, from: {}, text: body },
  });

  it('costs one unit per segment at the number’s rate; calls one unit at the account’s calls per second', () => {
    expect(defaultSegmentsPerSecond('+15005550006')).toBe(1);
    expect(defaultSegmentsPerSecond('+18885550006')).toBe(3);
    expect(defaultSegmentsPerSecond('12345')).toBe(100);
    expect(defaultSegmentsPerSecond(null)).toBe(1);
    expect(twilioPace(text('Hi'), credentials, { fromPhone: '+15005550006' })).toEqual({ units: 1, perSecond: 1 });
    // 161 GSM-7 characters: 2 segments of 153.
    expect(twilioPace(text('a'.repeat(161)), credentials, { fromPhone: '+15005550006' })).toEqual({
      units: 2,
      perSecond: 1,
    });
    // UCS-2 (one character outside GSM-7): 71 characters are 2 segments of 67.
    expect(twilioPace(text(`Ł${'a'.repeat(70)}`), credentials, { fromPhone: '+18005550006' })).toEqual({
      units: 2,
      perSecond: 3,
    });
    const configured = { ...credentials, segmentsPerSecond: 30 };
    expect(twilioPace(text('Hi'), configured, { fromPhone: '+15005550006' })).toEqual({ units: 1, perSecond: 30 });
    expect(twilioPace({ kind: 'dial' }, credentials, {})).toEqual({ units: 1, perSecond: 1 });
    expect(twilioPace({ kind: 'dial' }, { ...credentials, callsPerSecond: 5 }, {})).toEqual({
      units: 1,
      perSecond: 5,
    });
  });
});

/** Runs the engine at each instant a deferred first step is due until every enrollment has sent it. */
async function sendAll(w: World, count: number): Promise<void> {
  await w.engine.tick();
  for (let round = 0; round < count * 2; round++) {
    const [next] = await w.row<{ at: Date | null }>(
      `SELECT min(next_run_at) AS at FROM enrollments WHERE status = 'active' AND current_step = 0`,
    );
    if (!next?.at) return;
    w.clock.set(new Date(Math.max(next.at.getTime(), w.clock.now().getTime())));
    await w.engine.tick();
  }
}

const NAMES = ['Lucja', 'Zaneta', 'Sciborek', 'Cwikla'];

async function pacedWorld(fromPhone: string, extra: Record<string, unknown> = {}, names = NAMES) {
  const w = await world({ publicUrl: PUBLIC_URL });
  const account = twilio.account();
  await twilioSender(w, twilio, { fromPhone, credentials: { ...account, ...extra } });
  const people = names.map((firstName, i) => ({
    phone: `+14155550${String(170 + i).padStart(3, '0')}`,
    firstName,
    lastName: 'Wasowska',
    company: 'Zaklady Lodz',
    smsOptIn: true,
    timezone: 'UTC',
  }));
  const ids = await w.contacts(people);
  const sequenceId = await w.sequence({
    name: 'long texts',
    steps: [{ day: 0, channel: 'sms', template: 'intro' }],
    schedule: ALWAYS_OPEN,
    smsMaxSegments: 5,
  });
  await w.enroll(sequenceId, ids);
  return { w, account, count: ids.length };
}

/**
 * The account's texts in the order sent: when each went out (the world's clock) and its segments as
 * it reached Twilio (with the opt-out line), matched by Twilio's sid.
 */
async function sent(w: World) {
  const rows = await w.row<{ sid: string; sentAt: Date }>(
    `SELECT provider_message_id AS sid, sent_at AS "sentAt" FROM messages
      WHERE channel = 'sms' AND status = 'sent' ORDER BY sent_at, id`,
  );
  return rows.map((r) => ({
    at: r.sentAt.getTime(),
    segments: smsSegments(twilio.messages.find((m) => m.sid === r.sid)?.body ?? '').segments,
  }));
}

/** Each text went out when the one before had used its segments at `perSecond` (to the millisecond). */
function expectPaced(texts: { at: number; segments: number }[], perSecond: number) {
  for (let i = 1; i < texts.length; i++) {
    const gap = (texts[i]?.at ?? 0) - (texts[i - 1]?.at ?? 0);
    expect(Math.abs(gap - ((texts[i - 1]?.segments ?? 0) * 1000) / perSecond)).toBeLessThanOrEqual(1);
  }
}

describe('SMS pacing in segments per second (engine scheduling, manual clock)', () => {
  it('a long code: each text waits for the segments before it, one a second; none early, none dropped', async () => {
    const { w, account, count } = await pacedWorld('+15005550006');
    const start = w.clock.now().getTime();
    await sendAll(w, count);
    const texts = await sent(w);
    expect(texts).toHaveLength(count);
    expect(twilio.messages.filter((m) => m.accountSid === account.accountSid)).toHaveLength(count);
    // The first goes at once; each later one exactly when the one before has used its segments.
    expect(texts[0]?.at).toBe(start);
    expectPaced(texts, 1);
    // The waits are on the timeline, as deferrals with the reason.
    const notes = (await w.row<{ summary: string }>(`SELECT summary FROM activities WHERE type = 'deferred'`)).map(
      (r) => r.summary,
    );
    expect(notes.some((s) => /pacing: the account takes 1 segment a second/.test(s))).toBe(true);
  });

  it('texts waiting for one number each wait once, for a slot of their own (not all at once, again and again)', async () => {
    // Before migration 081 every deferred text woke at the number's next free instant: one went,
    // the others were deferred again — 12 texts made 66 deferrals (n²/2; 400 made some 80,000).
    const names = Array.from({ length: 12 }, (_, i) => `Tekla${i}`);
    const { w, count } = await pacedWorld('+15005550008', {}, names);
    await sendAll(w, count);
    const texts = await sent(w);
    expect(texts).toHaveLength(count);
    expectPaced(texts, 1);
    const [deferred] = await w.row<{ n: number }>(`SELECT count(*)::int AS n FROM activities WHERE type = 'deferred'`);
    expect(deferred?.n).toBe(count - 1);
  });

  it('a toll-free number takes 3 segments a second; an account may set its own rate', async () => {
    const tollFree = await pacedWorld('+18005550006');
    await sendAll(tollFree.w, tollFree.count);
    const texts = await sent(tollFree.w);
    expect(texts).toHaveLength(tollFree.count);
    expectPaced(texts, 3);

    const fast = await pacedWorld('+15005550007', { segmentsPerSecond: 10 });
    await sendAll(fast.w, fast.count);
    const quick = await sent(fast.w);
    expect(quick).toHaveLength(fast.count);
    expect((quick.at(-1)?.at ?? 0) - (quick[0]?.at ?? 0)).toBeLessThan(2000);
  });
});
