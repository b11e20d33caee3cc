// Planner statistics for the tables that grow fastest. PostgreSQL keeps a plan per connection (the
// engine's batched functions, prepared statements), made with the statistics of the moment; a
// table that has not been analyzed since it was nearly empty (a new database, a first import, a
// first campaign) is planned as if it still were, and plans made then can scan the whole
// workspace for each row until autovacuum's next ANALYZE, up to a minute later. A table whose
// rows outgrew its statistics (more than twice the rows they describe, and 1,000 or more) is
// analyzed here at once; ANALYZE invalidates the plans made on the old statistics.
import type { Db } from './database.ts';

const GROWING = ['contacts', 'enrollments', 'messages', 'message_events', 'activities', 'sender_usage'] as const;

// Arbitrary constant: "QH" + "analyze". One process analyzes at a time; the others skip their turn.
const LOCK_KEY = 5_148_720_002;

/**
 * Analyzes the growing tables whose statistics are stale; returns the tables analyzed. One
 * transaction with a transaction-level lock: a session-level one would stay held on whichever
 * server connection a pooler in transaction mode gave it to.
 */
export async function refreshStatistics(db: Db): Promise<string[]> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const { rows: lock } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [
      LOCK_KEY,
    ]);
    if (!lock[0]?.ok) {
      await client.query('COMMIT');
      return [];
    }
    const { rows } = await client.query<{ table: string }>(
      `SELECT c.relname AS table FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
        WHERE s.schemaname = current_schema() AND c.relname = ANY ($1)
          AND s.n_live_tup >= 1000 AND s.n_live_tup > 2 * greatest(c.reltuples, 0) + 1000`,
      [GROWING],
    );
    for (const { table } of rows) await client.query(`ANALYZE ${table}`);
    await client.query('COMMIT');
    return rows.map((r) => r.table);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Analyzes `tables` now: after a bulk write whose rows the activity statistics may not show yet
 * (they reach pg_stat_user_tables up to seconds after the commit).
 */
export async function analyzeTables(db: Db, tables: readonly (typeof GROWING)[number][]): Promise<void> {
  for (const table of tables) await db.pool.query(`ANALYZE ${table}`);
}
