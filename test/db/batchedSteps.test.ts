// The batched reserve and record statements (migration 009) on real PostgreSQL: a batch of
// reservations runs each item as it would run alone (caps counted across the batch, one bad item
// failing alone), and a batch of recorded sends likewise.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { claimAndReserve, recordSent, type ClaimInput } from '../../src/db/reservations.ts';
import { ItemFailed } from '../../src/db/coalesce.ts';
import { uuidv7 } from '../../src/db/uuidv7.ts';
import { recordCompletion } from '../../src/db/completions.ts';
import type { Db } from '../../src/db/database.ts';
import { instant, MONDAY_9AM, world } from '../support/world.ts';

/** A workspace with one email account (daily cap `daily`) and `n` contacts enrolled in a one-step sequence. */
async function enrolled(n: number, daily: number) {
  const w = await world();
  const ids = await w.contacts(
    Array.from({ length: n }, (_, i) => ({ email: `p${i}@co${i}.example.com`, firstName: `P${i}`, timezone: 'UTC' })),
  );
  const sender = await w.ok('POST', '/v1/senders', {
    channel: 'email',
    provider: 'http',
    fromEmail: 'seller@ours.example.com',
    fromName: 'Sam Rivera',
    credentials: { url: 'http://127.0.0.1:9/messages' },
    dailyLimit: daily,
    hourlyLimit: null,
    minGapSeconds: 0,
    warmup: null,
  });
  const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
  const { enrolled } = await w.enroll(sequenceId, ids);
  const senderId = String(sender.id);
  const claim = (e: { contactId: string; enrollmentId: string }, i: number): ClaimInput => ({
    id: randomUUID(),
    workspaceId: w.workspaceId,
    enrollmentId: e.enrollmentId,
    contactId: e.contactId,
    sequenceId,
    step: 0,
    channel: 'email',
    purpose: 'intro',
    provider: 'http',
    senderId,
    variant: 0,
    subject: `Hello P${i}`,
    body: `Hi P${i}`,
    recipient: `p${i}@co${i}.example.com`,
    rfcMessageId: null,
    providerThreadId: null,
    recipientDomain: `co${i}.example.com`,
    leaseUntil: new Date(MONDAY_9AM.getTime() + 60_000),
    reservedAt: MONDAY_9AM,
    writer: {},
    seenStep: 0,
    senders: { email: senderId },
    caps: { senderId, quota: 'all', daily, hourly: null, weekly: null, minGapSeconds: 0, domainCap: 5 },
  });
  return { w, enrolled, claim, senderId };
}

/** A world's database, counting the statements sent through it. */
function counted(db: Db): { db: Db; statements: () => number } {
  let n = 0;
  return {
    db: {
      ...db,
      statement: (...args: Parameters<Db['statement']>) => {
        n++;
        return db.statement(...args);
      },
    } as Db,
    statements: () => n,
  };
}

describe('batched reservations', () => {
  it('counts the account cap across the items of one batch, as if they had gone one by one', async () => {
    const { w, enrolled: list, claim } = await enrolled(6, 3);
    const { db, statements } = counted(w.db);
    const claims = await Promise.all(list.map((e, i) => claimAndReserve(db, claim(e, i))));
    // The six went in one statement.
    expect(statements()).toBe(1);
    const reserved = claims.filter((c) => c.kind === 'reserved');
    expect(reserved).toHaveLength(3);
    const refused = claims.filter((c) => c.kind === 'refused');
    expect(refused).toHaveLength(3);
    for (const r of refused) expect(r).toMatchObject({ status: 'active', usage: { today: 3 }, domainToday: 0 });
    for (const c of reserved)
      expect(c).toMatchObject({ message: { status: 'sending', step: 0, reservedAt: MONDAY_9AM, provider: 'http' } });
    const rows = await w.row<{ n: number }>(
      `SELECT count(*)::int AS n FROM enrollments WHERE id = ANY($1) AND current_step = 1`,
      [list.map((e) => e.enrollmentId)],
    );
    expect(rows[0]?.n).toBe(3);
  });

  it('fails a bad item alone, and tells a step that moved on from one that fits', async () => {
    const { w, enrolled: list, claim } = await enrolled(4, 50);
    const items = list.map((e, i) => claim(e, i));
    const earlier = await claimAndReserve(w.db, items[3] as ClaimInput);
    if (earlier.kind !== 'reserved') throw new Error('the earlier reservation should go through');
    // A message id that is already taken (a primary-key violation), and a decision made on a stale step.
    const bad = { ...(items[1] as ClaimInput), id: earlier.message.id };
    const stale = { ...(items[2] as ClaimInput), seenStep: 4 };
    const [good, failed, moved] = await Promise.allSettled([
      claimAndReserve(w.db, items[0] as ClaimInput),
      claimAndReserve(w.db, bad),
      claimAndReserve(w.db, stale),
    ]);
    expect(good).toMatchObject({ status: 'fulfilled', value: { kind: 'reserved' } });
    expect(failed.status).toBe('rejected');
    const reason = (failed as PromiseRejectedResult).reason as ItemFailed;
    expect(reason).toBeInstanceOf(ItemFailed);
    expect(reason.code).toBe('23505');
    expect(reason.message).toMatch(/messages_pkey/);
    expect(moved).toEqual({ status: 'fulfilled', value: { kind: 'moved' } });
    // Nothing of the failed item was written; the good one stands.
    const rows = await w.row<{ enrollment_id: string }>(
      'SELECT enrollment_id FROM messages WHERE enrollment_id = ANY($1)',
      [list.slice(0, 3).map((e) => e.enrollmentId)],
    );
    expect(rows.map((r) => r.enrollment_id)).toEqual([list[0]?.enrollmentId]);
    const advanced = await w.row<{ n: number }>(
      'SELECT count(*)::int AS n FROM enrollments WHERE id = $1 AND current_step = 0',
      [list[1]?.enrollmentId],
    );
    expect(advanced[0]?.n).toBe(1);
  });

  it('records a batch of sends: each message sent once, the enrollment completed, a stale one left alone', async () => {
    const { w, enrolled: list, claim } = await enrolled(3, 50);
    const claims = await Promise.all(list.map((e, i) => claimAndReserve(w.db, claim(e, i))));
    const messages = claims.map((c) => (c.kind === 'reserved' ? c.message : undefined));
    const sent = (i: number, messageId = messages[i]?.id ?? '') => ({
      workspaceId: w.workspaceId,
      messageId,
      enrollmentId: list[i]?.enrollmentId ?? '',
      contactId: list[i]?.contactId ?? '',
      providerMessageId: `pm_${i}`,
      providerThreadId: null,
      sentAt: new Date(MONDAY_9AM.getTime() + 1000),
      activity: { id: randomUUID(), summary: `Sent to P${i}`, data: { i } },
      last: true,
    });
    const results = await Promise.all([
      recordSent(w.db, sent(0)),
      recordSent(w.db, sent(1)),
      // A message id that is not this enrollment's reservation: nothing is recorded for it.
      recordSent(w.db, sent(2, randomUUID())),
    ]);
    expect(results).toEqual([
      { recorded: true, continues: false, completed: true },
      { recorded: true, continues: false, completed: true },
      { recorded: false, continues: false, completed: false },
    ]);
    // Recording again changes nothing: a reservation is settled once.
    expect(await recordSent(w.db, sent(0))).toEqual({ recorded: false, continues: false, completed: false });
    const rows = await w.row<{ status: string; n: number }>(
      `SELECT e.status, (SELECT count(*)::int FROM message_events v JOIN messages m ON m.id = v.message_id
                          WHERE m.enrollment_id = e.id AND v.event_type = 'sent') AS n
         FROM enrollments e WHERE e.id = ANY($1) ORDER BY array_position($1, e.id)`,
      [list.map((e) => e.enrollmentId)],
    );
    expect(rows).toEqual([
      { status: 'completed', n: 1 },
      { status: 'completed', n: 1 },
      { status: 'active', n: 0 },
    ]);
    expect((await w.timeline(list[0]?.contactId ?? '')).map((t) => t.summary)).toContain('Sent to P0');
  });
  it('logs the outcome with the last send, once, and the completion job finds it logged', async () => {
    const { w, enrolled: list, claim } = await enrolled(2, 50);
    const claims = await Promise.all(list.map((e, i) => claimAndReserve(w.db, claim(e, i))));
    const record = (i: number, withOutcome = false) => {
      const c = claims[i];
      if (c?.kind !== 'reserved') throw new Error('reserved expected');
      return recordSent(w.db, {
        workspaceId: w.workspaceId,
        messageId: c.message.id,
        enrollmentId: list[i]?.enrollmentId ?? '',
        contactId: list[i]?.contactId ?? '',
        providerMessageId: `pm_${i}`,
        providerThreadId: null,
        sentAt: new Date(MONDAY_9AM.getTime() + 1000),
        activity: { id: uuidv7(), summary: `Sent to P${i}`, data: { i } },
        last: true,
        // After the send's own entry, as the engine does: the outcome is the newer of the two.
        ...(withOutcome ? { completedActivityId: uuidv7() } : {}),
      });
    };
    // The first with the outcome's id (the engine's way), the second without (logged by the job alone).
    await Promise.all([record(0, true), record(1)]);
    const completed = async (i: number) =>
      (await w.timeline(list[i]?.contactId ?? '')).filter((t) => t.type === 'completed').map((t) => t.summary);
    expect(await completed(0)).toEqual(['Completed "instant": 1 message sent, no reply']);
    expect(await completed(1)).toEqual([]);
    // The job, delivered twice and at once for both: each outcome is logged exactly once.
    const later = new Date(MONDAY_9AM.getTime() + 2000);
    await Promise.all(
      [0, 1, 0, 1].map((i) => recordCompletion(w.db, w.workspaceId, list[i]?.enrollmentId ?? '', later)),
    );
    expect(await completed(0)).toHaveLength(1);
    expect(await completed(1)).toEqual(['Completed "instant": 1 message sent, no reply']);
    // The timeline shows the outcome after the send it followed.
    expect((await w.timeline(list[0]?.contactId ?? '')).map((t) => t.type).slice(0, 2)).toEqual(['completed', 'sent']);
  });
});
