// Call tasks of one workspace (migration 055): created by a call step, dialled through Twilio,
// closed by the outcome a person logs.
import type { Sql } from './database.ts';

export const CALL_OUTCOMES = [
  'connected_interested',
  'connected_not_now',
  'connected_not_interested',
  'voicemail',
  'no_answer',
  'wrong_number',
  'do_not_call',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export type TaskOwner = { userId?: string; phone?: string; name?: string };

export type Task = {
  id: string;
  kind: 'call';
  enrollmentId: string;
  contactId: string;
  sequenceId: string;
  step: number;
  status: 'open' | 'calling' | 'done';
  owner: TaskOwner;
  phone: string;
  timezone: string;
  reason: string;
  talkTrack: string;
  dueAt: Date;
  senderId: string | null;
  callSid: string | null;
  callStatus: string | null;
  calls: { sid: string; status: string; at: string }[];
  outcome: CallOutcome | null;
  outcomeNote: string | null;
  returnDate: string | null;
  outcomeAt: Date | null;
  createdAt: Date;
};

const COLUMNS = `id, kind, enrollment_id AS "enrollmentId", contact_id AS "contactId", sequence_id AS "sequenceId",
  step, status, owner, phone, timezone, reason, talk_track AS "talkTrack", due_at AS "dueAt", sender_id AS "senderId",
  call_sid AS "callSid", call_status AS "callStatus", calls, outcome, outcome_note AS "outcomeNote",
  to_char(return_date, 'YYYY-MM-DD') AS "returnDate", outcome_at AS "outcomeAt", created_at AS "createdAt"`;

/** Creates the step's task; false when the step already has one (a redelivered decision). */
export async function insertTask(
  sql: Sql,
  t: Pick<Task, 'id' | 'enrollmentId' | 'contactId' | 'sequenceId' | 'step' | 'owner' | 'phone' | 'timezone'> &
    Pick<Task, 'reason' | 'talkTrack' | 'dueAt' | 'senderId'> & { workspaceId: string; createdAt: Date },
): Promise<boolean> {
  const { rowCount } = await sql.query(
    `INSERT INTO tasks (id, workspace_id, enrollment_id, contact_id, sequence_id, step, owner, phone, timezone, reason,
                        talk_track, due_at, sender_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (enrollment_id, step) DO NOTHING`,
    [
      t.id,
      t.workspaceId,
      t.enrollmentId,
      t.contactId,
      t.sequenceId,
      t.step,
      JSON.stringify(t.owner),
      t.phone,
      t.timezone,
      t.reason,
      t.talkTrack,
      t.dueAt,
      t.senderId,
      t.createdAt,
    ],
  );
  return rowCount === 1;
}

export async function getTask(sql: Sql, id: string, options: { lock?: boolean } = {}): Promise<Task | undefined> {
  const { rows } = await sql.query<Task>(
    `SELECT ${COLUMNS} FROM tasks WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

/** Tasks, open ones first by due time, then done ones; `afterId` pages by id within a status. */
export async function listTasks(
  sql: Sql,
  filter: { status?: Task['status']; contactId?: string; limit: number; afterId?: string },
): Promise<Task[]> {
  const { rows } = await sql.query<Task>(
    `SELECT ${COLUMNS} FROM tasks
      WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR contact_id = $2) AND ($3::uuid IS NULL OR id > $3)
      ORDER BY id LIMIT $4`,
    [filter.status ?? null, filter.contactId ?? null, filter.afterId ?? null, filter.limit],
  );
  return rows;
}

export async function startTaskCall(sql: Sql, id: string, input: { callSid: string; senderId: string; at: Date }) {
  await sql.query(
    `UPDATE tasks SET status = 'calling', call_sid = $2, call_status = 'queued', sender_id = $3,
            calls = calls || jsonb_build_array(jsonb_build_object('sid', $2::text, 'status', 'queued', 'at', $4::text))
      WHERE id = $1`,
    [id, input.callSid, input.senderId, input.at.toISOString()],
  );
}

/** The task a call (by its provider id) was made for. */
export async function taskOfCall(sql: Sql, callSid: string): Promise<{ id: string; contactId: string } | undefined> {
  const { rows } = await sql.query<{ id: string; contactId: string }>(
    'SELECT id, contact_id AS "contactId" FROM tasks WHERE call_sid = $1 OR calls @> $2::jsonb LIMIT 1',
    [callSid, JSON.stringify([{ sid: callSid }])],
  );
  return rows[0];
}

/** Records a call status once (a redelivery of the same status changes nothing); false for a duplicate. */
export async function recordCallStatus(sql: Sql, id: string, input: { callSid: string; status: string; at: Date }) {
  const { rowCount } = await sql.query(
    `UPDATE tasks SET call_status = CASE WHEN call_sid = $2 THEN $3 ELSE call_status END,
            calls = calls || jsonb_build_array(jsonb_build_object('sid', $2::text, 'status', $3::text, 'at', $4::text))
      WHERE id = $1 AND NOT calls @> jsonb_build_array(jsonb_build_object('sid', $2::text, 'status', $3::text))`,
    [id, input.callSid, input.status, input.at.toISOString()],
  );
  return rowCount === 1;
}

export async function closeTask(
  sql: Sql,
  id: string,
  input: { outcome: CallOutcome; note: string | null; returnDate: string | null; at: Date },
): Promise<void> {
  await sql.query(
    `UPDATE tasks SET status = 'done', outcome = $2, outcome_note = $3, return_date = $4::date, outcome_at = $5
      WHERE id = $1`,
    [id, input.outcome, input.note, input.returnDate, input.at],
  );
}

/** Call outcomes of a sequence, for its analytics. */
export async function callOutcomeCounts(sql: Sql, sequenceId: string): Promise<Record<string, number>> {
  const { rows } = await sql.query<{ outcome: string; n: number }>(
    `SELECT coalesce(outcome, 'open') AS outcome, count(*)::int AS n FROM tasks WHERE sequence_id = $1 GROUP BY 1`,
    [sequenceId],
  );
  return Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
}

/** Clears a contact's phone (a wrong number). */
export async function clearContactPhone(sql: Sql, contactId: string): Promise<void> {
  await sql.query('UPDATE contacts SET phone = NULL, updated_at = now() WHERE id = $1', [contactId]);
}
