// The inbox, tasks and home read models behind the dashboard: GET /v1/replies with the
// conversation, the reply actions, open hand-offs, today's summary, contact search, a sequence's
// enrollments with pause/resume all, and the daily analytics.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { instant, world } from '../support/world.ts';

async function repliedWorld() {
  const w = await world();
  const [ana, ben] = await w.contacts([
    { email: 'ana@acme.example.com', firstName: 'Ana', company: 'Acme', phone: '+4915112345678', tags: ['q2'] },
    { email: 'ben@beta.example.com', firstName: 'Ben', company: 'Beta', tags: ['q2', 'warm'] },
  ]);
  const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }], { name: 'Spring' }));
  await w.enroll(sequenceId, [ana as string, ben as string]);
  await w.engine.tick();
  const messages = await w.messages();
  const messageOf = (contactId: string) => String(messages.find((m) => m.contactId === contactId)?.id);
  const reply = async (contactId: string, body: string) =>
    (await w.ok('POST', `/v1/messages/${messageOf(contactId)}/replies`, { body })).replyId as string;
  return { w, ana: ana as string, ben: ben as string, sequenceId, reply };
}

describe('GET /v1/replies', () => {
  it('lists every reply newest first with intent, contact and sequence; one reply has its conversation', async () => {
    const { w, ana, ben, reply } = await repliedWorld();
    const first = await reply(ana, "Yes, I'm interested — can we talk on Tuesday?");
    w.clock.advance(60_000);
    const second = await reply(ben, 'Not right now, maybe next quarter.');
    const list = await w.ok('GET', '/v1/replies');
    expect((list.data as { id: string }[]).map((r) => r.id)).toEqual([second, first]);
    expect(list.data?.[1]).toMatchObject({
      intent: 'interested',
      channel: 'email',
      sequenceName: 'Spring',
      contact: { name: 'Ana', email: 'ana@acme.example.com', company: 'Acme' },
      lastAction: null,
    });
    const one = await w.ok('GET', `/v1/replies/${first}`);
    expect((one.conversation as { kind: string }[]).map((e) => e.kind)).toEqual(['message', 'reply']);
    expect((await w.ok('GET', '/v1/replies?intent=not_now')).data).toHaveLength(1);
    const page = await w.ok('GET', '/v1/replies?limit=1');
    const next = await w.ok('GET', `/v1/replies?limit=1&cursor=${String(page.nextCursor)}`);
    expect((next.data as { id: string }[])[0]?.id).toBe(first);
    expect((await w.call('GET', `/v1/replies/${randomUUID()}`)).status).toBe(404);
    expect((await w.call('GET', '/v1/replies?cursor=nope')).status).toBe(400);
    expect((await w.call('GET', '/v1/replies?intent=happy')).status).toBe(400);
  });

  it('hands off, snoozes until a date (back in "waiting" then), unsubscribes, records outcomes', async () => {
    const { w, ana, ben, reply } = await repliedWorld();
    const positive = await reply(ana, "Yes, I'm interested — can we talk on Tuesday?");
    const later = await reply(ben, 'Not right now, maybe next quarter.');
    const waiting = async () =>
      ((await w.ok('GET', '/v1/replies?waiting=true')).data as { id: string }[]).map((r) => r.id);
    expect((await waiting()).sort()).toEqual([positive, later].sort());
    expect((await w.ok('GET', '/v1/home')).repliesWaiting).toBe(2);

    // A positive reply was handed off by the engine already: one open hand-off in Tasks.
    const open = await w.ok('GET', '/v1/activities?type=handoff&open=true');
    expect(open.data).toEqual([
      expect.objectContaining({
        contactId: ana,
        type: 'handoff',
        outcome: null,
        contact: expect.objectContaining({ phone: '+4915112345678' }),
      }),
    ]);
    const handed = await w.ok('POST', `/v1/replies/${positive}/handoff`, { note: 'Wants a demo' });
    expect(handed).toMatchObject({ action: { action: 'handoff', data: { note: 'Wants a demo' } } });
    expect((await w.ok('GET', '/v1/activities?type=handoff')).data).toHaveLength(1); // not a second one

    const past = await w.call('POST', `/v1/replies/${later}/snooze`, { until: '2026-03-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(JSON.stringify(past.body)).toContain('until must be in the future');
    expect((await w.call('POST', `/v1/replies/${later}/snooze`, { until: 'soon' })).status).toBe(400);
    await w.ok('POST', `/v1/replies/${later}/snooze`, { until: '2026-06-01T09:00:00Z' });
    expect(await waiting()).toEqual([]);
    w.clock.set(new Date('2026-06-01T09:00:01Z'));
    expect(await waiting()).toEqual([later]);
    expect((await w.timeline(ben)).map((a) => a.type)).toContain('snoozed');

    await w.ok('POST', `/v1/replies/${later}/handoff`, {});
    expect((await w.ok('GET', `/v1/contacts/${ben}`)).status).toBe('handed_off');
    expect((await w.ok('GET', '/v1/activities?type=handoff&open=true')).data).toHaveLength(2);
    await w.ok('POST', `/v1/replies/${positive}/outcome`, { outcome: 'meeting_booked', note: 'Thu 10:00' });
    expect((await w.ok('GET', '/v1/activities?type=handoff&open=true')).data).toHaveLength(1);
    expect((await w.call('POST', `/v1/replies/${positive}/outcome`, { outcome: 'great' })).status).toBe(400);

    await w.ok('POST', `/v1/replies/${later}/unsubscribe`, {});
    expect((await w.ok('GET', `/v1/contacts/${ben}`)).status).toBe('unsubscribed');
    const again = await w.enroll(await w.sequence(instant([{ channel: 'email', template: 'intro' }])), [ben]);
    expect(again.skipped).toEqual([{ contactId: ben, reason: 'contact is unsubscribed' }]);
    expect((await w.call('POST', `/v1/replies/${randomUUID()}/handoff`, {})).status).toBe(404);
  });
});

describe('home, search and sequence views', () => {
  it('summarises today: sent per channel, replies waiting, hand-offs, accounts near their cap', async () => {
    const { w } = await repliedWorld();
    await w.ok('POST', '/v1/senders', {
      channel: 'email',
      provider: 'smtp',
      fromEmail: 'paused@acme.example.com',
      fromName: 'Sam Rivera',
      credentials: { host: 'smtp.acme.example.com', port: 587, secure: false, user: 'u', pass: 'p' },
    });
    const id = ((await w.ok('GET', '/v1/senders')).data as { id: string }[])[0]?.id;
    await w.ok('PATCH', `/v1/senders/${String(id)}`, { status: 'paused' });
    const home = await w.ok('GET', '/v1/home');
    expect(home).toMatchObject({
      day: '2026-03-02',
      timezone: 'UTC',
      sentToday: [{ channel: 'email', sent: 2 }],
      repliesWaiting: 0,
      handoffsOpen: 0,
      counts: { contacts: 2, sequences: 1, accounts: 1 },
    });
    expect(home.accountsNeedingAttention).toEqual([
      expect.objectContaining({ id, status: 'paused', name: 'paused@acme.example.com' }),
    ]);
  });

  it('counts open hand-offs as GET /v1/handoffs does: reply and manual ones, until acknowledged', async () => {
    const { w, ana, ben, reply } = await repliedWorld();
    await reply(ana, "Yes, I'm interested — can we talk on Tuesday?");
    await w.ok('POST', '/v1/handoffs', { contactId: ben, note: 'Met at the fair' });
    const openHandoffs = async () => (await w.ok('GET', '/v1/handoffs?status=open')).data as { id: string }[];
    const open = await openHandoffs();
    expect(open).toHaveLength(2);
    expect((await w.ok('GET', '/v1/home')).handoffsOpen).toBe(2);
    await w.ok('POST', `/v1/handoffs/${String(open[0]?.id)}/acknowledge`, {});
    expect(await openHandoffs()).toHaveLength(1);
    expect((await w.ok('GET', '/v1/home')).handoffsOpen).toBe(1);
  });

  it('searches contacts by text, tag, status and reachability; lists tags', async () => {
    const { w } = await repliedWorld();
    const names = async (query: string) =>
      ((await w.ok('GET', `/v1/contacts/search?${query}`)).data as { firstName: string }[]).map((c) => c.firstName);
    expect(await names('q=acme')).toEqual(['Ana']);
    expect(await names('q=%25')).toEqual([]);
    expect(await names('tag=warm')).toEqual(['Ben']);
    expect(await names('reachable=phone')).toEqual(['Ana']);
    expect(await names('reachable=whatsapp')).toEqual([]);
    expect(await names('status=new')).toEqual([]);
    expect((await w.call('GET', '/v1/contacts/search?reachable=pigeon')).status).toBe(400);
    expect((await w.ok('GET', '/v1/tags')).data).toEqual([
      { tag: 'q2', contacts: 2 },
      { tag: 'warm', contacts: 1 },
    ]);
  });

  it("lists a sequence's enrollments, pauses and resumes them all, and counts per day", async () => {
    const w = await world();
    const ids = await w.contacts([{ email: 'a@x.example.com' }, { email: 'b@x.example.com' }]);
    const sequenceId = await w.sequence(
      instant([
        { channel: 'email', template: 'intro' },
        { channel: 'email', template: 'followup_1', day: 3 },
      ]),
    );
    await w.enroll(sequenceId, ids);
    await w.engine.tick();
    const listed = await w.ok('GET', `/v1/sequences/${sequenceId}/enrollments`);
    expect(listed.counts).toEqual({ active: 2 });
    expect(listed.data?.[0]).toMatchObject({ status: 'active', currentStep: 1 });
    expect(await w.ok('POST', `/v1/sequences/${sequenceId}/enrollments/pause`, {})).toEqual({ changed: 2 });
    w.clock.advance(4 * 86_400_000);
    await w.engine.tick();
    expect(await w.messages()).toHaveLength(2); // nothing went out while paused
    expect(await w.ok('POST', `/v1/sequences/${sequenceId}/enrollments/resume`, {})).toEqual({ changed: 2 });
    await w.engine.tick();
    expect(await w.messages()).toHaveLength(4);
    const daily = await w.ok('GET', `/v1/analytics/sequences/${sequenceId}/daily`);
    expect(daily.days).toEqual([
      { day: '2026-03-02', sent: 2, opened: 0, clicked: 0, replied: 0 },
      { day: '2026-03-06', sent: 2, opened: 0, clicked: 0, replied: 0 },
    ]);
    expect((await w.call('POST', `/v1/sequences/${randomUUID()}/enrollments/pause`, {})).status).toBe(404);
    expect((await w.call('GET', `/v1/analytics/sequences/${randomUUID()}/daily`)).status).toBe(404);
  });
});
