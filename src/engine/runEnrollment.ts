// Runs one enrollment: reserve (decide, choose, write, reserve) → call the provider → record. With
// `inline` (the queue's step.due handler) it goes on with the next step at once while that step is
// already due, instead of queueing a job for it: a zero-delay sequence costs one job, not one per step.
// A crash in between loses nothing: the next step's next_run_at is committed, and the job is retried.
import { literal } from '../db/database.ts';
import { deliverStep } from './deliverStep.ts';
import type { EngineDeps, EnrollmentRef } from './ports.ts';
import { claimStep } from './claimStep.ts';
import { reserveStep, type AfterCommit } from './reserveStep.ts';

/** Steps one inline run may take before it yields to other work (a new job carries on). */
const MAX_INLINE_STEPS = 10;

export async function runEnrollment(
  deps: EngineDeps,
  ref: EnrollmentRef,
  options: { inline?: boolean } = {},
): Promise<'idle' | 'delivered' | 'cancelled'> {
  let result: 'idle' | 'delivered' | 'cancelled' = 'idle';
  for (let step = 0; step < (options.inline ? MAX_INLINE_STEPS : 1); step++) {
    const last = step === MAX_INLINE_STEPS - 1;
    const once = await runOnce(deps, ref, { inline: options.inline === true && !last });
    if (once === 'continue') {
      result = 'delivered';
      continue;
    }
    return once === 'idle' && result === 'delivered' ? result : once;
  }
  return result;
}

async function runOnce(
  deps: EngineDeps,
  ref: EnrollmentRef,
  options: { inline: boolean },
): Promise<'idle' | 'delivered' | 'cancelled' | 'continue'> {
  const after: AfterCommit = [];
  const decided = await deps.db.tenant(ref.workspaceId, (sql) =>
    reserveStep(sql, deps, { enrollmentId: ref.enrollmentId, now: deps.clock.now(), after }),
  );
  for (const action of after) await action();
  const reserved = decided.kind === 'claim' ? await claimStep(deps, decided) : decided;
  if (reserved.kind === 'idle' || reserved.kind === 'claim') return 'idle';

  // A last look before the provider call: a reply may have stopped the enrollment meanwhile. (Not
  // for a reconciliation: that message may well have gone out before the crash.)
  const cancelled =
    reserved.kind === 'deliver' &&
    (
      await deps.db.statement(
        ref.workspaceId,
        `UPDATE messages SET status = 'cancelled', lease_until = NULL
          WHERE id = ${literal(reserved.message.id)} AND status = 'sending'
            AND EXISTS (SELECT 1 FROM enrollments WHERE id = ${literal(ref.enrollmentId)} AND status = 'stopped')`,
      )
    ).rowCount === 1;
  if (cancelled) return 'cancelled';

  const next = await deliverStep(deps, {
    ...reserved,
    reconcile: reserved.kind === 'reconcile',
    inline: options.inline,
  });
  return next === 'continue' && options.inline ? 'continue' : 'delivered';
}
