// One pool, two ways in. Tenant work runs in a transaction as the quotahit_app role with
// app.workspace_id set, so row-level security backs up every workspace filter in the SQL.
// System work (API-key lookup, migrations, cross-workspace schedulers) runs as the owner.
import pg from 'pg';

export type Sql = {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
};

export type Db = {
  pool: pg.Pool;
  /** Runs fn in a transaction scoped to one workspace (RLS enforced). */
  tenant<T>(workspaceId: string, fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** Runs fn in a transaction as the owner (no RLS): only for work that spans workspaces. */
  system<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export const APP_ROLE = 'quotahit_app';

export function createDb(options: { url: string; poolSize?: number }): Db {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  // An idle client losing its connection must not crash the process.
  pool.on('error', () => {});

  async function transaction<T>(setup: (client: pg.PoolClient) => Promise<void>, fn: (sql: Sql) => Promise<T>) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await setup(client);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  return {
    pool,
    tenant: (workspaceId, fn) =>
      transaction(async (client) => {
        await client.query("SELECT set_config('role', $1, true), set_config('app.workspace_id', $2, true)", [
          APP_ROLE,
          workspaceId,
        ]);
      }, fn),
    system: (fn) => transaction(async () => {}, fn),
    close: () => pool.end(),
  };
}
