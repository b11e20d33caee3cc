// Outreach plans of one workspace: proposed (draft), being executed, executed with their result.
import type { LeadPlan, StoredPlanSummary } from '../writer/plan.ts';
import type { Sql } from './database.ts';

export type PlanStatus = 'draft' | 'executing' | 'executed';

export type PlanRow = {
  id: string;
  status: PlanStatus;
  request: Record<string, unknown>;
  sequenceId: string | null;
  preset: string | null;
  leads: LeadPlan[];
  summary: StoredPlanSummary;
  result: Record<string, unknown> | null;
  createdAt: string;
  executedAt: string | null;
};

const COLUMNS = `id, status, request, sequence_id AS "sequenceId", preset, leads, summary, result,
  to_json(created_at) #>> '{}' AS "createdAt", to_json(executed_at) #>> '{}' AS "executedAt"`;

export async function insertPlan(
  sql: Sql,
  plan: {
    workspaceId: string;
    request: unknown;
    sequenceId: string | null;
    preset: string | null;
    leads: LeadPlan[];
    summary: StoredPlanSummary;
  },
): Promise<PlanRow> {
  const { rows } = await sql.query<PlanRow>(
    `INSERT INTO outreach_plans (workspace_id, request, sequence_id, preset, leads, summary)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [
      plan.workspaceId,
      JSON.stringify(plan.request),
      plan.sequenceId,
      plan.preset,
      JSON.stringify(plan.leads),
      JSON.stringify(plan.summary),
    ],
  );
  const row = rows[0];
  if (!row) throw new Error('INSERT … RETURNING returned no row');
  return row;
}

export async function getPlan(sql: Sql, id: string): Promise<PlanRow | undefined> {
  const { rows } = await sql.query<PlanRow>(`SELECT ${COLUMNS} FROM outreach_plans WHERE id = $1`, [id]);
  return rows[0];
}

/** draft → executing, atomically: only one execution of a plan can start. */
export async function claimPlan(sql: Sql, id: string): Promise<PlanRow | undefined> {
  const { rows } = await sql.query<PlanRow>(
    `UPDATE outreach_plans SET status = 'executing' WHERE id = $1 AND status = 'draft' RETURNING ${COLUMNS}`,
    [id],
  );
  return rows[0];
}

/** executing → draft after a failed execution, so it can be retried (enrolling again is a no-op). */
export async function releasePlan(sql: Sql, id: string): Promise<void> {
  await sql.query(`UPDATE outreach_plans SET status = 'draft' WHERE id = $1 AND status = 'executing'`, [id]);
}

export async function finishPlan(
  sql: Sql,
  id: string,
  done: { sequenceId: string; result: unknown; at: Date },
): Promise<PlanRow | undefined> {
  const { rows } = await sql.query<PlanRow>(
    `UPDATE outreach_plans SET status = 'executed', sequence_id = $2, result = $3, executed_at = $4
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, done.sequenceId, JSON.stringify(done.result), done.at],
  );
  return rows[0];
}

export type ExecutionFacts = {
  messages: { enrollmentId: string; contactId: string; channel: string; status: string; error: string | null }[];
  enrollments: { id: string; contactId: string; status: string; nextRunAt: string | null; currentStep: number }[];
  /** Timeline notes that explain why a step did not go out (blocked, generation failed, stopped). */
  notes: { contactId: string; type: string; summary: string }[];
};

/** What became of a set of enrollments: their messages, state and the notes that explain them. */
export async function executionFacts(
  sql: Sql,
  enrollments: { enrollmentId: string; contactId: string }[],
): Promise<ExecutionFacts> {
  const enrollmentIds = enrollments.map((e) => e.enrollmentId);
  const contactIds = enrollments.map((e) => e.contactId);
  // Sequential: the queries share the transaction's one connection.
  const messages = await sql.query<ExecutionFacts['messages'][number]>(
    `SELECT enrollment_id AS "enrollmentId", contact_id AS "contactId", channel, status, error
         FROM messages WHERE enrollment_id = ANY ($1::uuid[]) ORDER BY reserved_at, id`,
    [enrollmentIds],
  );
  const rows = await sql.query<ExecutionFacts['enrollments'][number]>(
    `SELECT id, contact_id AS "contactId", status, to_json(next_run_at) #>> '{}' AS "nextRunAt",
              current_step AS "currentStep"
         FROM enrollments WHERE id = ANY ($1::uuid[]) ORDER BY id`,
    [enrollmentIds],
  );
  const notes = await sql.query<ExecutionFacts['notes'][number]>(
    `SELECT contact_id AS "contactId", type, summary FROM activities
        WHERE contact_id = ANY ($2::uuid[]) AND data->>'enrollmentId' = ANY ($1::text[])
          AND type IN ('blocked', 'generation_failed', 'stopped')
        ORDER BY occurred_at, id`,
    [enrollmentIds, contactIds],
  );
  return { messages: messages.rows, enrollments: rows.rows, notes: notes.rows };
}

export async function contactStatuses(sql: Sql, ids: string[]): Promise<Map<string, string>> {
  const { rows } = await sql.query<{ id: string; status: string }>(
    'SELECT id, status FROM contacts WHERE id = ANY ($1::uuid[])',
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row.status]));
}
