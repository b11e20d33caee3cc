// Enrollments: one contact in one sequence, with where it stands and when it runs next.
import type { Sql } from './database.ts';

export type EnrollmentStatus = 'active' | 'paused' | 'completed' | 'stopped';
export type StopReason = 'replied' | 'unsubscribed' | 'bounced' | 'manual' | 'failed' | 'erased';

export type EnrollmentRow = {
  id: string;
  workspaceId: string;
  sequenceId: string;
  contactId: string;
  status: EnrollmentStatus;
  stopReason: StopReason | null;
  pauseReason: string | null;
  pausedUntil: Date | null;
  currentStep: number;
  senders: Record<string, string>;
  variant: number;
  enrolledAt: Date;
  nextRunAt: Date | null;
  stoppedAt: Date | null;
  completedAt: Date | null;
};

export const ENROLLMENT_COLUMNS = `id, workspace_id AS "workspaceId", sequence_id AS "sequenceId", contact_id AS "contactId",
  status, stop_reason AS "stopReason", pause_reason AS "pauseReason", paused_until AS "pausedUntil",
  current_step AS "currentStep", senders, variant, enrolled_at AS "enrolledAt", next_run_at AS "nextRunAt",
  stopped_at AS "stoppedAt", completed_at AS "completedAt"`;

export async function getEnrollment(
  sql: Sql,
  id: string,
  options: { lock?: boolean } = {},
): Promise<EnrollmentRow | undefined> {
  const { rows } = await sql.query<EnrollmentRow>(
    `SELECT ${ENROLLMENT_COLUMNS} FROM enrollments WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

/** Creates enrollments for contacts not yet in the sequence; returns the new ones by contact. */
export async function insertEnrollments(
  sql: Sql,
  input: {
    workspaceId: string;
    sequenceId: string;
    contactIds: string[];
    enrolledAt: Date;
    variants: Map<string, number>;
  },
): Promise<{ contactId: string; enrollmentId: string }[]> {
  if (input.contactIds.length === 0) return [];
  const { rows } = await sql.query<{ contactId: string; enrollmentId: string }>(
    `INSERT INTO enrollments (workspace_id, sequence_id, contact_id, enrolled_at, next_run_at, variant)
     SELECT $1, $2, c.id, $3, $3, v.variant
       FROM unnest($4::uuid[], $5::int[]) AS v(contact_id, variant)
       JOIN contacts c ON c.id = v.contact_id
     ON CONFLICT (sequence_id, contact_id) DO NOTHING
     RETURNING contact_id AS "contactId", id AS "enrollmentId"`,
    [
      input.workspaceId,
      input.sequenceId,
      input.enrolledAt,
      input.contactIds,
      input.contactIds.map((id) => input.variants.get(id) ?? 0),
    ],
  );
  return rows;
}

export async function updateEnrollment(
  sql: Sql,
  id: string,
  patch: Partial<
    Pick<
      EnrollmentRow,
      'status' | 'stopReason' | 'pauseReason' | 'pausedUntil' | 'currentStep' | 'senders' | 'nextRunAt' | 'completedAt'
    >
  > & {
    stopped?: boolean;
  },
): Promise<void> {
  const columns: Record<string, string> = {
    status: 'status',
    stopReason: 'stop_reason',
    pauseReason: 'pause_reason',
    pausedUntil: 'paused_until',
    currentStep: 'current_step',
    senders: 'senders',
    nextRunAt: 'next_run_at',
    completedAt: 'completed_at',
  };
  const sets: string[] = ['updated_at = now()'];
  const values: unknown[] = [id];
  for (const [key, value] of Object.entries(patch)) {
    const column = columns[key];
    if (!column || value === undefined) continue;
    values.push(key === 'senders' ? JSON.stringify(value) : value);
    sets.push(`${column} = $${values.length}`);
  }
  // clock_timestamp(): the moment of the stop itself, comparable with messages.reserved_at.
  if (patch.stopped) sets.push('stopped_at = clock_timestamp()');
  await sql.query(`UPDATE enrollments SET ${sets.join(', ')} WHERE id = $1`, values);
}

/** Due enrollments across workspaces (system scope): the scheduler's sweep. */
export async function findDueEnrollments(
  sql: Sql,
  now: Date,
  limit: number,
  workspaceId?: string,
): Promise<{ id: string; workspaceId: string }[]> {
  const { rows } = await sql.query<{ id: string; workspaceId: string }>(
    `SELECT id, workspace_id AS "workspaceId" FROM enrollments
      WHERE status IN ('active', 'paused') AND next_run_at <= $1 AND ($3::uuid IS NULL OR workspace_id = $3)
      ORDER BY next_run_at LIMIT $2`,
    [now, limit, workspaceId ?? null],
  );
  return rows;
}

export async function workspaceOfEnrollment(sql: Sql, id: string): Promise<string | undefined> {
  const { rows } = await sql.query<{ workspaceId: string }>(
    'SELECT workspace_id AS "workspaceId" FROM enrollments WHERE id = $1',
    [id],
  );
  return rows[0]?.workspaceId;
}
