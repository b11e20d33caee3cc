// Runs one enrollment: decide (and write) the step → reserve it with the account's quota → call the
// provider → record. With `inline` (the queue's step.due handler) it goes on with the next step at
// once while that step is already due, instead of queueing a job for it: a zero-delay sequence
// costs one job, not one per step. The reads and writes of the enrollments a worker runs at once
// are coalesced into batches (src/db/coalesce.ts). A crash in between loses nothing: the next step's next_run_at is
// committed, and the job is retried.
//
// The reservation is the point of no return: once its statement commits (it checks that the
// enrollment is still active at that step, under the enrollment's lock), the message goes out. A
// reply recorded before it stops the step; one recorded after it stops every later step.
import { deliverStep } from './deliver.ts';
import type { EngineDeps, EnrollmentRef } from '../ports.ts';
import { claimStep } from './claim.ts';
import { decideStep } from './decide.ts';
import { NeedsLock, type AfterCommit, type Reserved } from './types.ts';

/** Steps one inline run may take before it yields to other work (a new job carries on). */
const MAX_INLINE_STEPS = 10;

export async function runEnrollment(
  deps: EngineDeps,
  ref: EnrollmentRef,
  options: { inline?: boolean } = {},
): Promise<'idle' | 'delivered'> {
  let result: 'idle' | 'delivered' = 'idle';
  for (let step = 0; step < (options.inline ? MAX_INLINE_STEPS : 1); step++) {
    const last = step === MAX_INLINE_STEPS - 1;
    const once = await runOnce(deps, ref, { inline: options.inline === true && !last });
    if (once.next === 'continue') {
      result = 'delivered';
      continue;
    }
    return once.next === 'idle' ? result : once.next;
  }
  return result;
}

/**
 * Decides the enrollment's next step: peeking first (no lock, no transaction), and again in a
 * transaction holding the enrollment's lock when the decision has something to write.
 */
async function decide(deps: EngineDeps, ref: EnrollmentRef): Promise<Reserved> {
  const input = { enrollmentId: ref.enrollmentId, now: deps.clock.now(), written: new Map() };
  try {
    const peek = { locked: false as const, db: deps.db, workspaceId: ref.workspaceId };
    return await decideStep(peek, deps, { ...input, after: [] });
  } catch (error) {
    if (!(error instanceof NeedsLock)) throw error;
  }
  const after: AfterCommit = [];
  const decided = await deps.db.tenant(ref.workspaceId, (sql) =>
    decideStep({ locked: true, sql }, deps, { ...input, after }),
  );
  for (const action of after) await action();
  return decided;
}

async function runOnce(
  deps: EngineDeps,
  ref: EnrollmentRef,
  options: { inline: boolean },
): Promise<{ next: 'idle' | 'delivered' | 'continue' }> {
  const decided = await decide(deps, ref);
  const reserved = decided.kind === 'claim' ? await claimStep(deps, decided) : decided;
  if (reserved.kind === 'idle' || reserved.kind === 'claim') return { next: 'idle' };
  const delivered = await deliverStep(deps, {
    ...reserved,
    reconcile: reserved.kind === 'reconcile',
    inline: options.inline,
    last: reserved.kind === 'deliver' && reserved.last,
  });
  if (delivered.next === 'continue' && options.inline) return { next: 'continue' };
  return { next: 'delivered' };
}
