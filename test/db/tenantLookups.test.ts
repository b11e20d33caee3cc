// A step's context is looked up by ids under row-level security (migration 082). The policy adds
// `workspace_id = qh_current_workspace()` to every statement, and a generic plan takes a list of
// ids for 10 rows: with only a workspace-leading index beside the ids' own, PostgreSQL ANDed the
// two bitmaps and read every index entry of the workspace to find a handful of rows (each step
// cost more as its workspace grew). Here many workspaces of a few hundred enrollments and messages
// (the shape that drew that plan), analyzed, and each statement the engine loads a step's context
// with, planned generically as the tenant: no scan of enrollments or messages may be bounded by
// the workspace alone, and every lookup still finds its rows. On this file's own database
// (test/support/fileDatabase.ts): the plans depend on the tables' statistics.
import { beforeAll, describe, expect, it } from 'vitest';
import { execute, type Db } from '../../src/db/database.ts';
import { contextStatements } from '../../src/db/stepContext.ts';
import { testDb } from '../support/harness.ts';

const WORKSPACES = 40;
const PER_WORKSPACE = 300;
let db: Db;

beforeAll(async () => {
  db = testDb();
  await db.pool.query(`INSERT INTO workspaces (name) SELECT 'lookups ' || w FROM generate_series(1, $1) AS w`, [
    WORKSPACES,
  ]);
  await db.pool.query(`INSERT INTO sequences (workspace_id, name, steps, schedule)
    SELECT id, 'outreach', '[]', '{}' FROM workspaces`);
  await db.pool.query(
    `INSERT INTO contacts (workspace_id, identity, email)
     SELECT w.id, 'email:p' || i || '@' || w.id || '.example.com', 'p' || i || '@' || w.id || '.example.com'
       FROM workspaces w CROSS JOIN generate_series(1, $1) AS i`,
    [PER_WORKSPACE],
  );
  await db.pool.query(`INSERT INTO enrollments (workspace_id, sequence_id, contact_id, enrolled_at, next_run_at)
    SELECT c.workspace_id, s.id, c.id, now(), now() FROM contacts c JOIN sequences s USING (workspace_id)`);
  await db.pool.query(`INSERT INTO messages (id, workspace_id, enrollment_id, contact_id, sequence_id, step, channel,
                                             purpose, provider, status, body, reserved_at)
    SELECT gen_random_uuid(), workspace_id, id, contact_id, sequence_id, 0, 'email', 'intro', 'http', 'sent', 'Hello', now()
      FROM enrollments`);
  await db.pool.query('ANALYZE');
});

type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
};

function* nodes(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* nodes(child);
}

/** The index the tables' rows are read through, with the conditions that bound the read. */
function indexReads(plan: PlanNode): { index: string; cond: string }[] {
  return [...nodes(plan)]
    .filter((n) => n['Index Name'] && /^(enrollments|messages)/.test(n['Index Name']))
    .map((n) => ({ index: n['Index Name'] ?? '', cond: n['Index Cond'] ?? '' }));
}

describe('a step context looked up by ids under row-level security', () => {
  it('reads enrollments and messages through their ids, never the whole workspace', { timeout: 60_000 }, async () => {
    const { rows } = await db.pool.query<{ workspaceId: string; ids: string[] }>(
      `SELECT workspace_id AS "workspaceId", (array_agg(id ORDER BY id))[1:3]::text[] AS ids
         FROM enrollments GROUP BY workspace_id ORDER BY workspace_id LIMIT 1`,
    );
    const [{ workspaceId, ids }] = rows as [{ workspaceId: string; ids: string[] }];
    for (const lock of [false, true]) {
      for (const statement of contextStatements(lock)) {
        const [, explained, found] = await db.tenant(workspaceId, (sql) =>
          sql.batch(
            `SET LOCAL plan_cache_mode = force_generic_plan;
             EXPLAIN (FORMAT JSON) ${execute(statement, [ids])};
             ${execute(statement, [ids])}`,
            [statement],
          ),
        );
        const plan = (explained?.rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan;
        for (const read of indexReads(plan)) {
          // Every read of these tables is bounded by the ids (id or enrollment_id), not the workspace alone.
          expect({ statement: statement.sql.slice(0, 80), ...read }).toEqual({
            statement: statement.sql.slice(0, 80),
            index: read.index,
            cond: expect.stringMatching(/\b(id|enrollment_id) = ANY \(\$1\)/),
          });
        }
        // Each statement still answers for the enrollments asked (the workspace's and settings' rows aside).
        if (/FROM (enrollments|messages) WHERE/.test(statement.sql) || /e\.id AS "_key", x\.\*/.test(statement.sql))
          expect(found?.rows.length).toBe(ids.length);
      }
    }
  });

  it('does not read a workspace-only range for another workspace’s ids', async () => {
    const { rows } = await db.pool.query<{ w: string; other: string }>(
      `SELECT (SELECT id FROM workspaces ORDER BY id LIMIT 1) AS w,
              (SELECT e.id FROM enrollments e WHERE e.workspace_id = (SELECT id FROM workspaces ORDER BY id DESC LIMIT 1) LIMIT 1) AS other`,
    );
    const [{ w, other }] = rows as [{ w: string; other: string }];
    const [statement] = contextStatements(false);
    const [found] = await db.tenant(w, (sql) => sql.batch(execute(statement!, [[other]]), [statement!]));
    expect(found?.rows).toEqual([]);
  });
});
