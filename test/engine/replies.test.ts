import { describe, expect, it } from 'vitest';
import { runEnrollment } from '../../src/engine/steps/runEnrollment.ts';
import { instant, world, type World } from '../support/world.ts';

const DAY = 86_400_000;
const threeDays = [
  { channel: 'email', template: 'intro', day: 0 },
  { channel: 'email', template: 'followup_1', day: 2 },
  { channel: 'email', template: 'breakup', day: 4 },
];

async function firstMessage(w: World, contactId: string) {
  const [message] = await w.messages(`&contactId=${contactId}`);
  return message as Record<string, unknown>;
}

describe('replies', () => {
  it('a reply stops the enrollment at once, is on the timeline, and nothing more goes out', async () => {
    const w = await world();
    const [a] = await w.contacts([{ email: 'ana@acme.example.com', firstName: 'Ana', timezone: 'UTC' }]);
    const sequenceId = await w.sequence(instant(threeDays));
    const { enrolled } = await w.enroll(sequenceId, [a as string]);
    await w.engine.tick();
    const message = await firstMessage(w, a as string);
    const res = await w.call('POST', `/v1/messages/${message.id}/replies`, {
      body: 'Sounds interesting — can we book a call on Thursday at 3pm?',
      subject: 'Re: hello',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ action: 'stopped' });
    expect(['meeting_request', 'interested']).toContain(res.body.intent);
    for (let d = 1; d <= 6; d++) {
      w.clock.advance(DAY);
      await w.engine.tick();
    }
    expect(await w.messages()).toHaveLength(1);
    expect(await w.enrollment(enrolled[0]?.enrollmentId as string)).toMatchObject({
      status: 'stopped',
      stopReason: 'replied',
    });
    const timeline = await w.timeline(a as string);
    const replied = timeline.find((t) => t.type === 'replied');
    expect(replied?.data.text).toBe('Sounds interesting — can we book a call on Thursday at 3pm?');
    expect(timeline.some((t) => t.type === 'handoff')).toBe(true);
    expect((await w.ok('GET', `/v1/contacts/${a}`)).status).toBe('handed_off');
  });

  it('a reply dated in the future is recorded at the time it arrived', async () => {
    const w = await world();
    const [a] = await w.contacts([{ email: 'ana@acme.example.com', firstName: 'Ana', timezone: 'UTC' }]);
    const sequenceId = await w.sequence(instant(threeDays));
    await w.enroll(sequenceId, [a as string]);
    await w.engine.tick();
    const message = await firstMessage(w, a as string);
    const outcome = await w.engine.receiveReply(w.workspaceId, {
      messageId: String(message.id),
      body: 'Thanks, we are interested.',
      source: 'api',
      receivedAt: new Date('2099-01-01T00:00:00Z'),
    });
    expect(outcome).toMatchObject({ action: 'stopped' });
    expect(await w.row('SELECT received_at FROM replies WHERE workspace_id = $1', [w.workspaceId])).toEqual([
      { received_at: w.clock.now() },
    ]);
  });

  it('out-of-office pauses until the return date, then resumes', async () => {
    const w = await world();
    const [a] = await w.contacts([{ email: 'ooo@acme.example.com', firstName: 'Olli', timezone: 'UTC' }]);
    const sequenceId = await w.sequence(instant(threeDays));
    const { enrolled } = await w.enroll(sequenceId, [a as string]);
    await w.engine.tick();
    const message = await firstMessage(w, a as string);
    const res = await w.ok('POST', `/v1/messages/${message.id}/replies`, {
      body: 'I am out of the office until March 16th with limited access to email.',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    expect(res).toMatchObject({ intent: 'out_of_office', action: 'paused', returnDate: '2026-03-16' });
    expect(await w.enrollment(enrolled[0]?.enrollmentId as string)).toMatchObject({
      status: 'paused',
      pausedUntil: '2026-03-16T00:00:00.000Z',
    });
    for (let d = 1; d <= 13; d++) {
      w.clock.advance(DAY);
      await w.engine.tick();
    }
    expect(await w.messages()).toHaveLength(1);
    w.clock.set(new Date('2026-03-16T09:00:00Z'));
    await w.engine.tick();
    const sent = await w.messages('&status=sent');
    expect(sent.map((m) => m.step)).toEqual([0, 1, 2]);
    expect((await w.timeline(a as string)).some((t) => t.type === 'resumed')).toBe(true);
  });

  it('out-of-office without a date pauses for 7 days', async () => {
    const w = await world();
    const [a] = await w.contacts([{ email: 'away@acme.example.com', timezone: 'UTC' }]);
    const sequenceId = await w.sequence(instant(threeDays));
    const { enrolled } = await w.enroll(sequenceId, [a as string]);
    await w.engine.tick();
    const message = await firstMessage(w, a as string);
    await w.ok('POST', `/v1/messages/${message.id}/replies`, {
      body: "I'm currently out of the office and will reply when I'm back.",
    });
    expect(await w.enrollment(enrolled[0]?.enrollmentId as string)).toMatchObject({
      status: 'paused',
      pausedUntil: '2026-03-09T09:00:00.000Z',
    });
  });

  it('an unsubscribe wish suppresses the contact on every channel, in every sequence', async () => {
    const w = await world();
    const [a] = await w.contacts([{ email: 'no@acme.example.com', phone: '+14155550100', timezone: 'UTC' }]);
    const first = await w.sequence(instant(threeDays));
    await w.enroll(first, [a as string]);
    await w.engine.tick();
    const message = await firstMessage(w, a as string);
    const res = await w.ok('POST', `/v1/messages/${message.id}/replies`, { body: 'Please remove me from your list.' });
    expect(res).toMatchObject({ intent: 'unsubscribe', action: 'unsubscribed' });
    expect((await w.ok('GET', `/v1/contacts/${a}`)).status).toBe('unsubscribed');
    // Enrolling elsewhere is refused, and even a forced enrollment never sends (checked at send time).
    const second = await w.sequence({ ...instant([{ channel: 'sms', template: 'intro' }]), name: 'second' });
    expect((await w.enroll(second, [a as string])).skipped).toEqual([
      { contactId: a, reason: 'contact is unsubscribed' },
    ]);
    await w.row(`UPDATE contacts SET status = 'contacted' WHERE id = $1`, [a]);
    const forced = await w.enroll(second, [a as string]);
    expect(forced.enrolled).toHaveLength(1);
    await w.engine.tick();
    expect(await w.messages()).toHaveLength(1);
    expect((await w.enrollment(forced.enrolled[0]?.enrollmentId as string)).stopReason).toBe('unsubscribed');
  });

  it('a reply racing a due step: the step goes out only if it was reserved before the reply', async () => {
    const w = await world();
    const ids = await w.contacts(
      Array.from({ length: 30 }, (_, i) => ({ email: `race${i}@acme.example.com`, timezone: 'UTC' })),
    );
    const sequenceId = await w.sequence(instant(threeDays));
    await w.enroll(sequenceId, ids);
    await w.engine.tick();
    w.clock.advance(2 * DAY + 60_000); // step 1 is due for everyone
    const firsts = await w.messages('&status=sent');
    const enrollments = await w.row<{ id: string; contact_id: string }>(
      'SELECT id, contact_id FROM enrollments WHERE sequence_id = $1',
      [sequenceId],
    );
    await Promise.all(
      enrollments.map(async (e) => {
        const message = firsts.find((m) => m.contactId === e.contact_id);
        await Promise.all([
          runEnrollment(w.engine.deps, { workspaceId: w.workspaceId, enrollmentId: e.id }),
          w.engine.receiveReply(w.workspaceId, {
            messageId: String(message?.id),
            body: 'Thanks, we are interested.',
            source: 'api',
          }),
        ]);
      }),
    );
    await w.engine.tick();
    w.clock.advance(3 * DAY);
    await w.engine.tick();
    const rows = await w.row<{ step: number; status: string; reserved_at: Date; stopped_at: Date }>(
      `SELECT m.step, m.status, m.reserved_at, e.stopped_at FROM messages m JOIN enrollments e ON e.id = m.enrollment_id
        WHERE m.sequence_id = $1 AND m.step > 0`,
      [sequenceId],
    );
    for (const row of rows) {
      // Only a step reserved before the stop may have gone out; a later one would be a bug.
      if (row.status === 'sent') expect(row.reserved_at.getTime()).toBeLessThanOrEqual(row.stopped_at.getTime());
      expect(row.step).toBe(1);
    }
    const states = await w.row('SELECT DISTINCT status FROM enrollments WHERE sequence_id = $1', [sequenceId]);
    expect(states).toEqual([{ status: 'stopped' }]);
  });

  it('rejects a reply to an unknown or foreign message and bad bodies', async () => {
    const w = await world();
    const other = await w.workspace('other');
    const [a] = await other.contacts([{ email: 'x@acme.example.com', timezone: 'UTC' }]);
    const seq = await other.sequence(instant([{ channel: 'email', template: 'intro' }]));
    await other.enroll(seq, [a as string]);
    await w.engine.tick();
    const foreign = await firstMessage(other, a as string);
    expect((await w.call('POST', `/v1/messages/${foreign.id}/replies`, { body: 'hi' })).status).toBe(404);
    expect(
      (await w.call('POST', `/v1/messages/00000000-0000-4000-8000-000000000000/replies`, { body: 'hi' })).status,
    ).toBe(404);
    const empty = await other.call('POST', `/v1/messages/${foreign.id}/replies`, { body: '' });
    expect(empty).toMatchObject({ status: 400 });
    expect(String((empty.body.error as Record<string, unknown>).message)).toBe('body.body: must not be empty');
    const extra = await other.call('POST', `/v1/messages/${foreign.id}/replies`, { body: 'hi', mood: 'happy' });
    expect(extra.status).toBe(400);
    expect(await other.messages()).toHaveLength(1);
  });
});

describe('pause, resume, stop by hand', () => {
  it('pauses, resumes and stops through the API', async () => {
    const w = await world();
    const [a] = await w.contacts([{ email: 'p@acme.example.com', timezone: 'UTC' }]);
    const sequenceId = await w.sequence(instant(threeDays));
    const { enrolled } = await w.enroll(sequenceId, [a as string]);
    const id = enrolled[0]?.enrollmentId as string;
    await w.engine.tick();
    expect(await w.ok('POST', `/v1/enrollments/${id}/pause`)).toMatchObject({ status: 'paused', nextRunAt: null });
    w.clock.advance(3 * DAY);
    await w.engine.tick();
    expect(await w.messages()).toHaveLength(1);
    expect((await w.call('POST', `/v1/enrollments/${id}/pause`, { until: '2020-01-01T00:00:00Z' })).status).toBe(409);
    expect(await w.ok('POST', `/v1/enrollments/${id}/resume`)).toMatchObject({ status: 'active' });
    await w.engine.tick();
    expect(await w.messages('&status=sent')).toHaveLength(2);
    expect((await w.call('POST', `/v1/enrollments/${id}/resume`)).status).toBe(409);
    expect(await w.ok('POST', `/v1/enrollments/${id}/stop`)).toMatchObject({ status: 'stopped' });
    w.clock.advance(5 * DAY);
    await w.engine.tick();
    expect(await w.messages()).toHaveLength(2);
    const stopAgain = await w.call('POST', `/v1/enrollments/${id}/stop`);
    expect(stopAgain).toMatchObject({ status: 409 });
    expect((await w.call('POST', '/v1/enrollments/00000000-0000-4000-8000-000000000000/stop')).status).toBe(404);
  });
});
