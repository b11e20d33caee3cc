// Hand-offs: a positive reply becomes one hand-off with the contact's summary, assigned by the
// workspace rule, visible in the API, acknowledged, reminded about once its SLA passes, and sent
// to webhook receivers as contact.handed_off.
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { insertMember } from '../../src/db/members.ts';
import { startWebhookReceiver } from '../fakes/webhookReceiver.ts';
import { instant, world, type World } from '../support/world.ts';

async function members(w: World, people: { email: string; name: string; role: 'owner' | 'member' }[]) {
  const ids: string[] = [];
  for (const p of people)
    ids.push(
      (
        await w.db.tenant(w.workspaceId, (sql) =>
          insertMember(sql, { ...p, workspaceId: w.workspaceId, passwordHash: 'x' }),
        )
      ).id,
    );
  return ids;
}

async function replyFrom(w: World, contact: Record<string, unknown>, body: string) {
  const [id] = await w.contactsByEmail([{ timezone: 'UTC', ...contact }]);
  const sequenceId = await w.sequence(
    instant([{ channel: 'email', template: 'intro' }], { name: `s-${contact.email}` }),
  );
  await w.enroll(sequenceId, [id as string]);
  await w.engine.tick();
  const [message] = await w.messages(`&contactId=${id}`);
  await w.ok('POST', `/v1/messages/${message?.id}/replies`, { body });
  return id as string;
}

describe('hand-offs', () => {
  it('a positive reply becomes one hand-off with the summary, assigned to the owner, handed_off stage', async () => {
    const w = await world({ publicUrl: 'https://qh.example.com' });
    const [ownerId] = await members(w, [
      { email: 'olga@team.example.com', name: 'Olga', role: 'owner' },
      { email: 'max@team.example.com', name: 'Max', role: 'member' },
    ]);
    const contactId = await replyFrom(
      w,
      {
        email: 'ana@acme.example.com',
        firstName: 'Ana',
        company: 'Acme',
        enrichment: { painPoints: ['slow onboarding'] },
      },
      'Sounds interesting, can we talk Thursday?',
    );
    const { data } = await w.ok('GET', '/v1/handoffs');
    expect(data).toHaveLength(1);
    const handoff = data?.[0] as {
      dueAt: string;
      summary: { who: unknown; company: unknown; facts: unknown; conversation: { direction: string }[] };
    };
    expect(handoff).toMatchObject({
      contactId,
      source: 'reply',
      status: 'open',
      contactUrl: `https://qh.example.com/contacts/${contactId}`,
      assignee: { id: ownerId, email: 'olga@team.example.com' },
    });
    expect(handoff.summary.who).toMatchObject({ name: 'Ana', email: 'ana@acme.example.com' });
    expect(handoff.summary.company).toMatchObject({ name: 'Acme' });
    expect(handoff.summary.facts).toMatchObject({ painPoints: ['slow onboarding'] });
    expect(handoff.summary.conversation.map((l) => l.direction)).toEqual(['out', 'in']);
    expect(new Date(handoff.dueAt).getTime() - w.clock.now().getTime()).toBe(30 * 60_000);
    expect((await w.ok('GET', `/v1/contacts/${contactId}`)).status).toBe('handed_off');
    // The reply job running again (a retried job) makes no second hand-off.
    expect((await w.ok('GET', '/v1/handoffs')).data).toHaveLength(1);
  });

  it('round robin and territories assign in turn; no reply hand-off for a negative reply', async () => {
    const w = await world();
    const [, a, b] = await members(w, [
      { email: 'o@t.example.com', name: 'O', role: 'owner' },
      { email: 'a@t.example.com', name: 'A', role: 'member' },
      { email: 'b@t.example.com', name: 'B', role: 'member' },
    ]);
    await w.ok('PUT', '/v1/handoffs/settings', {
      rule: 'territory',
      territories: [{ tag: 'emea', memberId: b }],
      slaMinutes: 5,
    });
    const emea = await replyFrom(w, { email: 'e@x.example.com', tags: ['emea'] }, 'Interested, tell me more please');
    await replyFrom(w, { email: 'n@x.example.com' }, 'Not interested, thanks.');
    const one = await replyFrom(w, { email: 'p@x.example.com' }, 'Interested, tell me more please');
    const two = await replyFrom(w, { email: 'q@x.example.com' }, 'Interested, tell me more please');
    const list = (await w.ok('GET', '/v1/handoffs?limit=10')).data as { contactId: string; assignee: { id: string } }[];
    expect(list).toHaveLength(3);
    const by = (id: string) => list.find((h) => h.contactId === id)?.assignee.id;
    expect(by(emea)).toBe(b);
    expect([by(one), by(two)].sort()).not.toEqual([by(one), by(one)]);
    expect(a).toBeDefined();
    const bad = await w.call('PUT', '/v1/handoffs/settings', {
      rule: 'territory',
      territories: [{ tag: 'x', memberId: emea }],
    });
    expect(bad.status).toBe(400);
    expect((await w.call('PUT', '/v1/handoffs/settings', { rule: 'dice' })).status).toBe(400);
  });

  it('an unacknowledged hand-off is reminded about once its SLA passes; acknowledged ones are not', async () => {
    const w = await world({ outbound: { allowHosts: ['127.0.0.1'], random: seededRandom('h') } });
    const receiver = await startWebhookReceiver({ now: () => w.clock.now() });
    afterAll(() => receiver.close());
    const hook = await w.ok('POST', '/v1/webhooks', {
      url: receiver.url,
      events: ['contact.handed_off', 'handoff.reminder'],
    });
    receiver.state.secrets.push(hook.secret as string);
    const first = await replyFrom(w, { email: 'r1@x.example.com' }, 'Interested, tell me more please');
    await replyFrom(w, { email: 'r2@x.example.com' }, 'Interested, tell me more please');
    await w.engine.outbound.deliverDue();
    expect(receiver.state.accepted.map((a) => a.payload.type)).toEqual(['contact.handed_off', 'contact.handed_off']);
    expect(receiver.state.accepted[0]?.payload.data).toMatchObject({ contact: { email: expect.any(String) } });
    const list = (await w.ok('GET', '/v1/handoffs')).data as { id: string; contactId: string }[];
    const acknowledged = list.find((h) => h.contactId === first)?.id as string;
    expect(await w.ok('POST', `/v1/handoffs/${acknowledged}/acknowledge`)).toMatchObject({ status: 'acknowledged' });
    expect((await w.call('POST', `/v1/handoffs/${acknowledged}/acknowledge`)).status).toBe(409);
    w.clock.advance(31 * 60_000);
    await w.engine.outbound.deliverDue();
    await w.engine.outbound.deliverDue();
    const reminders = receiver.state.accepted.filter((a) => a.payload.type === 'handoff.reminder');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.payload.data).toMatchObject({ contact: { email: 'r2@x.example.com' } });
  });

  it('manual hand-off, and bad input answered precisely', async () => {
    const w = await world();
    const [id] = await w.contacts([{ email: 'm@x.example.com' }]);
    const created = await w.call('POST', '/v1/handoffs', { contactId: id, note: 'Met at the fair' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ source: 'manual', assignee: null, summary: { note: 'Met at the fair' } });
    expect((await w.call('POST', '/v1/handoffs', { contactId: '00000000-0000-4000-8000-000000000000' })).status).toBe(
      404,
    );
    expect((await w.call('POST', '/v1/handoffs', { contactId: 'nope' })).status).toBe(400);
    expect((await w.call('GET', '/v1/handoffs?status=closed')).status).toBe(400);
    expect((await w.call('GET', '/v1/handoffs/nope')).status).toBe(400);
  });
});

describe('stage sync', () => {
  it('a completed sequence leaves the contact unreachable (a stage_changed event); a later reply moves it on', async () => {
    const w = await world({ outbound: { allowHosts: ['127.0.0.1'], random: seededRandom('s') } });
    const receiver = await startWebhookReceiver({ now: () => w.clock.now() });
    afterAll(() => receiver.close());
    const hook = await w.ok('POST', '/v1/webhooks', { url: receiver.url, events: ['contact.stage_changed'] });
    receiver.state.secrets.push(hook.secret as string);
    const id = await replyFrom(w, { email: 's@x.example.com' }, 'Interested, tell me more please');
    await w.engine.outbound.deliverDue();
    const moves = receiver.state.accepted.map((a) => `${String(a.payload.data.from)}→${String(a.payload.data.to)}`);
    // Deliveries are concurrent: receivers order by the payload's timestamp, not by arrival.
    expect(moves.sort()).toEqual(
      ['new→contacted', 'contacted→unreachable', 'unreachable→interested', 'interested→handed_off'].sort(),
    );
    expect((await w.ok('GET', `/v1/contacts/${id}`)).status).toBe('handed_off');
  });
});
