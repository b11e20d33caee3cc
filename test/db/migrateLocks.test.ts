// A migration that meets a long transaction during a rolling upgrade: its DDL would wait for the
// table's lock, and every later query on that table would wait behind it — sends stall. Instead it
// waits at most lockTimeoutMs, rolls back (the traffic goes through), and tries again after a pause;
// after its last attempt it fails with a message that says what holds it. On the file's database,
// with migrations of the test's own (versions 990001+) on a table of its own.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, type Migration } from '../../src/db/migrate.ts';
import { databaseUrl } from '../support/harness.ts';

let pool: pg.Pool;
let holder: pg.Client;
let reader: pg.Client;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: databaseUrl(), max: 2 });
  holder = new pg.Client({ connectionString: databaseUrl() });
  reader = new pg.Client({ connectionString: databaseUrl() });
  await holder.connect();
  await reader.connect();
});
afterAll(async () => {
  await holder.end();
  await reader.end();
  await pool.end();
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
});
