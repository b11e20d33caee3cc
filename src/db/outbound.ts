// The outbound targets of a workspace (signed webhooks, notifications, CRMs) and the outbox's
// deliveries: claimed with a lease across workspaces, each attempt logged. Events and deliveries
// are written by triggers (migration 070), in the transaction of the change that caused them.
import type { Sql } from './database.ts';

export const TARGET_KINDS = ['webhook', 'slack', 'email', 'hubspot', 'pipedrive'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export type TargetRow = {
  id: string;
  workspaceId: string;
  kind: TargetKind;
  url: string | null;
  events: string[];
  secret: Buffer;
  previousSecret: Buffer | null;
  previousUntil: Date | null;
  settings: Record<string, unknown>;
  status: 'enabled' | 'disabled' | 'deleted';
  statusReason: string | null;
  createdAt: string;
};

const TARGET_COLUMNS = `id, workspace_id AS "workspaceId", kind, url, events, secret, previous_secret AS "previousSecret",
  previous_until AS "previousUntil", settings, status, status_reason AS "statusReason",
  to_json(created_at) #>> '{}' AS "createdAt"`;

export async function insertTarget(
  sql: Sql,
  input: {
    workspaceId: string;
    kind: TargetKind;
    url: string | null;
    events: readonly string[];
    secret: Buffer;
    settings?: Record<string, unknown>;
    /** Chosen by the caller: the secret is sealed for this row before it exists. */
    id?: string;
  },
): Promise<TargetRow> {
  const { rows } = await sql.query<TargetRow>(
    `INSERT INTO outbound_targets (workspace_id, kind, url, events, secret, settings, id)
     VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7::uuid, gen_random_uuid())) RETURNING ${TARGET_COLUMNS}`,
    [
      input.workspaceId,
      input.kind,
      input.url,
      input.events,
      input.secret,
      JSON.stringify(input.settings ?? {}),
      input.id ?? null,
    ],
  );
  return rows[0] as TargetRow;
}

export async function listTargets(sql: Sql, kinds: readonly TargetKind[]): Promise<TargetRow[]> {
  const { rows } = await sql.query<TargetRow>(
    `SELECT ${TARGET_COLUMNS} FROM outbound_targets WHERE kind = ANY ($1) AND status <> 'deleted' ORDER BY created_at, id`,
    [kinds],
  );
  return rows;
}

export async function getTarget(sql: Sql, id: string): Promise<TargetRow | undefined> {
  const { rows } = await sql.query<TargetRow>(
    `SELECT ${TARGET_COLUMNS} FROM outbound_targets WHERE id = $1 AND status <> 'deleted'`,
    [id],
  );
  return rows[0];
}

/** Deletes a target: it receives nothing more, its pending deliveries fail; its log stays readable until erased. */
export async function deleteTarget(sql: Sql, id: string): Promise<boolean> {
  const { rowCount } = await sql.query(
    `UPDATE outbound_targets SET status = 'deleted', status_reason = 'deleted', updated_at = now()
      WHERE id = $1 AND status <> 'deleted'`,
    [id],
  );
  if (!rowCount) return false;
  await sql.query(
    `UPDATE outbound_deliveries SET status = 'failed', last_error = 'target deleted', lease_until = NULL
      WHERE target_id = $1 AND status = 'pending'`,
    [id],
  );
  return true;
}

export async function setTargetStatus(
  sql: Sql,
  id: string,
  status: 'enabled' | 'disabled',
  reason: string | null,
): Promise<boolean> {
  const { rowCount } = await sql.query(
    `UPDATE outbound_targets SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1 AND status <> 'deleted'`,
    [id, status, reason],
  );
  return (rowCount ?? 0) > 0;
}

/** A new secret; the current one keeps signing alongside until `previousUntil`. */
export async function rotateTargetSecret(
  sql: Sql,
  input: { id: string; secret: Buffer; previousUntil: Date },
): Promise<TargetRow | undefined> {
  const { rows } = await sql.query<TargetRow>(
    `UPDATE outbound_targets SET previous_secret = secret, previous_until = $3, secret = $2, updated_at = now()
      WHERE id = $1 AND status <> 'deleted' RETURNING ${TARGET_COLUMNS}`,
    [input.id, input.secret, input.previousUntil],
  );
  return rows[0];
}
