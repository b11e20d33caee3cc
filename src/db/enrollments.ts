// Enrollments: one contact in one sequence, with where it stands and when it runs next.
import type { StopReason } from '../core/decideOnEvent.ts';
import type { Sql } from './database.ts';

export type { StopReason } from '../core/decideOnEvent.ts';

export type EnrollmentStatus = 'active' | 'paused' | 'completed' | 'stopped';

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
    /** What holds the step until `nextRunAt` (given with it); see migration 011. */
    hold?: { by: string; ref: string | null };
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
  if (patch.hold) {
    if (!patch.nextRunAt) throw new Error('a hold needs the time it ends (nextRunAt)');
    values.push(patch.hold.by, patch.hold.ref, patch.nextRunAt);
    const n = values.length;
    sets.push(`held_by = $${n - 2}`, `held_ref = $${n - 1}`, `held_until = $${n}`);
  }
  await sql.query(`UPDATE enrollments SET ${sets.join(', ')} WHERE id = $1`, values);
}

/**
 * Stops a running (active or paused) enrollment and cancels its deferred messages: the one way an
 * enrollment stops, whatever the cause (a reply, a bounce, an unsubscribe, a suppression, by hand).
 * False when it was not running (nothing changed).
 */
export async function stopEnrollment(sql: Sql, id: string, reason: StopReason): Promise<boolean> {
  // clock_timestamp(): the moment of the stop itself, comparable with messages.reserved_at.
  const { rowCount } = await sql.query(
    `UPDATE enrollments SET status = 'stopped', stop_reason = $2, stopped_at = clock_timestamp(), next_run_at = NULL,
            held_by = NULL, held_ref = NULL, held_until = NULL, updated_at = now()
      WHERE id = $1 AND status IN ('active', 'paused')`,
    [id, reason],
  );
  if (rowCount !== 1) return false;
  await sql.query(
    `UPDATE messages SET status = 'cancelled', lease_until = NULL WHERE enrollment_id = $1 AND status = 'deferred'`,
    [id],
  );
  return true;
}

/** Pauses a running enrollment until a time (it runs again then) or, without one, until resumed. */
export async function pauseEnrollment(
  sql: Sql,
  id: string,
  input: { reason: string; until: Date | null },
): Promise<void> {
  await updateEnrollment(sql, id, {
    status: 'paused',
    pauseReason: input.reason,
    pausedUntil: input.until,
    nextRunAt: input.until,
  });
}

/**
 * The account rule: pauses (until resumed) the active enrollments of other contacts at a company
 * domain, and returns them.
 */
export async function pauseColleagues(
  sql: Sql,
  input: { companyDomain: string; exceptContactId: string },
): Promise<{ id: string; contactId: string }[]> {
  const { rows } = await sql.query<{ id: string; contactId: string }>(
    `UPDATE enrollments e SET status = 'paused', pause_reason = 'colleague_replied', paused_until = NULL, next_run_at = NULL, updated_at = now()
       FROM contacts c
      WHERE c.id = e.contact_id AND c.company_domain = $1 AND e.contact_id <> $2 AND e.status = 'active'
      RETURNING e.id, e.contact_id AS "contactId"`,
    [input.companyDomain, input.exceptContactId],
  );
  return rows;
}

export type Held = { id: string; contactId: string; sequenceId: string; step: number };

/**
 * Active enrollments whose step is held by `by`/`ref` (the hold still current: next_run_at is the
 * hold's end), locked. SKIP LOCKED: an enrollment running right now is rescheduled by its own run,
 * and never waiting here means no lock-order cycle with the runs (they lock the enrollment first).
 */
export async function lockHeld(
  sql: Sql,
  input: { holds: readonly { by: string; ref: string }[]; now: Date },
): Promise<Held[]> {
  if (input.holds.length === 0) return [];
  const { rows } = await sql.query<Held>(
    `SELECT e.id, e.contact_id AS "contactId", e.sequence_id AS "sequenceId", e.current_step AS step
       FROM enrollments e
       JOIN unnest($1::text[], $2::text[]) AS h (by, ref) ON e.held_by = h.by AND e.held_ref = h.ref
      WHERE e.status = 'active' AND e.next_run_at > $3 AND e.next_run_at = e.held_until
      ORDER BY e.id
        FOR UPDATE OF e SKIP LOCKED`,
    [input.holds.map((h) => h.by), input.holds.map((h) => h.ref), input.now],
  );
  return rows;
}

/** Lets held steps run now. */
export async function releaseHeld(sql: Sql, ids: readonly string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await sql.query(
    'UPDATE enrollments SET next_run_at = $2, held_by = NULL, held_ref = NULL, held_until = NULL WHERE id = ANY ($1::uuid[])',
    [ids, now],
  );
}

/** Due enrollments across workspaces (system scope): the scheduler's sweep. */
export async function findDueEnrollments(
  sql: Sql,
  now: Date,
  limit: number,
): Promise<{ id: string; workspaceId: string }[]> {
  const { rows } = await sql.query<{ id: string; workspaceId: string }>(
    `SELECT id, workspace_id AS "workspaceId" FROM enrollments
      WHERE status IN ('active', 'paused') AND next_run_at <= $1
      ORDER BY next_run_at LIMIT $2`,
    [now, limit],
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

export type EnrollmentCandidate = {
  id: string;
  status: string;
  enrolled: boolean;
  /** What tells a placeholder lead (core/leadQuality.ts). */
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
};

/** Contacts named by ids or a tag, with their status and whether they are already in the sequence. */
export async function enrollmentCandidates(
  sql: Sql,
  input: { sequenceId: string; contactIds?: string[]; tag?: string },
): Promise<EnrollmentCandidate[]> {
  const { rows } = await sql.query<EnrollmentCandidate>(
    `SELECT c.id, c.status, c.email, c.first_name AS "firstName", c.last_name AS "lastName", c.company,
            EXISTS (SELECT 1 FROM enrollments e WHERE e.sequence_id = $1 AND e.contact_id = c.id) AS enrolled
       FROM contacts c
      WHERE ($2::uuid[] IS NULL OR c.id = ANY ($2::uuid[])) AND ($3::text IS NULL OR $3 = ANY (c.tags))`,
    [input.sequenceId, input.contactIds ?? null, input.tag ?? null],
  );
  return rows;
}
