// Pausing and resuming a whole sequence by hand: every running enrollment pauses (and only those
// resume with it; one paused for its own reason, like out of office, keeps waiting).
import { addActivity } from '../db/activities.ts';
import { pauseSequenceEnrollments, resumeSequenceEnrollments } from '../db/sequenceEnrollments.ts';
import { getSequence } from '../db/sequences.ts';
import type { Engine } from './engine.ts';

export async function setSequenceRunning(
  engine: Engine,
  input: { workspaceId: string; sequenceId: string; running: boolean },
): Promise<{ changed: number } | 'not_found'> {
  const { db, clock } = engine.deps;
  const now = clock.now();
  const changed = await db.tenant(input.workspaceId, async (sql) => {
    if (!(await getSequence(sql, input.sequenceId))) return undefined;
    const rows = input.running
      ? await resumeSequenceEnrollments(sql, input.sequenceId, now)
      : await pauseSequenceEnrollments(sql, input.sequenceId);
    for (const row of rows)
      await addActivity(sql, {
        workspaceId: input.workspaceId,
        contactId: row.contactId,
        type: input.running ? 'resumed' : 'paused',
        summary: input.running ? 'Resumed with the whole sequence' : 'Paused with the whole sequence',
        data: { enrollmentId: row.id, manual: true },
        occurredAt: now,
      });
    return rows;
  });
  if (!changed) return 'not_found';
  if (input.running)
    await engine.deps.schedule(
      changed.map((row) => ({ ref: { workspaceId: input.workspaceId, enrollmentId: row.id }, at: now })),
    );
  return { changed: changed.length };
}
