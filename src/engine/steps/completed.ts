// outreach/sequence.completed: the enrollment ran through every step without a reply; log the
// outcome on the contact's timeline, once. Recording the last send usually writes it already
// (qh_record_sent, migration 010); the job then finds it logged. An enrollment completed another
// way (a last step skipped, say) is logged here. The completions a worker handles at once go in
// one statement (coalesce.ts).
import { perOwner } from '../../db/coalesce.ts';
import { execute, prepare, type Db } from '../../db/database.ts';
import { uuidv7 } from '../../db/uuidv7.ts';

// $1 enrollments, $2 now, $3 a timeline entry's id for each. Nothing to do unless completed and not yet logged.
const RECORD_COMPLETIONS = prepare(
  ['uuid[]', 'timestamptz', 'uuid[]'],
  `INSERT INTO activities (workspace_id, contact_id, type, summary, data, occurred_at, id)
   SELECT e.workspace_id, e.contact_id, 'completed',
          format('Completed "%s": %s message%s sent, no reply', s.name, c.sent, CASE WHEN c.sent = 1 THEN '' ELSE 's' END),
          jsonb_build_object('enrollmentId', e.id, 'sequenceId', e.sequence_id, 'sent', c.sent), $2, t.activity
     FROM unnest($1, $3) AS t (enrollment, activity)
     JOIN enrollments e ON e.id = t.enrollment
     JOIN sequences s ON s.id = e.sequence_id
    CROSS JOIN LATERAL (SELECT count(*)::int AS sent FROM messages
                         WHERE enrollment_id = e.id AND status IN ('sent', 'delivered')) AS c
    WHERE e.id = ANY ($1) AND e.status = 'completed'
      AND NOT EXISTS (SELECT 1 FROM activities WHERE contact_id = e.contact_id AND type = 'completed'
                        AND data ->> 'enrollmentId' = e.id::text)`,
);

const completions = perOwner(async (db: Db, workspaceId: string, batch: { enrollmentId: string; now: Date }[]) => {
  // One statement per batch; a batch is one moment (the latest of its calls).
  const now = new Date(Math.max(...batch.map((b) => b.now.getTime())));
  const ids = [...new Set(batch.map((b) => b.enrollmentId))];
  await db.statement(workspaceId, execute(RECORD_COMPLETIONS, [ids, now, ids.map(() => uuidv7(now.getTime()))]), [
    RECORD_COMPLETIONS,
  ]);
  return batch.map(() => undefined);
});

export async function recordCompletion(db: Db, workspaceId: string, enrollmentId: string, now: Date): Promise<void> {
  await completions(db, workspaceId, { enrollmentId, now });
}
