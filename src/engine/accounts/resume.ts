// Resuming after a pause: an email account's (senders.status 'paused', by hand or by its health) or
// a sequence's (sequences.status 'paused' by its health). The status goes back to active with its
// reason cleared. The steps the pause held — deferred with the pause's reason and not run since —
// are released to run now rather than at their hourly retry, each with a `resumed` entry on its
// contact's timeline. A step still held by something else (the account is also paused, a quota) is
// deferred again by its run, with that reason. Resuming also restarts the health window
// (health_since = the resume's time): the next bounce or complaint is judged over the sends made
// since, not over those that caused the pause (see accountHealth.ts).
import { addActivity } from '../../db/activities.ts';
import type { Sql } from '../../db/database.ts';
import { getSenderRow, type SenderRow } from '../../db/senders.ts';
import { getSequence, type Sequence } from '../../db/sequences.ts';
import type { EngineDeps, EnrollmentRef } from '../ports.ts';

export type ResumeOutcome<T> =
  { kind: 'resumed'; record: T; releasedSteps: number } | { kind: 'not_found' } | { kind: 'conflict'; message: string };

type Deps = Pick<EngineDeps, 'db' | 'clock' | 'log' | 'schedule'>;
type Held = { id: string; contactId: string; sequenceId: string; step: number | null };

/**
 * Active enrollments whose next run is the hold of a deferral whose reason contains every one of
 * `reasonParts`, locked. SKIP LOCKED: an enrollment running right now is rescheduled by its own run,
 * and never waiting here means no lock-order cycle with the runs (they lock the enrollment first).
 */
async function lockHeld(sql: Sql, input: { reasonParts: string[]; sequenceId?: string; now: Date }): Promise<Held[]> {
  const { rows } = await sql.query<Held>(
    `SELECT e.id, e.contact_id AS "contactId", e.sequence_id AS "sequenceId", (d.data->>'step')::int AS step
       FROM enrollments e
       CROSS JOIN LATERAL (
         SELECT a.data FROM activities a
          WHERE a.workspace_id = e.workspace_id AND a.contact_id = e.contact_id AND a.type = 'deferred'
            AND a.data->>'enrollmentId' = e.id::text
          ORDER BY a.occurred_at DESC, a.id DESC LIMIT 1) d
      WHERE e.status = 'active' AND e.next_run_at > $1 AND ($2::uuid IS NULL OR e.sequence_id = $2)
        AND (d.data->>'until')::timestamptz = e.next_run_at
        AND (SELECT bool_and(position(part IN d.data->>'reason') > 0) FROM unnest($3::text[]) AS part)
      ORDER BY e.id
        FOR UPDATE OF e SKIP LOCKED`,
    [input.now, input.sequenceId ?? null, input.reasonParts],
  );
  return rows;
}

async function release(sql: Sql, input: { workspaceId: string; held: Held[]; now: Date; why: string }) {
  if (input.held.length === 0) return;
  await sql.query('UPDATE enrollments SET next_run_at = $2 WHERE id = ANY ($1::uuid[])', [
    input.held.map((h) => h.id),
    input.now,
  ]);
  for (const h of input.held) {
    await addActivity(sql, {
      workspaceId: input.workspaceId,
      contactId: h.contactId,
      type: 'resumed',
      summary: `${h.step === null ? 'The held step' : `Step ${h.step}`} goes out again: ${input.why}`,
      data: { enrollmentId: h.id, sequenceId: h.sequenceId, ...(h.step === null ? {} : { step: h.step }) },
      occurredAt: input.now,
    });
  }
}

/** How a deferral names an account (senderChoice: "account <label> is paused: <reason>"). */
const accountLabel = (s: SenderRow) => s.name ?? s.fromEmail ?? s.fromPhone ?? s.id;

/**
 * In the transaction that reactivates an account (`before` is its row as it was: paused,
 * disconnected …): releases the steps it held. Schedule the returned refs after the commit.
 * Resuming a paused account also restarts its health window at `now`; a disconnected one that is
 * reconnected keeps it (it was not paused, so the sends it made are still to be judged).
 */
export async function releaseStepsHeldBySender(sql: Sql, before: SenderRow, now: Date): Promise<EnrollmentRef[]> {
  if (before.status === 'paused')
    await sql.query('UPDATE senders SET health_since = $2 WHERE id = $1', [before.id, now]);
  const held = await lockHeld(sql, {
    reasonParts: [accountLabel(before), ...(before.statusReason ? [before.statusReason] : [])],
    now,
  });
  await release(sql, {
    workspaceId: before.workspaceId,
    held,
    now,
    why: `account ${accountLabel(before)} was resumed`,
  });
  return held.map((h) => ({ workspaceId: before.workspaceId, enrollmentId: h.id }));
}

export async function resumeSender(
  deps: Deps,
  input: { workspaceId: string; senderId: string },
): Promise<ResumeOutcome<SenderRow>> {
  const now = deps.clock.now();
  let wake: EnrollmentRef[] = [];
  const outcome = await deps.db.tenant(input.workspaceId, async (sql): Promise<ResumeOutcome<SenderRow>> => {
    const before = await getSenderRow(sql, input.senderId, { lock: true });
    if (!before) return { kind: 'not_found' };
    if (before.status !== 'paused') {
      const why = before.statusReason ? ` (${before.statusReason})` : '';
      const next =
        before.status === 'active'
          ? ''
          : ': fix its credentials or reconnect it (a reconnected or corrected account is set active with PATCH {"status":"active"})';
      return { kind: 'conflict', message: `the account is ${before.status}${why}, not paused${next}` };
    }
    await sql.query(`UPDATE senders SET status = 'active', status_reason = NULL, updated_at = now() WHERE id = $1`, [
      before.id,
    ]);
    wake = await releaseStepsHeldBySender(sql, before, now);
    const after = await getSenderRow(sql, before.id);
    return after ? { kind: 'resumed', record: after, releasedSteps: wake.length } : { kind: 'not_found' };
  });
  if (outcome.kind === 'resumed') {
    await deps.schedule(wake.map((ref) => ({ ref, at: now })));
    deps.log.info({ senderId: input.senderId, releasedSteps: wake.length }, 'account resumed');
  }
  return outcome;
}

export async function resumeSequence(
  deps: Deps,
  input: { workspaceId: string; sequenceId: string },
): Promise<ResumeOutcome<Sequence>> {
  const now = deps.clock.now();
  let wake: EnrollmentRef[] = [];
  const outcome = await deps.db.tenant(input.workspaceId, async (sql): Promise<ResumeOutcome<Sequence>> => {
    const { rows } = await sql.query<{ status: string; reason: string | null }>(
      'SELECT status, status_reason AS reason FROM sequences WHERE id = $1 FOR UPDATE',
      [input.sequenceId],
    );
    const before = rows[0];
    if (!before) return { kind: 'not_found' };
    if (before.status !== 'paused')
      return { kind: 'conflict', message: `the sequence is ${before.status}, not paused` };
    await sql.query(`UPDATE sequences SET status = 'active', status_reason = NULL, health_since = $2 WHERE id = $1`, [
      input.sequenceId,
      now,
    ]);
    // The reason preSendChecks gives the steps it holds for a paused sequence.
    const held = await lockHeld(sql, {
      reasonParts: [`the sequence is paused (${before.reason ?? 'paused'})`],
      sequenceId: input.sequenceId,
      now,
    });
    await release(sql, {
      workspaceId: input.workspaceId,
      held,
      now,
      why: `the sequence was resumed${before.reason ? ` (it was paused: ${before.reason})` : ''}`,
    });
    wake = held.map((h) => ({ workspaceId: input.workspaceId, enrollmentId: h.id }));
    const after = await getSequence(sql, input.sequenceId);
    return after ? { kind: 'resumed', record: after, releasedSteps: held.length } : { kind: 'not_found' };
  });
  if (outcome.kind === 'resumed') {
    await deps.schedule(wake.map((ref) => ({ ref, at: now })));
    deps.log.info({ sequenceId: input.sequenceId, releasedSteps: wake.length }, 'sequence resumed');
  }
  return outcome;
}
