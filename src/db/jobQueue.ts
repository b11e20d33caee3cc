// The queue's own statements about pg-boss's job table (pg-boss 10.4's schema, pinned; checked
// by test/engine/queue.test.ts on an upgrade). Run on pg-boss's connection (src/engine/queue.ts).
export type Execute = (text: string, values: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

/**
 * The jobs due first, marked active: pg-boss's own fetch, except for the order. pg-boss orders by
 * priority and creation time, which no index of its job table serves, so each of its fetches reads
 * and sorts every due job of the type (with 20,000 waiting, a few milliseconds of PostgreSQL per
 * fetch, and that on every fetch of every worker). Ordered by start_after, the scan follows the
 * index pg-boss keeps for fetching (name, start_after, for jobs not yet active) and stops after
 * `limit` rows. QuotaHit sends no priorities and uses the standard queue policy only, so nothing
 * else of pg-boss's fetch applies. The statement touches only pg-boss's documented columns and is
 * tested against the pinned version (test/engine/queue.test.ts).
 */
export async function fetchDueJobs(
  execute: Execute,
  name: string,
  limit: number,
): Promise<{ id: string; data: unknown }[]> {
  const result = await execute(FETCH_DUE, [name, limit]);
  return result.rows as { id: string; data: unknown }[];
}

const FETCH_DUE = `
  WITH next AS (
    SELECT id FROM pgboss.job
     WHERE name = $1 AND state < 'active' AND start_after < now()
     ORDER BY start_after
     LIMIT $2
       FOR UPDATE SKIP LOCKED)
  UPDATE pgboss.job j
     SET state = 'active', started_on = now(),
         retry_count = CASE WHEN j.started_on IS NOT NULL THEN j.retry_count + 1 ELSE j.retry_count END
    FROM next
   WHERE j.name = $1 AND j.id = next.id
  RETURNING j.id, j.data`;

/** Whether jobs of `name` due at or before `dueBefore` still wait (pg-boss's index on (name, start_after) serves it). */
export async function jobsBehind(execute: Execute, name: string, dueBefore: Date): Promise<boolean> {
  const result = await execute(
    `SELECT EXISTS (SELECT 1 FROM pgboss.job WHERE name = $1 AND state < 'active' AND start_after <= $2) AS behind`,
    [name, dueBefore],
  );
  return result.rows[0]?.behind === true;
}
