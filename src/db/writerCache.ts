// The writer's persistent cache: outcomes the model paid for, keyed by cacheKey() per workspace.
// Two ways to use it: bound to a tenant transaction the caller already holds (the engine writes a
// step inside its reservation transaction, so a busy worker never needs a second connection per
// message), or scoped to a workspace with a short transaction per lookup (previews).
import type { WriteCache, WriteOutcome } from '../writer/writer.ts';
import type { Db, Sql } from './database.ts';

export async function getCachedOutcome(sql: Sql, key: string): Promise<WriteOutcome | undefined> {
  const { rows } = await sql.query<{ outcome: WriteOutcome }>('SELECT outcome FROM writer_cache WHERE key = $1', [key]);
  return rows[0]?.outcome;
}

/** Stores an outcome for the transaction's workspace; the first writer of a key wins. */
export async function putCachedOutcome(sql: Sql, key: string, outcome: WriteOutcome): Promise<void> {
  const { cached: _cached, ...stored } = outcome;
  await sql.query(
    `INSERT INTO writer_cache (workspace_id, key, outcome) VALUES (qh_current_workspace(), $1, $2)
     ON CONFLICT (workspace_id, key) DO NOTHING`,
    [key, JSON.stringify(stored)],
  );
}

/** A cache inside the caller's tenant transaction (rolled back with it). */
export function transactionWriteCache(sql: Sql): WriteCache {
  return {
    get: (key) => getCachedOutcome(sql, key),
    set: (key, outcome) => putCachedOutcome(sql, key, outcome),
  };
}

/** A cache for one workspace, each lookup in its own short transaction. */
export function workspaceWriteCache(db: Db, workspaceId: string): WriteCache {
  return {
    get: (key) => db.tenant(workspaceId, (sql) => getCachedOutcome(sql, key)),
    set: (key, outcome) => db.tenant(workspaceId, (sql) => putCachedOutcome(sql, key, outcome)),
  };
}
