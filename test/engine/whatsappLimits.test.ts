// WhatsApp's own limits per number, held under the account's lock by the reservation (migration
// 051): messages per second, the messaging tier (people reached by new conversations per moving
// 24 h; a person already reached takes no new slot; "unlimited" has none) and the pair limit (one
// message to one person every 6 s). A step over a limit waits for the exact moment it fits: never
// dropped, never early. Time is the world's manual clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whatsappDecision, type WhatsAppUsage } from '../../src/core/whatsappLimits.ts';
import { manualClock } from '../../src/engine/clock.ts';
import { FakeMeta } from '../fakes/meta.ts';
import { instant, world, type World } from '../support/world.ts';
import { metaSender } from './whatsappSupport.ts';

const HOUR = 3600_000;
const t0 = new Date('2026-03-02T09:00:00Z');
const idle: WhatsAppUsage = {
  second: 0,
  secondOldest: null,
  reached: 0,
  reachedRecipient: false,
  reachedFrees: null,
  pairLast: null,
  initiates: true,
};
const limits = { perSecond: 80, tier: 250, pairGap: 6 };

describe('whatsappDecision', () => {
  it('refuses over each limit and says when it clears', () => {
    expect(whatsappDecision({ limits, usage: idle, now: t0 })).toEqual({ ok: true });
    const busy = { ...idle, second: 80, secondOldest: new Date(t0.getTime() - 400) };
    expect(whatsappDecision({ limits, usage: busy, now: t0 })).toEqual({
      ok: false,
      reason: 'per_second',
      retryAt: new Date(t0.getTime() + 600),
    });
    const full = { ...idle, reached: 250, reachedFrees: new Date(t0.getTime() - 5 * HOUR) };
    expect(whatsappDecision({ limits, usage: full, now: t0 })).toEqual({
      ok: false,
      reason: 'messaging_tier',
      retryAt: new Date(t0.getTime() + 19 * HOUR),
    });
    const pair = { ...idle, pairLast: new Date(t0.getTime() - 2000) };
    expect(whatsappDecision({ limits, usage: pair, now: t0 })).toEqual({
      ok: false,
      reason: 'pair_rate',
      retryAt: new Date(t0.getTime() + 4000),
    });
  });

  it('the tier counts new conversations only, and unlimited has none', () => {
    const full = { ...idle, reached: 250, reachedFrees: t0 };
    expect(whatsappDecision({ limits, usage: { ...full, reachedRecipient: true }, now: t0 }).ok).toBe(true);
    expect(whatsappDecision({ limits, usage: { ...full, initiates: false }, now: t0 }).ok).toBe(true);
    expect(whatsappDecision({ limits: { ...limits, tier: null }, usage: full, now: t0 }).ok).toBe(true);
  });

  it('when several refuse, retries when the last of them clears', () => {
    const both = { ...idle, reached: 250, reachedFrees: t0, pairLast: t0, second: 80, secondOldest: t0 };
    expect(whatsappDecision({ limits, usage: both, now: t0 })).toMatchObject({ reason: 'messaging_tier' });
  });
});

let meta: FakeMeta;
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

async function metaAccount(w: World, limitsBody: Record<string, unknown> = {}) {
  meta.now = () => w.clock.now();
  const sender = await w.ok('POST', '/v1/senders', metaSender(meta, { extra: limitsBody }));
  await w.ok('GET', `/v1/senders/${String(sender.id)}/templates`);
  return String(sender.id);
}

const people = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    email: `${prefix}${i}@example.com`,
    phone: `+1650555${prefix === 'a' ? '1' : '2'}${String(i).padStart(3, '0')}`,
    firstName: `P${i}`,
    timezone: 'UTC',
    whatsappOptIn: true,
  }));

const sentTo = (from: number) => meta.messages.slice(from).map((m) => m.to);

describe('WhatsApp limits in the engine', () => {
  it('the messaging tier: new conversations over it wait 24 h from the first; a person reached takes no slot', async () => {
    const w = await world();
    const senderId = await metaAccount(w);
    // Meta's lowest tier is 250; two makes the test small (the API takes only Meta's tiers).
    await w.db.system((sql) => sql.query('UPDATE senders SET messaging_tier = 2 WHERE id = $1', [senderId]));
    const [a, b, c] = await w.contactsByEmail(people('a', 3));
    const sequenceId = await w.sequence(
      instant([
        { channel: 'whatsapp', template: 'casual_checkin' },
        { channel: 'whatsapp', template: 'casual_checkin' },
      ]),
    );
    const before = meta.messages.length;
    // A at 09:00:00 (its second step waits 6 s: the pair limit), B at 09:00:10, C at 09:00:20.
    await w.enroll(sequenceId, [a as string]);
    await w.engine.tick();
    w.clock.set(new Date(t0.getTime() + 10_000));
    await w.enroll(sequenceId, [b as string]);
    await w.engine.tick();
    w.clock.set(new Date(t0.getTime() + 20_000));
    await w.enroll(sequenceId, [c as string]);
    await w.engine.tick();
    // A and B reached (2 of 2), each twice (writing again to a person reached takes no slot); C waits.
    expect(sentTo(before)).toEqual(['16505551000', '16505551000', '16505551001', '16505551001']);
    expect(JSON.stringify(await w.timeline(c as string))).toContain('WhatsApp messaging tier reached');
    // A's last message (09:00:10) leaves the moving 24 h first: C goes then, not a moment before.
    w.clock.set(new Date(t0.getTime() + 24 * HOUR + 9_999));
    await w.engine.tick();
    expect(sentTo(before)).not.toContain('16505551002');
    w.clock.set(new Date(t0.getTime() + 24 * HOUR + 10_000));
    await w.engine.tick();
    expect(sentTo(before).filter((to) => to === '16505551002')).toHaveLength(1);

    const listed = (await w.ok('GET', '/v1/senders')).data as Record<string, unknown>[];
    expect(listed[0]?.whatsappLimits).toMatchObject({ messagingTier: 2, reachedLast24h: 2, perSecondLimit: 80 });
  });

  it('a person who wrote takes no slot of the tier: inside their window a message goes while the tier is full', async () => {
    const w = await world();
    const senderId = await metaAccount(w);
    await w.db.system((sql) => sql.query('UPDATE senders SET messaging_tier = 1 WHERE id = $1', [senderId]));
    const [a, b, c] = await w.contactsByEmail(people('d', 3).map((p, i) => ({ ...p, phone: `+1650555400${i}` })));
    const checkin = await w.sequence(instant([{ channel: 'whatsapp', template: 'casual_checkin' }]));
    const before = meta.messages.length;
    // Day 0: B is reached by a template (a new conversation: the tier's one slot, for 24 h).
    await w.enroll(checkin, [b as string]);
    await w.engine.tick();
    // Day 2 (B's slot has left the moving 24 h): B writes, which opens B's window.
    w.clock.set(new Date(t0.getTime() + 48 * HOUR));
    const reply = meta.inbound({ from: '16505554001', text: 'Sure, tell me more', at: w.clock.now() });
    const hooked = await w.app.inject({
      method: 'POST',
      url: '/webhooks/meta',
      headers: meta.sign(reply),
      payload: reply,
    });
    expect(hooked.statusCode, hooked.body).toBe(200);
    // A new conversation with A takes the slot again.
    await w.enroll(checkin, [a as string]);
    await w.engine.tick();
    // B, inside the window, is written to while the tier is full; C, a new conversation, waits.
    w.clock.advance(10_000);
    const followUp = await w.sequence(instant([{ channel: 'whatsapp', template: 'casual_checkin' }]));
    await w.enroll(followUp, [b as string]);
    await w.enroll(checkin, [c as string]);
    await w.engine.tick();
    expect(meta.messages.slice(before).map((m) => [m.to, m.body.type])).toEqual([
      ['16505554001', 'template'],
      ['16505554000', 'template'],
      ['16505554001', 'text'],
    ]);
    expect(JSON.stringify(await w.timeline(c as string))).toContain('WhatsApp messaging tier reached');
    expect(JSON.stringify(await w.timeline(b as string))).not.toContain('WhatsApp messaging tier reached');
    const listed = (await w.ok('GET', '/v1/senders')).data as Record<string, unknown>[];
    expect(listed[0]?.whatsappLimits).toMatchObject({ messagingTier: 1, reachedLast24h: 1 });
  });

  it('the pair limit holds a second message to one person for 6 s', async () => {
    const w = await world();
    await metaAccount(w, { messagingTier: 'unlimited' });
    const [a] = await w.contactsByEmail(people('b', 1));
    const sequenceId = await w.sequence(
      instant([
        { channel: 'whatsapp', template: 'casual_checkin' },
        { channel: 'whatsapp', template: 'casual_checkin' },
      ]),
    );
    const before = meta.messages.length;
    await w.enroll(sequenceId, [a as string]);
    await w.engine.tick();
    expect(sentTo(before)).toEqual(['16505552000']);
    expect(JSON.stringify(await w.timeline(a as string))).toContain('WhatsApp pair limit');
    w.clock.advance(5999);
    await w.engine.tick();
    expect(sentTo(before)).toHaveLength(1);
    w.clock.advance(1);
    await w.engine.tick();
    expect(sentTo(before)).toHaveLength(2);
  });

  it('messages per second: over the limit waits for the next second', async () => {
    const w = await world();
    const senderId = await metaAccount(w, { messagingTier: 'unlimited', perSecondLimit: 2 });
    const contacts = await w.contactsByEmail(people('c', 3).map((p, i) => ({ ...p, phone: `+1650555300${i}` })));
    const sequenceId = await w.sequence(instant([{ channel: 'whatsapp', template: 'casual_checkin' }]));
    const before = meta.messages.length;
    await w.enroll(sequenceId, contacts);
    await w.engine.tick();
    expect(sentTo(before)).toHaveLength(2);
    const listed = (await w.ok('GET', '/v1/senders')).data as Record<string, unknown>[];
    expect(listed.find((s) => s.id === senderId)?.whatsappLimits).toMatchObject({
      perSecondLimit: 2,
      sentLastSecond: 2,
      messagingTier: 'unlimited',
      reachedLast24h: 2,
    });
    w.clock.advance(1000);
    await w.engine.tick();
    expect(sentTo(before)).toHaveLength(3);
  });

  it('a worker whose clock is behind counts what a worker ahead already sent in its second', async () => {
    // Workers' clocks differ: one 500 ms ahead sends the second's two; the world's worker, behind,
    // must see them although they are recorded "later" than its now (R-limits found a fifth of four).
    const w = await world();
    await metaAccount(w, { messagingTier: 'unlimited', perSecondLimit: 2 });
    const contacts = await w.contactsByEmail(people('k', 3).map((p, i) => ({ ...p, phone: `+1650555310${i}` })));
    const sequenceId = await w.sequence(instant([{ channel: 'whatsapp', template: 'casual_checkin' }]));
    const before = meta.messages.length;
    await w.enroll(sequenceId, contacts.slice(0, 2));
    const ahead = w.worker(manualClock(new Date(w.clock.now().getTime() + 500)));
    await ahead.tick();
    expect(sentTo(before)).toHaveLength(2);
    // A third person falls due now; the worker behind takes it.
    await w.enroll(sequenceId, contacts.slice(2));
    await w.engine.tick();
    expect(sentTo(before)).toHaveLength(2);
    w.clock.advance(1500);
    await w.engine.tick();
    expect(sentTo(before)).toHaveLength(3);
  });

  it('the API takes only Meta tiers, and only for WhatsApp accounts', async () => {
    const w = await world();
    const senderId = await metaAccount(w);
    const listed = (await w.ok('GET', '/v1/senders')).data as Record<string, unknown>[];
    expect(listed[0]?.whatsappLimits).toEqual({
      perSecondLimit: 80,
      sentLastSecond: 0,
      messagingTier: 250,
      reachedLast24h: 0,
      pairGapSeconds: 6,
    });
    expect(listed[0]).toMatchObject({ minGapSeconds: 0 });
    const raised = await w.ok('PATCH', `/v1/senders/${senderId}`, { messagingTier: 10_000 });
    expect(raised.whatsappLimits).toMatchObject({ messagingTier: 10_000 });
    const bad = await w.call('PATCH', `/v1/senders/${senderId}`, { messagingTier: 300 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("must be one of Meta's tiers: 250, 1000, 2000, 10000, 100000");
    const zero = await w.call('PATCH', `/v1/senders/${senderId}`, { perSecondLimit: 0 });
    expect(zero.status).toBe(400);
    const email = await w.call('POST', '/v1/senders', {
      channel: 'email',
      provider: 'sandbox',
      fromEmail: 'x@example.com',
      messagingTier: 'unlimited',
    });
    expect(email.status).toBe(400);
    expect(email.body).toMatchObject({
      error: { message: 'body.messagingTier: only WhatsApp accounts have this limit' },
    });
  });
});
