import { describe, expect, it } from 'vitest';
import { APP_ROLE } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { newWorkspace, testDb } from '../support/harness.ts';

describe('row-level security', () => {
  it('a query as the app role without a workspace setting sees no rows of any workspace', async () => {
    const db = testDb();
    const a = await newWorkspace('A');
    await newWorkspace('B');
    await db.tenant(a.workspaceId, (sql) =>
      sql.query(
        `INSERT INTO contacts (workspace_id, identity, email) VALUES ($1, 'email:rls@example.com', 'rls@example.com')`,
        [a.workspaceId],
      ),
    );
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL ROLE ${APP_ROLE}`);
      for (const table of ['workspaces', 'api_keys', 'contacts', 'suppressions', 'activities']) {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
        expect({ table, n: rows[0].n }).toEqual({ table, n: 0 });
      }
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    // The owner sees both workspaces: the rows exist, RLS hid them.
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM workspaces WHERE id = $1', [a.workspaceId]);
    expect(rows[0].n).toBe(1);
  });

  it('scoped to one workspace, SQL without a workspace filter still sees only that workspace', async () => {
    const db = testDb();
    const a = await newWorkspace('A');
    const b = await newWorkspace('B');
    const seen = await db.tenant(a.workspaceId, async (sql) => (await sql.query('SELECT id FROM workspaces')).rows);
    expect(seen).toEqual([{ id: a.workspaceId }]);
    await expect(
      db.tenant(a.workspaceId, (sql) =>
        sql.query(`INSERT INTO contacts (workspace_id, identity) VALUES ($1, 'email:x@example.com')`, [b.workspaceId]),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('migrations are safe to run concurrently and idempotent', async () => {
    const db = testDb();
    const results = await Promise.all([migrate(db.pool), migrate(db.pool), migrate(db.pool)]);
    expect(results).toEqual([[], [], []]);
  });
});
