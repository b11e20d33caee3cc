// outreach/sequence.completed: the enrollment ran through every step without a reply; log the
// outcome on the contact's timeline.
import { addActivity } from '../db/activities.ts';
import type { Sql } from '../db/database.ts';
import { getEnrollment } from '../db/enrollments.ts';
import { getSequence } from '../db/sequences.ts';

export async function recordCompletion(sql: Sql, enrollmentId: string, now: Date): Promise<void> {
  const enrollment = await getEnrollment(sql, enrollmentId);
  if (!enrollment || enrollment.status !== 'completed') return;
  const sequence = await getSequence(sql, enrollment.sequenceId);
  const { rows } = await sql.query<{ sent: number; already: boolean }>(
    `SELECT (SELECT count(*)::int FROM messages WHERE enrollment_id = $1 AND status IN ('sent', 'delivered')) AS sent,
            EXISTS (SELECT 1 FROM activities WHERE contact_id = $2 AND type = 'completed' AND data ->> 'enrollmentId' = $1::text) AS already`,
    [enrollmentId, enrollment.contactId],
  );
  if (rows[0]?.already) return;
  const sent = rows[0]?.sent ?? 0;
  await addActivity(sql, {
    workspaceId: enrollment.workspaceId,
    contactId: enrollment.contactId,
    type: 'completed',
    summary: `Completed "${sequence?.name ?? 'sequence'}": ${sent} message${sent === 1 ? '' : 's'} sent, no reply`,
    data: { enrollmentId, sequenceId: enrollment.sequenceId, sent },
    occurredAt: now,
  });
}
