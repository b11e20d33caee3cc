// Resuming after a pause: an account's (senders.status 'paused', by hand or by its health) or a
// sequence's (sequences.status 'paused' by its health). The status goes back to active with its
// reason cleared. The steps the pause held — stored on their enrollments as held by that account
// (or by every account of its channel), or by that sequence (see migration 011) — are released to
// run now rather than at their hourly retry, each with a `resumed` entry on its contact's timeline.
// A step still held by something else (the account is also paused, a quota) is deferred again by
// its run, with that reason. Resuming also restarts the health window (health_since = the resume's
// time): the next bounce or complaint is judged over the sends made since, not over those that
// caused the pause (see health.ts).
import { addActivity } from '../../db/activities.ts';
import type { Sql } from '../../db/database.ts';
import { lockHeld, releaseHeld, type Held } from '../../db/enrollments.ts';
import { restartHealthWindow } from '../../db/health.ts';
import { activateSender, getSenderRow, type SenderRow } from '../../db/senders.ts';
import { activateSequence, getSequence, lockSequenceStatus, type Sequence } from '../../db/sequences.ts';
import type { EngineDeps, EnrollmentRef } from '../ports.ts';

export type ResumeOutcome<T> =
  { kind: 'resumed'; record: T; releasedSteps: number } | { kind: 'not_found' } | { kind: 'conflict'; message: string };

type Deps = Pick<EngineDeps, 'db' | 'clock' | 'log' | 'schedule'>;

async function release(sql: Sql, input: { workspaceId: string; held: Held[]; now: Date; why: string }) {
  await releaseHeld(
    sql,
    input.held.map((h) => h.id),
    input.now,
  );
  for (const h of input.held) {
    await addActivity(sql, {
      workspaceId: input.workspaceId,
      contactId: h.contactId,
      type: 'resumed',
      summary: `Step ${h.step} goes out again: ${input.why}`,
      data: { enrollmentId: h.id, sequenceId: h.sequenceId, step: h.step },
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
  if (before.status === 'paused') await restartHealthWindow(sql, 'senders', before.id, now);
  const held = await lockHeld(sql, {
    holds: [
      { by: 'account', ref: before.id },
      { by: 'accounts', ref: before.channel },
    ],
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

/**
 * In the transaction that gives an email account its person name: releases the steps its missing
 * name held (identityHold.ts). A step still held by a workspace gap is deferred again by its run.
 */
export async function releaseStepsHeldForName(sql: Sql, before: SenderRow, now: Date): Promise<EnrollmentRef[]> {
  const held = await lockHeld(sql, { holds: [{ by: 'identity', ref: before.id }], now });
  await release(sql, {
    workspaceId: before.workspaceId,
    held,
    now,
    why: `account ${accountLabel(before)} has a name to sign with`,
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
    await activateSender(sql, before.id);
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
    const before = await lockSequenceStatus(sql, input.sequenceId);
    if (!before) return { kind: 'not_found' };
    if (before.status !== 'paused')
      return { kind: 'conflict', message: `the sequence is ${before.status}, not paused` };
    await activateSequence(sql, input.sequenceId);
    await restartHealthWindow(sql, 'sequences', input.sequenceId, now);
    const held = await lockHeld(sql, { holds: [{ by: 'sequence', ref: input.sequenceId }], now });
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
