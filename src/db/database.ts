// One pool, two ways in. Tenant work runs in a transaction as the quotahit_app role with
// app.workspace_id set, so row-level security backs up every workspace filter in the SQL.
// System work (API-key lookup, migrations, cross-workspace schedulers) runs as the owner.
import { createHash } from 'node:crypto';
import pg from 'pg';

export type Sql = {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  /**
   * Runs statements (simple protocol, values quoted with `literal` or passed through `execute`) in
   * one round trip and returns every result; `uses` are the prepared statements they EXECUTE.
   */
  batch(text: string, uses: readonly Prepared[]): Promise<pg.QueryResult[]>;
};

/**
 * A statement PREPAREd (SQL-level) once per connection and run by `execute` inside a
 * simple-protocol batch: one round trip for several statements, each planned once per connection
 * instead of on every call (a statement with its values written in is planned every time).
 */
export type Prepared = { readonly name: string; readonly sql: string };

export function prepare(types: readonly string[], body: string): Prepared {
  const name = `qh_p_${createHash('sha1')
    .update(`${types.join(',')}|${body}`)
    .digest('hex')
    .slice(0, 20)}`;
  return { name, sql: `PREPARE ${name} (${types.join(', ')}) AS ${body}` };
}

type Value = string | number | boolean | null | Date | readonly string[];

/** A PostgreSQL array literal of strings, every element quoted. */
const arrayLiteral = (items: readonly string[]) =>
  `{${items.map((item) => `"${item.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;

/** `EXECUTE name(values…)`, each value quoted as a literal (its type comes from the PREPARE). */
export function execute(statement: Prepared, values: readonly Value[]): string {
  const quoted = values.map((v) =>
    v === null ? 'NULL' : literal(v instanceof Date ? v.toISOString() : Array.isArray(v) ? arrayLiteral(v) : String(v)),
  );
  return `EXECUTE ${statement.name}(${quoted.join(', ')})`;
}

/** The prepared statements each connection holds (they live as long as the connection). */
const preparedOn = new WeakMap<pg.ClientBase, Set<string>>();

/**
 * How the connections reach PostgreSQL. `session`: each client connection is one server session
 * (a direct connection, or PgBouncer in session mode), so statements prepared on it stay there.
 * `transaction`: a pooler in transaction mode (PgBouncer's `pool_mode = transaction`) hands each
 * transaction to whichever server connection is free, so nothing prepared in one transaction can
 * be counted on in the next; statements are then parsed on every call (docs/scaling.md).
 */
export type Pooling = 'session' | 'transaction';

/**
 * Sends `text` with a PREPARE in front for every statement of `uses` this connection lacks. A
 * failed batch may or may not have prepared them: the connection is then marked to be discarded.
 * Under transaction pooling the batch prepares everything it uses itself, after dropping whatever
 * an earlier transaction left on the server connection it landed on (the batch is one implicit
 * transaction, so it stays on that one server connection from the first statement to the last).
 */
async function runBatch(
  client: pg.PoolClient,
  text: string,
  uses: readonly Prepared[],
  pooling: Pooling,
): Promise<pg.QueryResult[]> {
  if (pooling === 'transaction') {
    const all = uses.filter((p, i) => uses.indexOf(p) === i);
    const prefix = `DEALLOCATE ALL;\n${all.map((p) => `${p.sql};\n`).join('')}`;
    const result = (await client.query(prefix + text)) as unknown as pg.QueryResult[];
    return result.slice(all.length + 1);
  }
  let held = preparedOn.get(client);
  if (!held) preparedOn.set(client, (held = new Set()));
  const missing = uses.filter((p, i) => !held.has(p.name) && uses.indexOf(p) === i);
  const prefix = missing.map((p) => `${p.sql};\n`).join('');
  // Counted as held before the await: a second batch on this client meanwhile (callers may run
  // several at once on one transaction) must not PREPARE them again. The client runs its queries in
  // order, so this batch's PREPAREs always come before the other batch's EXECUTEs.
  for (const p of missing) held.add(p.name);
  try {
    const result = (await client.query(prefix + text)) as unknown as pg.QueryResult | pg.QueryResult[];
    const all = Array.isArray(result) ? result : [result];
    return all.slice(missing.length);
  } catch (error) {
    if (missing.length > 0) discard.add(client);
    throw error;
  }
}

/** Connections to close rather than return to the pool. */
const discard = new WeakSet<pg.ClientBase>();
const release = (client: pg.PoolClient) => client.release(discard.has(client) ? true : undefined);

export type Db = {
  pool: pg.Pool;
  pooling: Pooling;
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
    uses?: readonly Prepared[],
  ): Promise<pg.QueryResult<R>>;
  /** Like statement, but returns every statement's result (the tenant settings' first). */
  statements(workspaceId: string, text: string, uses?: readonly Prepared[]): Promise<pg.QueryResult[]>;
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
function prepared(client: pg.PoolClient, pooling: Pooling): Sql {
  // One statement at a time on a client, in call order, whoever calls (code that runs several at
  // once on one transaction — Promise.all — is made safe here rather than trusted not to).
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(run: () => Promise<T>): Promise<T> => {
    const next = tail.then(run, run);
    tail = next.catch(() => undefined);
    return next;
  };
  const query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => {
    // Unnamed statements only under transaction pooling (see Pooling).
    if (values === undefined || pooling === 'transaction') return client.query<R>(text, values);
    let name = names.get(text);
    // A bounded cache: statements built with varying text are simply not prepared past it.
    if (name === undefined && names.size >= 5000) return client.query<R>(text, values);
    if (name === undefined) {
      name = `qh_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      names.set(text, name);
    }
    return client.query<R>({ name, text, values });
  };
  return {
    query: <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => serial(() => query<R>(text, values)),
    batch: (text, uses) => serial(() => runBatch(client, text, uses, pooling)),
  };
}

/**
 * A connection lost (a database restart, pg_terminate_backend) must fail the statements on it and
 * nothing more. The pool listens for errors on idle clients only: a client in use (checked out,
 * inside a transaction) reports its socket error as an 'error' event nobody listens to, which
 * ends the process. With a listener of its own the statement in flight fails with the error, and
 * the broken client is dropped when it is released (the pool checks it is still queryable).
 */
export function survivesLostConnections(pool: pg.Pool): pg.Pool {
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

export function createDb(options: { url: string; poolSize?: number; pooling?: Pooling }): Db {
  const pooling = options.pooling ?? 'session';
  const pool = survivesLostConnections(new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 }));

  async function transaction<T>(begin: string, fn: (sql: Sql) => Promise<T>) {
    const client = await pool.connect();
    try {
      await client.query(begin);
      const result = await fn(prepared(client, pooling));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      release(client);
    }
  }

  async function statements(workspaceId: string, text: string, uses: readonly Prepared[] = []) {
    if (!UUID.test(workspaceId)) throw new Error(`not a workspace id: ${workspaceId}`);
    const client = await pool.connect();
    try {
      return await runBatch(client, `${tenantSettings(workspaceId)}; ${text}`, uses, pooling);
    } finally {
      release(client);
    }
  }

  return {
    pool,
    pooling,
    tenant: (workspaceId, fn) => {
      // BEGIN and the tenant settings in one round trip (simple protocol, so no parameters: the
      // id is checked to be a UUID before it is written into the statement).
      if (!UUID.test(workspaceId)) return Promise.reject(new Error(`not a workspace id: ${workspaceId}`));
      return transaction(`BEGIN; ${tenantSettings(workspaceId)}`, fn);
    },
    system: (fn) => transaction('BEGIN', fn),
    async statement<R extends pg.QueryResultRow>(workspaceId: string, text: string, uses?: readonly Prepared[]) {
      const results = await statements(workspaceId, text, uses);
      return results[results.length - 1] as pg.QueryResult<R>;
    },
    statements,
    close: () => pool.end(),
  };
}
