// Pause, resume and stop by hand.
import { addActivity } from '../../db/activities.ts';
import { getEnrollment, updateEnrollment } from '../../db/enrollments.ts';
import type { Engine } from '../engine.ts';

export type EnrollmentAction = 'pause' | 'resume' | 'stop';

export async function changeEnrollment(
  engine: Engine,
  input: { workspaceId: string; enrollmentId: string; action: EnrollmentAction; until?: Date },
): Promise<{ id: string; status: string; nextRunAt: string | null } | 'not_found' | string> {
  const { db, clock } = engine.deps;
  const now = clock.now();
  let wakeAt: Date | null = null;
  const result = await db.tenant(input.workspaceId, async (sql) => {
    const e = await getEnrollment(sql, input.enrollmentId, { lock: true });
    if (!e) return 'not_found' as const;
    if (e.status === 'completed' || e.status === 'stopped') return `enrollment is already ${e.status}`;
    const note = (type: string, summary: string) =>
      addActivity(sql, {
        workspaceId: e.workspaceId,
        contactId: e.contactId,
        type,
        summary,
        data: { enrollmentId: e.id, manual: true },
        occurredAt: now,
      });
    switch (input.action) {
      case 'pause':
        if (input.until && input.until.getTime() <= now.getTime()) return 'until must be in the future';
        await updateEnrollment(sql, e.id, {
          status: 'paused',
          pauseReason: 'manual',
          pausedUntil: input.until ?? null,
          nextRunAt: input.until ?? null,
        });
        await note('paused', input.until ? `Paused by hand until ${input.until.toISOString()}` : 'Paused by hand');
        wakeAt = input.until ?? null;
        break;
      case 'resume':
        if (e.status !== 'paused') return 'enrollment is not paused';
        await updateEnrollment(sql, e.id, { status: 'active', pauseReason: null, pausedUntil: null, nextRunAt: now });
        await note('resumed', 'Resumed by hand');
        wakeAt = now;
        break;
      case 'stop':
        await updateEnrollment(sql, e.id, { status: 'stopped', stopReason: 'manual', stopped: true, nextRunAt: null });
        await sql.query(`UPDATE messages SET status = 'cancelled' WHERE enrollment_id = $1 AND status = 'deferred'`, [
          e.id,
        ]);
        await note('stopped', 'Stopped by hand');
        break;
    }
    const after = await getEnrollment(sql, e.id);
    return { id: e.id, status: after?.status ?? e.status, nextRunAt: after?.nextRunAt?.toISOString() ?? null };
  });
  if (wakeAt)
    await engine.deps.schedule([
      { ref: { workspaceId: input.workspaceId, enrollmentId: input.enrollmentId }, at: wakeAt },
    ]);
  return result;
}
