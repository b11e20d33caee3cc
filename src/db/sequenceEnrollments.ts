// The enrollments of one sequence, as the dashboard lists them, and pausing or resuming them all.
import { encodeIdCursor } from './cursor.ts';
import type { Sql } from './database.ts';

export type SequenceEnrollment = {
  id: string;
  contactId: string;
  contact: { name: string; email: string | null; company: string | null };
  status: string;
  currentStep: number;
  nextRunAt: string | null;
  pauseReason: string | null;
  pausedUntil: string | null;
  stopReason: string | null;
  enrolledAt: string;
};

/** Paused with the whole sequence by hand: only these are resumed with it. */
export const SEQUENCE_PAUSE = 'sequence_paused';

export async function listSequenceEnrollments(
  sql: Sql,
  sequenceId: string,
  filter: { status?: string; limit: number; afterId?: string },
): Promise<{ data: SequenceEnrollment[]; nextCursor: string | null; counts: Record<string, number> }> {
  const { rows } = await sql.query<SequenceEnrollment>(
    `SELECT e.id, e.contact_id AS "contactId", e.status, e.current_step AS "currentStep",
            to_json(e.next_run_at) #>> '{}' AS "nextRunAt", e.pause_reason AS "pauseReason",
            to_json(e.paused_until) #>> '{}' AS "pausedUntil", e.stop_reason AS "stopReason",
            to_json(e.enrolled_at) #>> '{}' AS "enrolledAt",
            json_build_object('name', trim(concat_ws(' ', c.first_name, c.last_name)), 'email', c.email,
                              'company', c.company) AS contact
       FROM enrollments e JOIN contacts c ON c.id = e.contact_id
      WHERE e.sequence_id = $1 AND ($2::text IS NULL OR e.status = $2) AND ($3::uuid IS NULL OR e.id > $3)
      ORDER BY e.id LIMIT $4`,
    [sequenceId, filter.status ?? null, filter.afterId ?? null, filter.limit + 1],
  );
  const counts = await sql.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM enrollments WHERE sequence_id = $1 GROUP BY status',
    [sequenceId],
  );
  const data = rows.slice(0, filter.limit);
  const last = data[data.length - 1];
  return {
    data,
    nextCursor: rows.length > filter.limit && last ? encodeIdCursor(last.id) : null,
    counts: Object.fromEntries(counts.rows.map((r) => [r.status, r.n])),
  };
}

export async function pauseSequenceEnrollments(
  sql: Sql,
  sequenceId: string,
): Promise<{ id: string; contactId: string }[]> {
  const { rows } = await sql.query<{ id: string; contactId: string }>(
    `UPDATE enrollments SET status = 'paused', pause_reason = $2, paused_until = NULL, next_run_at = NULL, updated_at = now()
      WHERE sequence_id = $1 AND status = 'active' RETURNING id, contact_id AS "contactId"`,
    [sequenceId, SEQUENCE_PAUSE],
  );
  return rows;
}

export async function resumeSequenceEnrollments(
  sql: Sql,
  sequenceId: string,
  now: Date,
): Promise<{ id: string; contactId: string }[]> {
  const { rows } = await sql.query<{ id: string; contactId: string }>(
    `UPDATE enrollments SET status = 'active', pause_reason = NULL, paused_until = NULL, next_run_at = $3, updated_at = now()
      WHERE sequence_id = $1 AND status = 'paused' AND pause_reason = $2 RETURNING id, contact_id AS "contactId"`,
    [sequenceId, SEQUENCE_PAUSE, now],
  );
  return rows;
}
