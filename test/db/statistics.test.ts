// Planner statistics kept up with fast-growing tables (src/db/statistics.ts): a table whose rows
// outgrew its statistics is analyzed, a fresh one is left alone, and only one process analyzes at
// a time. On a database of its own: statistics are per table, and other files write the shared ones.
// Autovacuum is switched off for the table: its own ANALYZE (any time after 50 + 10 % rows changed)
// would refresh the statistics before ours does, and the test would measure autovacuum's timing.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type Db } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { analyzeTables, refreshStatistics } from '../../src/db/statistics.ts';
import { withDatabase } from '../support/globalSetup.ts';

const name = `qh_stats_${randomBytes(5).toString('hex')}`;
let admin: pg.Client;
let db: Db;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject('databaseUrl') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  db = createDb({ url: withDatabase(inject('databaseUrl'), name), poolSize: 3 });
  await migrate(db.pool);
  await db.pool.query('ALTER TABLE contacts SET (autovacuum_enabled = false)');
});
afterAll(async () => {
  await db?.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

async function reltuples(table: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    'SELECT reltuples::float8 AS n FROM pg_class WHERE relname = $1',
    [table],
  );
  return rows[0]?.n ?? -1;
}

/** Inserts `n` contacts on one connection and makes its activity counts visible at once. */
async function addContacts(n: number): Promise<void> {
  const client = await db.pool.connect();
  try {
    const workspace = randomUUID();
    await client.query(`INSERT INTO workspaces (id, name) VALUES ($1, 'stats')`, [workspace]);
    await client.query(
      `INSERT INTO contacts (workspace_id, identity, email)
       SELECT $1, 'email:p' || i || '@x.example.com', 'p' || i || '@x.example.com' FROM generate_series(1, $2) AS i`,
      [workspace, n],
    );
    await client.query('SELECT pg_stat_force_next_flush()');
    await client.query('SELECT 1');
  } finally {
    client.release();
  }
}

describe('planner statistics', () => {
  it('analyzes a table that outgrew its statistics, once, and one process at a time', { timeout: 30_000 }, async () => {
    await analyzeTables(db, ['contacts']);
    expect(await reltuples('contacts')).toBe(0);
    await addContacts(3000);
    // Another process holds the turn: this one skips it.
    const other = new pg.Client({ connectionString: withDatabase(inject('databaseUrl'), name) });
    await other.connect();
    await other.query('SELECT pg_advisory_lock(5148720002)');
    expect(await refreshStatistics(db)).toEqual([]);
    await other.end();
    expect(await refreshStatistics(db)).toEqual(['contacts']);
    expect(await reltuples('contacts')).toBe(3000);
    // Fresh statistics: nothing to do, until the table has grown past twice its size again.
    expect(await refreshStatistics(db)).toEqual([]);
    await addContacts(2000);
    expect(await refreshStatistics(db)).toEqual([]);
    await addContacts(5000);
    expect(await refreshStatistics(db)).toEqual(['contacts']);
    expect(await reltuples('contacts')).toBe(10_000);
  });
});
