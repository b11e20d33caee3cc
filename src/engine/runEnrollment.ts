// Runs one enrollment once: reserve (decide, choose, write, reserve) → call the provider → record.
import { deliverStep } from './deliverStep.ts';
import type { EngineDeps, EnrollmentRef } from './ports.ts';
import { reserveStep, type AfterCommit } from './reserveStep.ts';

export async function runEnrollment(deps: EngineDeps, ref: EnrollmentRef): Promise<'idle' | 'delivered' | 'cancelled'> {
  const after: AfterCommit = [];
  const reserved = await deps.db.tenant(ref.workspaceId, (sql) =>
    reserveStep(sql, deps, { enrollmentId: ref.enrollmentId, now: deps.clock.now(), after }),
  );
  for (const action of after) await action();
  if (reserved.kind === 'idle') return 'idle';

  // A last look before the provider call: a reply may have stopped the enrollment meanwhile. (Not
  // for a reconciliation: that message may well have gone out before the crash.)
  const cancelled =
    reserved.kind === 'deliver' &&
    (await deps.db.tenant(ref.workspaceId, async (sql) => {
      const { rowCount } = await sql.query(
        `UPDATE messages SET status = 'cancelled', lease_until = NULL
        WHERE id = $1 AND status = 'sending'
          AND EXISTS (SELECT 1 FROM enrollments WHERE id = $2 AND status = 'stopped')`,
        [reserved.message.id, ref.enrollmentId],
      );
      return rowCount === 1;
    }));
  if (cancelled) return 'cancelled';

  await deliverStep(deps, { ...reserved, reconcile: reserved.kind === 'reconcile' });
  return 'delivered';
}
