// A migration that meets a long transaction during a rolling upgrade: its DDL would wait for the
// table's lock, and every later query on that table would wait behind it — sends stall. Instead it
// waits at most lockTimeoutMs, rolls back (the traffic goes through), and tries again after a pause;
// after its last attempt it fails with a message that says what holds it. A migration PostgreSQL
// ends to break a deadlock with the traffic is tried again the same way. On the file's database,
// with migrations of the test's own (versions 990001+) on a table of its own.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, type Migration } from '../../src/db/migrate.ts';
import { databaseUrl } from '../support/harness.ts';

let pool: pg.Pool;
/**
 * The deadlock tests' migrations run here: their connections look for a deadlock 3 s into a wait
 * (the holder, 60 s), so it is always the migration that PostgreSQL ends, as in R-upgrade.
 */
let migrator: pg.Pool;
let holder: pg.Client;
let reader: pg.Client;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: databaseUrl(), max: 2 });
  migrator = new pg.Pool({ connectionString: databaseUrl(), max: 1, options: '-c deadlock_timeout=3s' });
  holder = new pg.Client({ connectionString: databaseUrl() });
  reader = new pg.Client({ connectionString: databaseUrl() });
  await holder.connect();
  await reader.connect();
});
afterAll(async () => {
  await holder.end();
  await reader.end();
  await pool.end();
  await migrator.end();
});

const addColumn = (version: number, table: string): Migration => ({
  version,
  name: `${version}_add_note`,
  sql: `ALTER TABLE ${table} ADD COLUMN note text`,
});

async function columns(table: string): Promise<string[]> {
  const { rows } = await reader.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((r) => r.column_name);
}

/** A transaction that has read `table` and stays open: it holds the lock ALTER TABLE needs. */
async function holdRead(table: string): Promise<void> {
  await holder.query('BEGIN');
  await holder.query(`SELECT count(*) FROM ${table}`);
}

describe('a migration that cannot take its table lock', () => {
  it('lets go after lockTimeoutMs, lets the traffic through, and applies once the lock is free', async () => {
    await reader.query('CREATE TABLE lock_demo_a (id int)');
    await holdRead('lock_demo_a');
    const pauses: number[] = [];
    const readsBetween: number[] = [];
    const applied = await migrate(pool, {
      migrations: [addColumn(990_001, 'lock_demo_a')],
      lockTimeoutMs: 100,
      attempts: 5,
      pause: async (attempt) => {
        pauses.push(attempt);
        // Between attempts nothing waits for the table: another session reads it at once.
        const { rows } = await reader.query<{ n: string }>('SELECT count(*) AS n FROM lock_demo_a');
        readsBetween.push(Number(rows[0]?.n));
        if (attempt === 3) await holder.query('COMMIT');
      },
    });
    expect(applied).toEqual(['990001_add_note']);
    expect(pauses).toEqual([2, 3]);
    expect(readsBetween).toEqual([0, 0]);
    expect(await columns('lock_demo_a')).toEqual(['id', 'note']);
    const { rows } = await reader.query('SELECT name FROM schema_migrations WHERE version = 990001');
    expect(rows).toEqual([{ name: '990001_add_note' }]);
  });

  it('fails after its last attempt, saying what holds it, and leaves the schema as it was', async () => {
    await reader.query('CREATE TABLE lock_demo_b (id int)');
    await holdRead('lock_demo_b');
    try {
      const run = migrate(pool, {
        migrations: [addColumn(990_002, 'lock_demo_b')],
        lockTimeoutMs: 50,
        attempts: 3,
        pause: async () => {},
      });
      await expect(run).rejects.toThrow(
        /^Migration 990002_add_note failed: it could not take the locks it needs in 3 attempts of 50 ms \(canceling statement due to lock timeout\); a long transaction holds them — end it \(pg_stat_activity\) and migrate again$/,
      );
    } finally {
      await holder.query('COMMIT');
    }
    expect(await columns('lock_demo_b')).toEqual(['id']);
    const { rows } = await reader.query('SELECT 1 FROM schema_migrations WHERE version = 990002');
    expect(rows).toEqual([]);
  });

  it('tries a migration that fails for any other reason once, and names it', async () => {
    let pauses = 0;
    const run = migrate(pool, {
      migrations: [{ version: 990_003, name: '990003_broken', sql: 'ALTER TABLE no_such_table ADD COLUMN x int' }],
      pause: async () => {
        pauses++;
      },
    });
    await expect(run).rejects.toThrow('Migration 990003_broken failed: relation "no_such_table" does not exist');
    expect(pauses).toBe(0);
  });

  it('waits for another process that is migrating, however long (the advisory lock has no timeout)', async () => {
    await reader.query('CREATE TABLE lock_demo_c (id int)');
    // Another process holds the migration lock for longer than lockTimeoutMs.
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock(5148720001)');
    const run = migrate(pool, { migrations: [addColumn(990_004, 'lock_demo_c')], lockTimeoutMs: 50, attempts: 1 });
    // The migration is queued on the advisory lock, not failing: release it once it is seen waiting.
    for (;;) {
      const { rows } = await reader.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_locks
          WHERE locktype = 'advisory' AND NOT granted
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      if (Number(rows[0]?.n) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    await holder.query('COMMIT');
    expect(await run).toEqual(['990004_add_note']);
    expect(await columns('lock_demo_c')).toEqual(['id', 'note']);
  });

  it('is tried again when PostgreSQL ends it to break a deadlock with the traffic, and applies', async () => {
    const pauses: number[] = [];
    const { run, closing } = await deadlock('lock_demo_d', 'lock_demo_e', 990_005, {
      attempts: 3,
      pause: async (attempt) => {
        pauses.push(attempt);
        // The other side of the cycle went on once the migration was ended; it commits now.
        await closing;
        await holder.query('COMMIT');
      },
    });
    expect(await run).toEqual(['990005_two_tables']);
    expect(pauses).toEqual([2]);
    expect(await columns('lock_demo_d')).toEqual(['id', 'note']);
    expect(await columns('lock_demo_e')).toEqual(['id', 'note']);
  });

  it('fails after its last attempt when each one deadlocks, says so, and leaves the schema as it was', async () => {
    const { run, closing } = await deadlock('lock_demo_f', 'lock_demo_g', 990_006, {
      attempts: 1,
      pause: async () => {},
    });
    try {
      await expect(run).rejects.toThrow(
        /^Migration 990006_two_tables failed: it deadlocked with other transactions in each of its 1 attempts \(deadlock detected\); migrate again when the load is lower$/,
      );
    } finally {
      await closing;
      await holder.query('COMMIT');
    }
    expect(await columns('lock_demo_f')).toEqual(['id']);
    expect(await columns('lock_demo_g')).toEqual(['id']);
    const { rows } = await reader.query('SELECT 1 FROM schema_migrations WHERE version = 990006');
    expect(rows).toEqual([]);
  });
});

/**
 * A cycle between a migration and the traffic: the holder writes `second` (a step's transaction),
 * the migration alters `first` then waits for `second`, and the holder then reads `first`, which
 * the migration holds. Returns the migration's run and the holder's read (it goes through once
 * PostgreSQL has ended the migration's attempt).
 */
async function deadlock(
  first: string,
  second: string,
  version: number,
  options: { attempts: number; pause: (attempt: number) => Promise<void> },
) {
  await reader.query(`CREATE TABLE ${first} (id int); CREATE TABLE ${second} (id int)`);
  await holder.query('BEGIN');
  await holder.query("SET LOCAL deadlock_timeout = '60s'");
  await holder.query(`LOCK TABLE ${second} IN ROW EXCLUSIVE MODE`);
  const run = migrate(migrator, {
    migrations: [
      {
        version,
        name: `${version}_two_tables`,
        sql: `ALTER TABLE ${first} ADD COLUMN note text; ALTER TABLE ${second} ADD COLUMN note text`,
      },
    ],
    lockTimeoutMs: 60_000,
    ...options,
  });
  // Polls (no fixed sleep) until the migration holds `first` and waits for `second`.
  for (;;) {
    const { rows } = await reader.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'relation' AND NOT granted AND relation = $1::regclass`,
      [second],
    );
    if (Number(rows[0]?.n) > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const closing = holder.query(`SELECT count(*) FROM ${first}`);
  return { run, closing };
}
