// Ordered SQL migrations (src/db/migrations/NNN_name.sql), each applied once in its own
// transaction, all under one PostgreSQL advisory lock so concurrent starts never collide.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
// Arbitrary constant: "QH" + "migrate".
const LOCK_KEY = 5_148_720_001;

export type Migration = { version: number; name: string; sql: string };

export async function listMigrations(): Promise<Migration[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => /^\d+_[\w-]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(file.split('_')[0]),
      name: file.replace(/\.sql$/, ''),
      sql: await readFile(path.join(MIGRATIONS_DIR, file), 'utf8'),
    })),
  );
}

/**
 * How long one migration may wait for a table lock before it lets go and tries again. A DDL
 * statement waiting for a lock makes every later query on that table wait behind it, so a
 * migration that meets a long transaction during a rolling upgrade must not wait long: it gives
 * up, lets the traffic through, and tries again after a pause.
 */
export type MigrateOptions = {
  /** Per attempt (PostgreSQL's lock_timeout). Default 3 s. */
  lockTimeoutMs?: number;
  /** Attempts per migration (after a lock timeout or a deadlock) before the run fails. Default 20. */
  attempts?: number;
  /** The pause before attempt n (1-based, n ≥ 2). Default 0.5 s doubling to 8 s. */
  pause?: (attempt: number) => Promise<void>;
  /** Instead of the files in src/db/migrations (tests). */
  migrations?: Migration[];
};

const LOCK_NOT_AVAILABLE = '55P03';
/**
 * A migration that takes several tables' locks in turn can close a cycle with a running
 * transaction that holds one of them and asks for another (an ALTER of contacts then enrollments,
 * a step that holds an enrollment and updates its contact): PostgreSQL then ends one of the two.
 * When it ends the migration, everything it did is rolled back, as after a lock timeout, and it is
 * tried again the same way.
 */
const DEADLOCK_DETECTED = '40P01';

const defaultPause = (attempt: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.min(8000, 500 * 2 ** (attempt - 2))));

/**
 * Applies pending migrations; returns the names applied by this call. Each migration runs in its
 * own transaction holding a transaction-level advisory lock and re-checks under it whether another
 * process applied it meanwhile: no session-level lock, which a pooler in transaction mode would
 * leave held on whichever server connection took it. A migration that cannot take its table locks
 * within `lockTimeoutMs`, or that PostgreSQL ends to break a deadlock, is rolled back and tried
 * again (see MigrateOptions).
 */
export async function migrate(pool: pg.Pool, options: MigrateOptions = {}): Promise<string[]> {
  const migrations = options.migrations ?? (await listMigrations());
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
    );
    await client.query('COMMIT');
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      if (await applyWithRetries(client, migration, options)) applied.push(migration.name);
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
  return applied;
}

/** One migration, tried again while its table locks are taken; true when this call applied it. */
async function applyWithRetries(client: pg.PoolClient, migration: Migration, options: MigrateOptions) {
  const attempts = options.attempts ?? 20;
  const lockTimeoutMs = options.lockTimeoutMs ?? 3000;
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) await (options.pause ?? defaultPause)(attempt);
    try {
      return await applyOnce(client, migration, lockTimeoutMs);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if ((code === LOCK_NOT_AVAILABLE || code === DEADLOCK_DETECTED) && attempt < attempts) continue;
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        code === LOCK_NOT_AVAILABLE
          ? `Migration ${migration.name} failed: it could not take the locks it needs in ${attempts} attempts of ` +
              `${lockTimeoutMs} ms (${reason}); a long transaction holds them — end it (pg_stat_activity) and migrate again`
          : code === DEADLOCK_DETECTED
            ? `Migration ${migration.name} failed: it deadlocked with other transactions in each of its ${attempts} ` +
              `attempts (${reason}); migrate again when the load is lower`
            : `Migration ${migration.name} failed: ${reason}`,
      );
    }
  }
}

async function applyOnce(client: pg.PoolClient, migration: Migration, lockTimeoutMs: number): Promise<boolean> {
  await client.query('BEGIN');
  try {
    // The advisory lock waits as long as another process migrates; only the tables' locks time out.
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockTimeoutMs))}`);
    const { rowCount } = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
    if (rowCount === 0) {
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    }
    await client.query('COMMIT');
    return rowCount === 0;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
