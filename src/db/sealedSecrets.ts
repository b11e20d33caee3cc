// The columns that hold sealed secrets (engine/accounts/secrets.ts), for key rotation: rows whose
// secrets another key (or the format before associated data) sealed, locked while they are
// re-sealed so an account update or a token refresh in between is neither lost nor overwritten.
import type { Sql } from './database.ts';

/** Every sealed column, by table; each row's secrets are bound to its id and workspace. */
export const SEALED_COLUMNS = {
  senders: ['credentials'],
  outbound_targets: ['secret', 'previous_secret'],
} as const;

export type SealedTable = keyof typeof SEALED_COLUMNS;

export type SealedRow = { id: string; workspaceId: string; sealed: (Buffer | null)[] };

/**
 * Up to `limit` rows of `table` with a secret that does not start with `header` (the current key's),
 * locked for this transaction: a row a send or an update holds is waited for, then checked again
 * (PostgreSQL re-reads a locked row: one re-sealed meanwhile by another worker drops out).
 */
export async function lockStaleSealed(
  sql: Sql,
  table: SealedTable,
  input: { header: Buffer; skip: readonly string[]; limit: number },
): Promise<SealedRow[]> {
  const columns = SEALED_COLUMNS[table];
  const stale = columns.map((c) => `(${c} IS NOT NULL AND substring(${c} FROM 1 FOR 9) <> $1)`).join(' OR ');
  const { rows } = await sql.query<{ id: string; workspaceId: string; sealed: (Buffer | null)[] }>(
    `SELECT id, workspace_id AS "workspaceId", ARRAY[${columns.join(', ')}] AS sealed FROM ${table}
      WHERE (${stale}) AND id <> ALL($2::uuid[])
      ORDER BY id LIMIT $3 FOR UPDATE`,
    [input.header, input.skip, input.limit],
  );
  return rows;
}

/** Writes a row's re-sealed secrets, in SEALED_COLUMNS order. */
export async function writeSealed(sql: Sql, table: SealedTable, id: string, sealed: (Buffer | null)[]): Promise<void> {
  const columns = SEALED_COLUMNS[table];
  await sql.query(`UPDATE ${table} SET ${columns.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE id = $1`, [
    id,
    ...sealed,
  ]);
}
