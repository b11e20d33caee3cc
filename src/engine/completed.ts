// outreach/sequence.completed: the enrollment ran through every step without a reply; log the
// outcome on the contact's timeline, once (a second delivery of the job finds it logged).
import { execute, prepare, type Db } from '../db/database.ts';
import { uuidv7 } from '../db/uuidv7.ts';

// $1 enrollment, $2 now, $3 the timeline entry's id. One statement: nothing to do unless completed.
const RECORD_COMPLETION = prepare(
  ['uuid', 'timestamptz', 'uuid'],
  `INSERT INTO activities (workspace_id, contact_id, type, summary, data, occurred_at, id)
   SELECT e.workspace_id, e.contact_id, 'completed',
          format('Completed "%s": %s message%s sent, no reply', s.name, c.sent, CASE WHEN c.sent = 1 THEN '' ELSE 's' END),
          jsonb_build_object('enrollmentId', e.id, 'sequenceId', e.sequence_id, 'sent', c.sent), $2, $3
     FROM enrollments e
     JOIN sequences s ON s.id = e.sequence_id
    CROSS JOIN LATERAL (SELECT count(*)::int AS sent FROM messages
                         WHERE enrollment_id = e.id AND status IN ('sent', 'delivered')) AS c
    WHERE e.id = $1 AND e.status = 'completed'
      AND NOT EXISTS (SELECT 1 FROM activities WHERE contact_id = e.contact_id AND type = 'completed'
                        AND data ->> 'enrollmentId' = e.id::text)`,
);

export async function recordCompletion(db: Db, workspaceId: string, enrollmentId: string, now: Date): Promise<void> {
  await db.statement(workspaceId, execute(RECORD_COMPLETION, [enrollmentId, now, uuidv7(now.getTime())]), [
    RECORD_COMPLETION,
  ]);
}
