// Call steps end to end against the local Twilio fake: a sequence with an SMS step and a call
// step — the call step becomes a task with a talk track (API and due time), click-to-call rings the
// rep and bridges the prospect through the fake, signed call statuses land on the task and the
// timeline once, and each outcome steers the sequence (interested hands off, not now pauses,
// not interested stops, do-not-call suppresses, wrong number clears the phone, voicemail goes on).
import { afterAll, describe, expect, it } from 'vitest';
import { dialTask, recordOutcome } from '../../src/engine/commands/tasks.ts';
import { seededRandom } from '../../src/core/random.ts';
import { startWebhookReceiver } from '../fakes/webhookReceiver.ts';
import { ALWAYS_OPEN, world, type World, type WorldOptions } from '../support/world.ts';
import { DAY, deliver, fakeTwilio, HOOK, NUMBER, PUBLIC_URL, tickPaced, twilioSender } from './twilioSupport.ts';

const REP = '+14155550999';

const twilio = fakeTwilio();

type Task = Record<string, unknown> & { id: string; talkTrack: string; status: string; enrollmentId: string };

async function callWorld(options: WorldOptions = {}) {
  // Monday 09:00 in Chicago: inside the sequence's window there.
  const w = await world({ publicUrl: PUBLIC_URL, start: new Date('2026-03-02T15:00:00Z'), ...options });
  const account = twilio.account();
  for (const channel of ['sms', 'call'] as const)
    await twilioSender(w, twilio, { channel, fromPhone: NUMBER, credentials: account });
  const sequenceId = await w.sequence({
    name: 'sms then call',
    steps: [
      { day: 0, channel: 'sms', template: 'intro' },
      { day: 1, channel: 'call', template: 'discovery_call' },
      { day: 3, channel: 'email', template: 'followup_1' },
    ],
    schedule: { ...ALWAYS_OPEN, start: '08:00', end: '17:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
    callOwner: { phone: REP, name: 'Riley' },
  });
  return { w, account, sequenceId };
}

/** Enrolls one contact per entry and runs to the call step (day 1); returns their tasks by contact. */
async function toCallStep(
  w: World,
  sequenceId: string,
  count: number,
): Promise<{ contactIds: string[]; tasks: Task[] }> {
  const contactIds = await w.contacts(
    Array.from({ length: count }, (_, i) => ({
      email: `lead${i}@globex.example`,
      phone: `+1415555020${i}`,
      firstName: `Lead${i}`,
      company: 'Globex',
      title: 'VP Operations',
      smsOptIn: true,
      timezone: 'America/Chicago',
      enrichment: { painPoints: ['manual route planning'] },
    })),
  );
  await w.enroll(sequenceId, contactIds);
  await tickPaced(w);
  w.clock.advance(DAY + 60_000);
  await w.engine.tick();
  const tasks = (await w.ok('GET', '/v1/tasks?limit=100')).data as Task[];
  return { contactIds, tasks: contactIds.map((id) => tasks.find((t) => t.contactId === id) as Task) };
}

describe('call steps through Twilio', () => {
  it('a call step becomes a task with a talk track; click-to-call bridges through Twilio; statuses land once', async () => {
    const { w, account, sequenceId } = await callWorld();
    const { contactIds, tasks } = await toCallStep(w, sequenceId, 1);
    const [task] = tasks;
    if (!task) throw new Error(`no task: ${JSON.stringify(await w.timeline(contactIds[0] as string))}`);
    expect(task).toMatchObject({
      status: 'open',
      phone: '+14155550200',
      timezone: 'America/Chicago',
      owner: { phone: REP, name: 'Riley' },
      reason: expect.stringContaining('discovery call: step 2 of 3'),
      contact: { name: 'Lead0', company: 'Globex' },
      localTime: expect.stringContaining('America/Chicago'),
    });
    for (const part of ['Opener:', 'Discovery questions:', 'Objection handling:', 'If it goes to voicemail'])
      expect(task.talkTrack).toContain(part);
    // Due at the end of the contact's business day (17:00 in Chicago = 23:00 UTC in March).
    expect(task.dueAt).toBe('2026-03-03T23:00:00.000Z');
    expect(await w.messages('&channel=call')).toEqual([]);
    // Due today (the workspace's day, UTC): counted on Home until its outcome is logged.
    expect((await w.ok('GET', '/v1/home')).tasksDue).toBe(1);
    expect((await w.ok('GET', `/v1/tasks/${task.id}`)).talkTrack).toBe(task.talkTrack);

    const called = await w.ok('POST', `/v1/tasks/${task.id}/call`, {});
    const call = twilio.calls.at(-1);
    expect(call).toMatchObject({
      accountSid: account.accountSid,
      to: REP,
      from: NUMBER,
      statusCallback: HOOK,
      record: false,
    });
    expect(call?.twiml).toBe(`<Response><Dial callerId="${NUMBER}"><Number>+14155550200</Number></Dial></Response>`);
    expect(call?.statusCallbackEvents).toEqual(['initiated', 'ringing', 'answered', 'completed']);
    expect(called).toMatchObject({ status: 'calling', call: { sid: call?.sid, status: 'queued' } });
    for (const status of ['initiated', 'ringing', 'in-progress', 'completed', 'completed'])
      expect((await deliver(w, twilio.callStatus(call?.sid as string, status, 42))).statusCode).toBe(200);
    const after = await w.ok('GET', `/v1/tasks/${task.id}`);
    expect(after.call).toMatchObject({ status: 'completed' });
    const timeline = (await w.timeline(contactIds[0] as string)).filter((e) => e.type === 'call');
    expect(timeline.filter((e) => e.summary.startsWith('Call completed'))).toHaveLength(1);

    // The outcome moves the sequence at once: voicemail goes on to the email step (due on day 3).
    const logged = await w.ok('POST', `/v1/tasks/${task.id}/outcome`, { outcome: 'voicemail', note: 'left a message' });
    expect(logged).toMatchObject({ status: 'done', outcome: 'voicemail', note: 'left a message' });
    expect((await w.ok('GET', '/v1/home')).tasksDue).toBe(0);
    expect((await w.call('POST', `/v1/tasks/${task.id}/outcome`, { outcome: 'no_answer' })).status).toBe(409);
    expect((await w.call('POST', `/v1/tasks/${task.id}/call`, {})).status).toBe(409);
    w.clock.advance(2 * DAY);
    await w.engine.tick();
    expect((await w.messages('&channel=email')).map((m) => m.step)).toEqual([2]);
    const types = (await w.timeline(contactIds[0] as string)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['task', 'call', 'call_outcome']));
  });

  it('outcomes steer the sequence', async () => {
    const { w, sequenceId } = await callWorld();
    const { contactIds, tasks } = await toCallStep(w, sequenceId, 5);
    const outcome = (i: number, body: Record<string, unknown>) =>
      w.ok('POST', `/v1/tasks/${tasks[i]?.id}/outcome`, body);
    const enrollment = (i: number) => w.enrollment(tasks[i]?.enrollmentId as string);
    await outcome(0, { outcome: 'connected_interested', note: 'wants a demo' });
    expect(await enrollment(0)).toMatchObject({ status: 'stopped', stopReason: 'replied' });
    // A hand-off of its own (GET /v1/handoffs, the dashboard's tasks), which moves the contact on to handed_off.
    expect((await w.ok('GET', `/v1/contacts/${contactIds[0]}`)).status).toBe('handed_off');
    expect((await w.ok('GET', `/v1/handoffs?contactId=${contactIds[0]}`)).data).toMatchObject([
      { source: 'call', sourceRef: tasks[0]?.id, intent: 'interested', summary: { note: 'wants a demo' } },
    ]);
    expect((await w.timeline(contactIds[0] as string)).some((e) => e.type === 'handoff')).toBe(true);
    const handoffs = (await w.ok('GET', '/v1/handoffs')).data;
    expect(handoffs).toEqual([
      expect.objectContaining({
        contactId: contactIds[0],
        source: 'call',
        intent: 'interested',
        summary: expect.objectContaining({ note: 'wants a demo' }),
      }),
    ]);
    await outcome(1, { outcome: 'connected_not_now', returnDate: '2026-04-01' });
    expect(await enrollment(1)).toMatchObject({ status: 'paused', pausedUntil: '2026-04-01T05:00:00.000Z' });
    await outcome(2, { outcome: 'connected_not_interested' });
    expect(await enrollment(2)).toMatchObject({ status: 'stopped' });
    expect((await w.ok('GET', `/v1/contacts/${contactIds[2]}`)).status).toBe('not_interested');
    await outcome(3, { outcome: 'do_not_call', alsoSms: true });
    expect((await w.row('SELECT channel FROM suppressions ORDER BY channel')).map((r) => r.channel)).toEqual([
      'call',
      'sms',
    ]);
    expect((await w.ok('GET', `/v1/contacts/${contactIds[3]}`)).smsOptIn).toBe(false);
    await outcome(4, { outcome: 'wrong_number' });
    expect((await w.ok('GET', `/v1/contacts/${contactIds[4]}`)).phone).toBeNull();
    const analytics = await w.ok('GET', `/v1/analytics/sequences/${sequenceId}`);
    expect(analytics.calls).toMatchObject({ connected_interested: 1, connected_not_now: 1, wrong_number: 1 });
  });

  it('takes one new call a second per account: a faster click gets 429, a second later it rings', async () => {
    const { w, sequenceId } = await callWorld();
    const { tasks } = await toCallStep(w, sequenceId, 2);
    const before = twilio.calls.length;
    expect((await w.call('POST', `/v1/tasks/${tasks[0]?.id}/call`, {})).status).toBe(200);
    const fast = await w.call('POST', `/v1/tasks/${tasks[1]?.id}/call`, {});
    expect(fast.status).toBe(429);
    expect(fast.body.error).toMatchObject({
      code: 'rate_limited',
      message: expect.stringContaining('1 call a second'),
    });
    expect(twilio.calls.length).toBe(before + 1);
    expect((await w.ok('GET', `/v1/tasks/${tasks[1]?.id}`)).status).toBe('open');
    w.clock.advance(999);
    expect((await w.call('POST', `/v1/tasks/${tasks[1]?.id}/call`, {})).status).toBe(429);
    w.clock.advance(1);
    expect((await w.ok('POST', `/v1/tasks/${tasks[1]?.id}/call`, {})).status).toBe('calling');
    expect(twilio.calls.length).toBe(before + 2);
  });

  it('a task for a named user (callOwner.userId) is theirs: another member gets 403; they and the workspace owner may act', async () => {
    const { w, sequenceId } = await callWorld();
    const { tasks } = await toCallStep(w, sequenceId, 1);
    const id = tasks[0]?.id as string;
    const riley = '0190c0de-0000-7000-8000-0000000000a1';
    await w.row(`UPDATE tasks SET owner = $2 WHERE id = $1`, [id, { userId: riley, phone: REP, name: 'Riley' }]);
    const member = (memberId: string, role: 'owner' | 'member' = 'member') => ({
      kind: 'member' as const,
      memberId,
      role,
    });
    const other = member('0190c0de-0000-7000-8000-0000000000b2');
    const dial = await dialTask(w.engine.deps, w.workspaceId, { taskId: id, actor: other });
    expect(dial).toEqual({
      refused: 403,
      code: 'forbidden',
      message: "this call task is Riley's (the sequence's callOwner): only they or the workspace owner can call it",
    });
    const log = await recordOutcome(w.engine.deps, w.workspaceId, { taskId: id, outcome: 'voicemail', actor: other });
    expect(log).toMatchObject({ refused: 403, message: expect.stringContaining('log its outcome') });
    expect((await w.ok('GET', `/v1/tasks/${id}`)).status).toBe('open');
    // An unknown task stays 404 whoever asks.
    const missing = await dialTask(w.engine.deps, w.workspaceId, { taskId: riley, actor: other });
    expect(missing).toMatchObject({ refused: 404 });
    // Riley may call; the workspace owner may log the outcome (an API key has the owner's rights).
    expect(await dialTask(w.engine.deps, w.workspaceId, { taskId: id, actor: member(riley) })).toMatchObject({
      status: 'calling',
    });
    const owner = member('0190c0de-0000-7000-8000-0000000000c3', 'owner');
    expect(
      await recordOutcome(w.engine.deps, w.workspaceId, { taskId: id, outcome: 'voicemail', actor: owner }),
    ).toMatchObject({
      status: 'done',
    });
  });

  it('refuses bad task requests precisely', async () => {
    const { w, sequenceId } = await callWorld();
    const { tasks } = await toCallStep(w, sequenceId, 1);
    const id = tasks[0]?.id as string;
    const bad = [
      await w.call('POST', `/v1/tasks/${id}/outcome`, { outcome: 'maybe' }),
      await w.call('POST', `/v1/tasks/${id}/outcome`, { outcome: 'voicemail', returnDate: '2026-04-01' }),
      await w.call('POST', `/v1/tasks/${id}/outcome`, { outcome: 'connected_not_now', returnDate: 'soon' }),
      await w.call('POST', `/v1/tasks/${id}/call`, { repPhone: '555-1234' }),
      await w.call('GET', '/v1/tasks?cursor=nonsense'),
    ];
    expect(bad.map((r) => r.status)).toEqual([400, 400, 400, 400, 400]);
    expect(bad.every((r) => typeof (r.body.error as { message: string }).message === 'string')).toBe(true);
    expect((await w.call('GET', '/v1/tasks/0190c0de-0000-7000-8000-000000000000')).status).toBe(404);
    twilio.failNext.push({ status: 429, code: 20429, message: 'Too Many Requests' });
    const limited = await w.call('POST', `/v1/tasks/${id}/call`, {});
    expect(limited.status).toBe(429);
    expect((await w.ok('GET', `/v1/tasks/${id}`)).status).toBe('open');
  });

  it('task.created and task.completed reach webhooks, written with the change', async () => {
    const { w, sequenceId } = await callWorld({ outbound: { allowHosts: ['127.0.0.1'], random: seededRandom('t') } });
    const receiver = await startWebhookReceiver({ now: () => w.clock.now() });
    afterAll(() => receiver.close());
    const hook = await w.ok('POST', '/v1/webhooks', {
      url: receiver.url,
      events: ['task.created', 'task.completed', 'contact.handed_off'],
    });
    receiver.state.secrets.push(hook.secret as string);
    const { contactIds, tasks } = await toCallStep(w, sequenceId, 1);
    const task = tasks[0] as Task;
    // The event row is written by the statement that created the task: same transaction, same id.
    const [created] = await w.row<{ data: { task: { id: string } } }>(
      `SELECT data FROM outbound_events WHERE type = 'task.created'`,
    );
    expect(created?.data.task.id).toBe(task.id);
    // A refused outcome writes no event.
    expect((await w.call('POST', `/v1/tasks/${task.id}/outcome`, { outcome: 'bogus' })).status).toBe(400);
    expect(await w.row(`SELECT 1 FROM outbound_events WHERE type = 'task.completed'`)).toHaveLength(0);
    await w.ok('POST', `/v1/tasks/${task.id}/outcome`, { outcome: 'connected_interested', note: 'wants a demo' });
    await w.engine.outbound.deliverDue();
    expect(receiver.state.requests.every((r) => r.verified)).toBe(true);
    const byType = new Map(receiver.state.accepted.map((a) => [a.payload.type, a.payload.data]));
    expect([...byType.keys()].sort()).toEqual(['contact.handed_off', 'task.completed', 'task.created']);
    expect(byType.get('task.created')).toMatchObject({
      contact: { id: contactIds[0], email: 'lead0@globex.example' },
      task: { id: task.id, kind: 'call', status: 'open', step: 1, outcome: null },
    });
    expect(byType.get('task.completed')).toMatchObject({
      contact: { id: contactIds[0] },
      task: { id: task.id, status: 'done', outcome: 'connected_interested', note: 'wants a demo' },
    });
    expect(byType.get('contact.handed_off')).toMatchObject({ handoff: { source: 'call' } });
    expect(await w.engine.outbound.deliverDue()).toBe(0);
  });
});
