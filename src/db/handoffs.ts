// Hand-offs and the workspace's assignment settings (migration 071).
import type { HandoffRule, Territory } from '../core/handoffAssignment.ts';
import { cursorTimestamp, encodeCursor, type Cursor } from './cursor.ts';
import type { Sql } from './database.ts';

export type HandoffSettings = { rule: HandoffRule; territories: Territory[]; slaMinutes: number };
export const DEFAULT_HANDOFF_SETTINGS: HandoffSettings = { rule: 'owner', territories: [], slaMinutes: 30 };

export async function getHandoffSettings(sql: Sql): Promise<HandoffSettings> {
  const { rows } = await sql.query<HandoffSettings>(
    `SELECT rule, territories, sla_minutes AS "slaMinutes" FROM handoff_settings`,
  );
  return rows[0] ?? DEFAULT_HANDOFF_SETTINGS;
}

export async function saveHandoffSettings(sql: Sql, workspaceId: string, settings: HandoffSettings): Promise<void> {
  await sql.query(
    `INSERT INTO handoff_settings (workspace_id, rule, territories, sla_minutes) VALUES ($1, $2, $3, $4)
     ON CONFLICT (workspace_id) DO UPDATE SET rule = $2, territories = $3, sla_minutes = $4, updated_at = now()`,
    [workspaceId, settings.rule, JSON.stringify(settings.territories), settings.slaMinutes],
  );
}

/** The round-robin counter's current value, moved on by one. */
export async function takeTurn(sql: Sql, workspaceId: string): Promise<number> {
  const { rows } = await sql.query<{ turn: number }>(
    `INSERT INTO handoff_settings (workspace_id, next_turn) VALUES ($1, 1)
     ON CONFLICT (workspace_id) DO UPDATE SET next_turn = handoff_settings.next_turn + 1
     RETURNING next_turn - 1 AS turn`,
    [workspaceId],
  );
  return rows[0]?.turn ?? 0;
}

export type HandoffRow = {
  id: string;
  contactId: string;
  source: 'reply' | 'call' | 'manual';
  /** The reply or call task that made it; null for a manual one. */
  sourceRef: string | null;
  intent: string | null;
  summary: Record<string, unknown>;
  contactUrl: string;
  assignee: { id: string | null; email: string; name: string | null } | null;
  status: 'open' | 'acknowledged';
  dueAt: string;
  remindedAt: string | null;
  acknowledgedAt: string | null;
  createdAt: string;
};

const iso = (column: string) => `to_json(${column}) #>> '{}'`;
const COLUMNS = `id, contact_id AS "contactId", source, source_ref AS "sourceRef", intent, summary, contact_url AS "contactUrl",
  CASE WHEN assignee_email IS NULL THEN NULL ELSE json_build_object('id', assignee_id, 'email', assignee_email, 'name', assignee_name) END AS assignee,
  status, ${iso('due_at')} AS "dueAt", ${iso('reminded_at')} AS "remindedAt",
  ${iso('acknowledged_at')} AS "acknowledgedAt", ${iso('created_at')} AS "createdAt"`;

/** Inserts a hand-off; undefined when its cause (the reply, the call) already made one. */
export async function insertHandoff(
  sql: Sql,
  input: {
    workspaceId: string;
    contactId: string;
    source: HandoffRow['source'];
    sourceRef: string | null;
    intent: string | null;
    summary: Record<string, unknown>;
    contactUrl: string;
    assignee: { id: string; email: string; name: string } | undefined;
    dueAt: Date;
    now: Date;
  },
): Promise<HandoffRow | undefined> {
  const { rows } = await sql.query<HandoffRow>(
    `INSERT INTO handoffs (workspace_id, contact_id, source, source_ref, intent, summary, contact_url,
                           assignee_id, assignee_email, assignee_name, due_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (workspace_id, source, source_ref) DO NOTHING RETURNING ${COLUMNS}`,
    [
      input.workspaceId,
      input.contactId,
      input.source,
      input.sourceRef,
      input.intent,
      JSON.stringify(input.summary),
      input.contactUrl,
      input.assignee?.id ?? null,
      input.assignee?.email ?? null,
      input.assignee?.name ?? null,
      input.dueAt,
      input.now,
    ],
  );
  return rows[0];
}

export async function getHandoff(sql: Sql, id: string): Promise<HandoffRow | undefined> {
  const { rows } = await sql.query<HandoffRow>(`SELECT ${COLUMNS} FROM handoffs WHERE id = $1`, [id]);
  return rows[0];
}

export async function listHandoffs(
  sql: Sql,
  input: { limit: number; cursor?: Cursor; status?: 'open' | 'acknowledged'; contactId?: string },
): Promise<{ data: HandoffRow[]; nextCursor: string | null }> {
  const { rows } = await sql.query<HandoffRow & { cursorAt: string }>(
    `SELECT ${COLUMNS}, ${cursorTimestamp('created_at')} AS "cursorAt" FROM handoffs
      WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR contact_id = $2)
        AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
      ORDER BY created_at DESC, id DESC LIMIT $5`,
    [
      input.status ?? null,
      input.contactId ?? null,
      input.cursor?.at ?? null,
      input.cursor?.id ?? null,
      input.limit + 1,
    ],
  );
  const data = rows.slice(0, input.limit);
  const last = data[data.length - 1];
  return {
    data: data.map(({ cursorAt: _, ...row }) => row),
    nextCursor: rows.length > input.limit && last ? encodeCursor({ at: last.cursorAt, id: last.id }) : null,
  };
}

/** Acknowledges an open hand-off; false when it was acknowledged already. */
export async function acknowledgeHandoff(
  sql: Sql,
  input: { id: string; memberId: string | null; now: Date },
): Promise<boolean> {
  const { rowCount } = await sql.query(
    `UPDATE handoffs SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3
      WHERE id = $1 AND status = 'open'`,
    [input.id, input.now, input.memberId],
  );
  return (rowCount ?? 0) > 0;
}

/** Marks every open hand-off past its SLA as reminded (once); the trigger writes handoff.reminder. */
export async function remindOverdueHandoffs(
  sql: Sql,
  now: Date,
): Promise<{ workspaceId: string; id: string; contactId: string }[]> {
  const { rows } = await sql.query<{ workspaceId: string; id: string; contactId: string }>(
    `UPDATE handoffs SET reminded_at = $1
      WHERE id IN (SELECT id FROM handoffs WHERE status = 'open' AND reminded_at IS NULL AND due_at <= $1
                    ORDER BY due_at LIMIT 500 FOR UPDATE SKIP LOCKED)
      RETURNING workspace_id AS "workspaceId", id, contact_id AS "contactId"`,
    [now],
  );
  return rows;
}

export type ConversationLine = {
  at: string;
  direction: 'out' | 'in';
  channel: string;
  subject: string | null;
  text: string;
};

/** The contact's conversation so far, oldest first: what went out and what came back (the last 20). */
export async function conversationSoFar(sql: Sql, contactId: string): Promise<ConversationLine[]> {
  const { rows } = await sql.query<ConversationLine>(
    `SELECT * FROM (
       SELECT ${iso('m.sent_at')} AS at, 'out' AS direction, m.channel, m.subject, left(m.body, 2000) AS text
         FROM messages m WHERE m.contact_id = $1 AND m.sent_at IS NOT NULL
       UNION ALL
       SELECT ${iso('r.received_at')}, 'in', m.channel, r.subject, left(r.body, 2000)
         FROM replies r JOIN messages m ON m.id = r.message_id WHERE r.contact_id = $1
       ORDER BY at DESC LIMIT 20) AS last
     ORDER BY at`,
    [contactId],
  );
  return rows;
}
