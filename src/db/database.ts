// One pool, two ways in. Tenant work runs in a transaction as the quotahit_app role with
// app.workspace_id set, so row-level security backs up every workspace filter in the SQL.
// System work (API-key lookup, migrations, cross-workspace schedulers) runs as the owner.
import { createHash } from 'node:crypto';
import pg from 'pg';

export type Sql = {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
};

export type Db = {
  pool: pg.Pool;
  /** Runs fn in a transaction scoped to one workspace (RLS enforced). */
  tenant<T>(workspaceId: string, fn: (sql: Sql) => Promise<T>): Promise<T>;
  /**
   * Runs statements (simple protocol: no parameters; quote values with `literal`) as one implicit
   * transaction scoped to one workspace, in a single round trip, and returns the last one's result.
   * Row locks they take end with them: nothing holds a lock while waiting for this process.
   */
  statement<R extends pg.QueryResultRow = pg.QueryResultRow>(
    workspaceId: string,
    text: string,
  ): Promise<pg.QueryResult<R>>;
  /** Runs fn in a transaction as the owner (no RLS): only for work that spans workspaces. */
  system<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export const APP_ROLE = 'quotahit_app';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The tenant settings for the current transaction (the id is checked to be a UUID first). */
const tenantSettings = (workspaceId: string) =>
  `SELECT set_config('role', '${APP_ROLE}', true), set_config('app.workspace_id', '${workspaceId}', true)`;

/** A value quoted for a statement sent without parameters (Db.statement). */
export const literal = (value: string): string => pg.escapeLiteral(value);

const names = new Map<string, string>();

/**
 * Every parameterized query as a named prepared statement (named by its text): each connection
 * parses and plans a statement once instead of on every call. The engine's hot path runs the same
 * few dozen statements for every step, so this is most of PostgreSQL's work per step saved.
 */
function prepared(client: pg.PoolClient): Sql {
  return {
    query<R extends pg.QueryResultRow>(text: string, values?: unknown[]) {
      if (values === undefined) return client.query<R>(text);
      let name = names.get(text);
      // A bounded cache: statements built with varying text are simply not prepared past it.
      if (name === undefined && names.size >= 5000) return client.query<R>(text, values);
      if (name === undefined) {
        name = `qh_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
        names.set(text, name);
      }
      return client.query<R>({ name, text, values });
    },
  };
}

export function createDb(options: { url: string; poolSize?: number }): Db {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  // An idle client losing its connection must not crash the process.
  pool.on('error', () => {});

  async function transaction<T>(begin: string, fn: (sql: Sql) => Promise<T>) {
    const client = await pool.connect();
    try {
      await client.query(begin);
      const result = await fn(prepared(client));
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
    tenant: (workspaceId, fn) => {
      // BEGIN and the tenant settings in one round trip (simple protocol, so no parameters: the
      // id is checked to be a UUID before it is written into the statement).
      if (!UUID.test(workspaceId)) return Promise.reject(new Error(`not a workspace id: ${workspaceId}`));
      return transaction(`BEGIN; ${tenantSettings(workspaceId)}`, fn);
    },
    system: (fn) => transaction('BEGIN', fn),
    async statement<R extends pg.QueryResultRow>(workspaceId: string, text: string) {
      if (!UUID.test(workspaceId)) throw new Error(`not a workspace id: ${workspaceId}`);
      const results = (await pool.query(`${tenantSettings(workspaceId)}; ${text}`)) as unknown as pg.QueryResult<R>[];
      return results[results.length - 1] as pg.QueryResult<R>;
    },
    close: () => pool.end(),
  };
}
