// R-tenancy (issue 16): the cross-workspace matrix, generated from /openapi.json and from the
// tables that hold a workspace_id. Workspace A, holding objects of every kind, calls every operation
// with B's ids of every kind in the path, in every list filter and in every id the body names;
// signs provider webhooks naming B's messages with its own secret; and, as the application role,
// reads and writes B's rows with no workspace, an empty one and its own set. A leak is an answer
// that carries anything of B's (its ids or the marker in its text), a change to B's rows, or a row
// of B's the database role reaches. Figures: attempts, leaks (0).
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROLE } from '../../src/db/database.ts';
import { FakeResend, signSvix } from '../fakes/resend.ts';
import {
  fillPath,
  idsByTable,
  operations,
  populate,
  populatedRecipients,
  validObject,
  validValue,
  workspaceTables,
  type Method,
  type Operation,
  type Schema,
} from '../support/openapiRoutes.ts';
import { world, type World } from '../support/world.ts';

const MARK_A = 'tenantaaa';
const MARK_B = 'tenantbbb';
const SECRET_A = `whsec_${Buffer.from('tenant-a-webhook-secret-32-bytes').toString('base64')}`;
const SECRET_B = `whsec_${Buffer.from('tenant-b-webhook-secret-32-bytes').toString('base64')}`;
/** The table a path's object lives in, where the path's word is not the table's name. */
const TABLE_OF: Record<string, string> = {
  keys: 'api_keys',
  'api-keys': 'api_keys',
  webhooks: 'outbound_targets',
  integrations: 'outbound_targets',
  plans: 'outreach_plans',
  deliveries: 'outbound_deliveries',
};

type Tally = { attempts: number; leaks: string[] };
const tally = (): Tally => ({ attempts: 0, leaks: [] });
const figure = (name: string, value: unknown) => console.log(`[battery] R-tenancy ${name}: ${JSON.stringify(value)}`);

let fake: FakeResend;
let w: World;
let b: World;
let ops: Operation[];
let idsA: Map<string, string[]>;
let idsB: Map<string, string[]>;
/** Every id of B's and what else would betray B in an answer. */
let betrayals: string[];

beforeAll(async () => {
  fake = await new FakeResend().start();
  const mail = await populatedRecipients();
  afterAll(() => mail.close());
  const all = await world({ outbound: { allowHosts: ['127.0.0.1'] }, recipients: mail.recipients });
  w = all;
  b = await all.workspace('Tenant B');
  await populate(w, MARK_A);
  const resend = (secret: string, fromEmail: string) => ({
    channel: 'email',
    provider: 'resend',
    fromEmail,
    fromName: 'Sam Rivera',
    resend: { apiKey: fake.apiKey, baseUrl: fake.url, webhookSecret: secret },
  });
  // Each workspace's Resend account comes after its objects: populate's steps go through its
  // sandbox account alone (which account a step takes must not decide what the matrix holds).
  await populate(b, MARK_B);
  await b.ok('POST', '/v1/senders', resend(SECRET_B, `sam.${MARK_B}@ours.example.com`));
  fake.now = b.clock.now();
  await w.ok('POST', '/v1/senders', resend(SECRET_A, `kim.${MARK_A}@ours.example.com`));
  const tables = await workspaceTables(w.db);
  idsA = await idsByTable(w.db, w.workspaceId, tables);
  idsB = await idsByTable(w.db, b.workspaceId, tables);
  betrayals = [MARK_B, b.workspaceId, ...[...idsB.values()].flat()];
  ops = await operations(w.app);
  figure('kinds of B objects', [...idsB.keys()]);
});
afterAll(async () => {
  await fake.close();
});

/** B's rows, one digest per table (as the owner), to tell whether anything of B's changed. */
async function digestOfB(): Promise<Map<string, string>> {
  const tables = await workspaceTables(w.db);
  const text = tables
    .map(
      (t) =>
        `SELECT '${t}' AS t, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS d FROM ${t} x WHERE workspace_id = $1`,
    )
    .join(' UNION ALL ');
  const { rows } = await w.db.system((sql) => sql.query<{ t: string; d: string }>(text, [b.workspaceId]));
  return new Map(rows.map((r) => [r.t, r.d]));
}

const changedTables = (before: Map<string, string>, after: Map<string, string>) =>
  [...after].filter(([t, d]) => before.get(t) !== d).map(([t]) => t);

/** A's call; a leak when the answer names anything of B's that the request did not. */
async function attempt(t: Tally, method: Method, url: string, body?: unknown): Promise<void> {
  const res = await w.call(method, url, body);
  t.attempts++;
  const sent = `${url} ${JSON.stringify(body ?? null)}`;
  const answer = JSON.stringify(res.body);
  const found = betrayals.filter((s) => answer.includes(s) && !sent.includes(s));
  if (res.status >= 500 || found.length > 0)
    t.leaks.push(
      `${method} ${url} ${sent.slice(url.length, 200)} → ${res.status} ${found.join(',')} ${answer.slice(0, 200)}`,
    );
}

/** The table an operation's path parameter names: the word before it. */
function tableOfParam(op: Operation, param: string): string | undefined {
  const word = new RegExp(`/([\\w-]+)/\\{${param}\\}`).exec(op.path)?.[1] ?? '';
  return TABLE_OF[word] ?? word.replace(/-/g, '_');
}

/** A's own object for each path parameter (so the request reaches what it names next). */
const ownPath = (op: Operation, except?: string, value?: string) =>
  fillPath(op.path, (name) =>
    name === except ? (value ?? '') : (idsA.get(tableOfParam(op, name) ?? '')?.[0] ?? idsA.get('contacts')?.[0] ?? ''),
  );

/** Id-like places of a body schema: property names ending in Id/Ids, or uuids, one level into objects. */
function idFields(schema: Schema | undefined): { name: string; array: boolean }[] {
  const properties = schema?.properties ?? schema?.anyOf?.flatMap((s) => Object.entries(s.properties ?? {})) ?? [];
  const entries = Array.isArray(properties) ? properties : Object.entries(properties);
  return entries
    .filter(([name, s]) => /Ids?$/.test(name) || s.format === 'uuid' || s.items?.format === 'uuid')
    .map(([name, s]) => ({ name, array: s.type === 'array' }));
}

const bodyOf = (op: Operation, ids: string[]) => (op.body ? validObject(op.body, ids) : undefined);
const onePerKind = () => [...idsB.values()].map((list) => list[0] as string);
const everyB = () => [...idsB.values()].flatMap((list) => list.slice(0, 2));

describe('R-tenancy', () => {
  it("every operation with B's ids of every kind in its path: nothing of B's answered or changed", async () => {
    const t = tally();
    const ownIds = [...idsA.values()].flat();
    for (const op of ops.filter((o) => o.pathParams.length > 0)) {
      const before = await digestOfB();
      for (const id of everyB()) {
        await attempt(
          t,
          op.method,
          fillPath(op.path, () => id),
          bodyOf(op, ownIds),
        );
        // Two parameters: A's own parent, B's child (and the other way round).
        if (op.pathParams.length > 1)
          for (const param of op.pathParams) await attempt(t, op.method, ownPath(op, param, id), bodyOf(op, ownIds));
      }
      const changed = changedTables(before, await digestOfB());
      if (changed.length > 0) t.leaks.push(`${op.method} ${op.path} changed B's ${changed.join(', ')}`);
    }
    figure('path ids: attempts, leaks', [t.attempts, t.leaks.length]);
    expect(t.leaks).toEqual([]);
  });

  it("every list filter naming B's ids, and every text filter B's words: nothing of B's listed", async () => {
    const t = tally();
    const ownIds = [...idsA.values()].flat();
    for (const op of ops.filter((o) => o.method === 'GET' && o.query.length > 0)) {
      const path = ownPath(op);
      for (const param of op.query) {
        const isId = param.schema.format === 'uuid' || /Id$/.test(param.name);
        const isText = param.schema.type === 'string' && !param.schema.enum && !/cursor/.test(param.name);
        const values = isId ? onePerKind() : isText ? [MARK_B, `${MARK_B.slice(0, 6)}`] : [];
        for (const v of values) {
          const others = op.query.filter((p) => p.required && p.name !== param.name);
          const rest = others.map(
            (p) => `&${p.name}=${encodeURIComponent(String(validValue(p.schema, p.name, ownIds)))}`,
          );
          await attempt(t, 'GET', `${path}?${param.name}=${encodeURIComponent(v)}${rest.join('')}`);
        }
      }
    }
    figure('list filters: attempts, leaks', [t.attempts, t.leaks.length]);
    expect(t.attempts).toBeGreaterThan(20);
    expect(t.leaks).toEqual([]);
  });

  it("every body that names an object, naming B's of every kind: refused, nothing of B's answered or changed", async () => {
    const t = tally();
    const ownIds = [...idsA.values()].flat();
    for (const op of ops.filter((o) => idFields(o.body).length > 0)) {
      const before = await digestOfB();
      for (const field of idFields(op.body))
        for (const id of onePerKind()) {
          const body = { ...bodyOf(op, ownIds), [field.name]: field.array ? [id] : id };
          await attempt(t, op.method, ownPath(op), body);
        }
      const changed = changedTables(before, await digestOfB());
      if (changed.length > 0) t.leaks.push(`${op.method} ${op.path} changed B's ${changed.join(', ')}`);
    }
    figure('body references: attempts, leaks', [t.attempts, t.leaks.length]);
    expect(t.attempts).toBeGreaterThan(20);
    expect(t.leaks).toEqual([]);
  });

  it("webhooks signed with A's secret naming B's messages: B's messages and events unchanged", async () => {
    const t = tally();
    // B's sent message as Resend reports it: the id the webhook names (sent through the sandbox here;
    // Resend's send path is the contract tests' and emailProviders.test.ts's).
    const emailId = `re_${MARK_B}`;
    await w.db.system((sql) =>
      sql.query(
        `UPDATE messages SET provider = 'resend', provider_message_id = $2
          WHERE id = (SELECT id FROM messages WHERE workspace_id = $1 AND channel = 'email' AND status = 'sent' ORDER BY id LIMIT 1)`,
        [b.workspaceId, emailId],
      ),
    );
    const post = (secret: string, id: string, type: string) => {
      const body = JSON.stringify({
        type,
        created_at: w.clock.now().toISOString(),
        data: {
          email_id: emailId,
          to: ['x@example.com'],
          bounce: { type: 'Permanent' },
          click: { link: 'https://x.example/' },
        },
      });
      const timestamp = Math.floor(w.clock.now().getTime() / 1000);
      const headers = { 'content-type': 'application/json', ...signSvix({ secrets: [secret], id, timestamp, body }) };
      return w.app.inject({ method: 'POST', url: '/webhooks/resend', headers, payload: body });
    };
    await w.engine.tick();
    const before = await digestOfB();
    for (const type of RESEND_TYPES) {
      const res = await post(SECRET_A, `forged-${type}`, type);
      t.attempts++;
      const found = betrayals.filter((x) => res.body.includes(x) && x !== emailId);
      if (res.statusCode >= 500 || found.length > 0)
        t.leaks.push(`${type} → ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    await w.engine.tick();
    const changed = changedTables(before, await digestOfB());
    if (changed.length > 0) t.leaks.push(`A's signed events changed B's ${changed.join(', ')}`);
    figure('webhooks naming B’s messages: attempts, leaks', [t.attempts, t.leaks.length]);
    expect(t.leaks).toEqual([]);
    // The same event signed with B's own secret does reach B: the check above can see a change.
    expect((await post(SECRET_B, 'genuine-delivered', 'email.delivered')).statusCode).toBe(200);
    await w.engine.tick();
    expect(await b.row('SELECT status FROM messages WHERE provider_message_id = $1', [emailId])).toEqual([
      { status: 'delivered' },
    ]);
  });

  it("as the application role, with no workspace, an empty one or A's set, B's rows are out of reach", async () => {
    const t = tally();
    const tables = await tablesWithWorkspace();
    const client = await w.db.pool.connect();
    try {
      for (const setting of [undefined, '', w.workspaceId]) {
        for (const { table, key } of tables) {
          const where = `${key} = '${b.workspaceId}'`;
          const own = `${key} = '${w.workspaceId}'`;
          const statements = [
            `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`,
            `UPDATE ${table} SET ${key} = ${key} WHERE ${where}`,
            `DELETE FROM ${table} WHERE ${where}`,
            // A copy of one of A's rows, moved into B.
            `INSERT INTO ${table} SELECT (jsonb_populate_record(NULL::${table}, to_jsonb(x) || jsonb_build_object('${key}', '${b.workspaceId}'${key === 'id' ? '' : ", 'id', gen_random_uuid()"}))).* FROM ${table} x WHERE ${own} LIMIT 1`,
          ];
          for (const text of statements) {
            t.attempts++;
            const reached = await asAppRole(client, setting, text);
            if (reached > 0)
              t.leaks.push(
                `${setting === undefined ? 'no workspace' : `workspace '${setting}'`}: ${text} → ${reached}`,
              );
          }
        }
      }
      // The same role with B's workspace set sees B's rows: the denials above are the policies'.
      const control = `SELECT count(*)::int AS n FROM contacts WHERE workspace_id = '${b.workspaceId}'`;
      expect(await asAppRole(client, b.workspaceId, control)).toBeGreaterThan(0);
    } finally {
      client.release();
    }
    figure('application role: attempts, leaks', [t.attempts, t.leaks.length]);
    expect(t.leaks).toEqual([]);
  });
});

const RESEND_TYPES = [
  'email.delivered',
  'email.bounced',
  'email.complained',
  'email.opened',
  'email.clicked',
  'email.delivery_delayed',
];

/** Every table that holds a workspace_id (the workspaces table by its id), with RLS or not. */
async function tablesWithWorkspace(): Promise<{ table: string; key: string }[]> {
  const { rows } = await w.db.system((sql) =>
    sql.query<{ table: string }>(
      `SELECT c.table_name AS table FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
        WHERE c.table_schema = 'public' AND c.column_name = 'workspace_id' ORDER BY 1`,
    ),
  );
  return [{ table: 'workspaces', key: 'id' }, ...rows.map((r) => ({ table: r.table, key: 'workspace_id' }))];
}

/**
 * Runs one statement as the application role in a transaction that is rolled back; how many of B's
 * rows it reached (counted or changed). Refused by the database (no grant, policy): none.
 */
async function asAppRole(client: pg.PoolClient, workspace: string | undefined, text: string): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL ROLE ${APP_ROLE}`);
    if (workspace !== undefined) await client.query(`SELECT set_config('app.workspace_id', $1, true)`, [workspace]);
    const result = await client.query<{ n?: number }>(text);
    return result.command === 'SELECT' ? (result.rows[0]?.n ?? 0) : (result.rowCount ?? 0);
  } catch {
    return 0;
  } finally {
    await client.query('ROLLBACK');
  }
}
