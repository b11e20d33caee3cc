// The engine behind Debian's PgBouncer in transaction mode, on a database of its own: the pooler
// is detected, migrations and planner statistics take transaction-level locks, the engine's
// one-round-trip batches (SQL-level PREPARE/EXECUTE) and its parameterized queries run through it,
// and a worker on the pg-boss queue sends through it. A connection that keeps prepared statements
// for its session (the default mode) breaks there, which is what the detection is for.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultAdapters } from '../../src/channels/registry.ts';
import { validateSequence, type SequenceInput } from '../../src/core/sequence.ts';
import { createRecipientChecker } from '../../src/channels/email/recipientCheck.ts';
import { loadConfig } from '../../src/config.ts';
import { createDb, execute, prepare, type Db } from '../../src/db/database.ts';
import { freePort } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openDatabase } from '../../src/db/open.ts';
import { detectPooling } from '../../src/db/pooling.ts';
import { insertSequence } from '../../src/db/sequences.ts';
import { refreshStatistics } from '../../src/db/statistics.ts';
import { createWorkspace } from '../../src/db/workspaces.ts';
import { manualClock, systemClock } from '../../src/engine/clock.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { importContacts } from '../../src/engine/commands/importContacts.ts';
import { silentLogger } from '../../src/engine/ports.ts';
import { startQueue } from '../../src/engine/queue.ts';
import { createStepWriter } from '../../src/engine/stepWriter.ts';
import { startDnsServer } from '../channels/support/dnsServer.ts';
import { ALWAYS_OPEN } from '../support/world.ts';
import { withDatabase } from '../support/globalSetup.ts';

const PGBOUNCER = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p));
const KEY = Buffer.alloc(32, 9);
const name = `qh_bouncer_${Date.now().toString(36)}`;
let direct: string;
let bounced: string;
let single: string;
let fresh: string;
let bouncer: ChildProcess | undefined;
let admin: pg.Client;
const dns = await startDnsServer({
  'bouncer.example.com': { MX: [{ exchange: 'mx.bouncer.example.com', priority: 1 }] },
});

async function startPgBouncer(target: URL): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quotahit-pgbouncer-'));
  await chmod(dir, 0o755); // pgbouncer runs as the postgres user (-u) and reads its files from here
  const port = await freePort();
  const server = `host=${target.hostname} port=${target.port || 5432} user=${decodeURIComponent(target.username)}${
    target.password ? ` password=${decodeURIComponent(target.password)}` : ''
  }`;
  const ini = path.join(dir, 'pgbouncer.ini');
  await writeFile(
    ini,
    [
      '[databases]',
      // One server connection for the whole pool: clients share it, deterministically.
      `single = ${server} dbname=${name} pool_size=1`,
      `* = ${server}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = any',
      'pool_mode = transaction',
      'default_pool_size = 4',
      'max_client_conn = 200',
      'ignore_startup_parameters = extra_float_digits',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const args = os.userInfo().uid === 0 ? ['-u', 'postgres', ini] : [ini];
  bouncer = spawn(PGBOUNCER as string, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  bouncer.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(socket.end() && true));
      socket.on('error', () => resolve(false));
    });
    if (open) return port;
    if (bouncer.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`pgbouncer did not start: ${output}`);
}

function sequenceInput(raw: unknown): SequenceInput {
  const checked = validateSequence(raw);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return checked.value;
}

beforeAll(async () => {
  if (!PGBOUNCER) return;
  admin = new pg.Client({ connectionString: inject('databaseUrl') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  direct = withDatabase(inject('databaseUrl'), name);
  await admin.query(`CREATE DATABASE ${name}_m`);
  const pool = new pg.Pool({ connectionString: direct });
  await migrate(pool);
  await pool.end();
  const port = await startPgBouncer(new URL(direct));
  bounced = `postgres://quotahit@127.0.0.1:${port}/${name}`;
  fresh = `postgres://quotahit@127.0.0.1:${port}/${name}_m`;
  single = `postgres://quotahit@127.0.0.1:${port}/single`;
});
afterAll(async () => {
  bouncer?.kill('SIGTERM');
  await dns.close();
  if (!PGBOUNCER) return;
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`DROP DATABASE IF EXISTS ${name}_m WITH (FORCE)`);
  await admin.end();
});

describe.skipIf(!PGBOUNCER)('behind PgBouncer in transaction mode (apt-get install pgbouncer)', () => {
  it('is detected, and a direct connection is not', async () => {
    expect(await detectPooling(direct)).toBe('session');
    expect(await detectPooling(bounced)).toBe('transaction');
    expect(await detectPooling(single)).toBe('transaction');
    const env = { DATABASE_URL: bounced, QUOTAHIT_ENCRYPTION_KEY: KEY.toString('base64') };
    const warnings: string[] = [];
    const opened = await openDatabase(loadConfig(env), { warn: (line) => warnings.push(line) });
    expect(opened.db.pooling).toBe('transaction');
    expect(warnings).toEqual([
      expect.stringMatching(/connection pooler in transaction mode: prepared statements are off/),
    ]);
    await opened.close();
    const set = await openDatabase(loadConfig({ ...env, QUOTAHIT_DATABASE_POOLING: 'session' }), { migrate: false });
    expect(set.db.pooling).toBe('session');
    await set.close();
  });

  it('runs migrations (twice, concurrently) and the statistics refresh through it', async () => {
    const pools = [new pg.Pool({ connectionString: fresh }), new pg.Pool({ connectionString: fresh })];
    const applied = await Promise.all(pools.map((pool) => migrate(pool)));
    expect(applied.flat().length).toBeGreaterThan(0); // every migration applied once, by one of them
    expect(new Set(applied.flat()).size).toBe(applied.flat().length);
    await Promise.all(pools.map((pool) => pool.end()));
    const db = createDb({ url: fresh, pooling: 'transaction' });
    expect(await refreshStatistics(db)).toEqual([]);
    // The locks were transaction-level: nothing is left held on a server connection.
    // pg_locks spans the cluster: only this database's locks count (other test files run beside it).
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM pg_locks
        WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(rows[0].n).toBe(0);
    await db.close();
  });

  it('keeps no prepared statement across transactions (a session-mode client breaks on a shared server connection)', async () => {
    const statement = prepare(['int'], 'SELECT $1::int + 1 AS n');
    const run = async (db: Db) => {
      const { workspace } = await createWorkspace(db, { name: 'Pooled' });
      // Two client connections of the pool at once, each running the same batch twice.
      await Promise.all(
        [1, 2].map(() =>
          db.tenant(workspace.id, async (sql) => {
            await sql.batch(execute(statement, [1]), [statement]);
            return sql.batch(execute(statement, [2]), [statement]);
          }),
        ),
      );
      return db.statement<{ n: number }>(workspace.id, execute(statement, [41]), [statement]);
    };
    const pooled = createDb({ url: single, pooling: 'transaction', poolSize: 3 });
    expect((await run(pooled)).rows).toEqual([{ n: 42 }]);
    await pooled.close();
    const naive = createDb({ url: single, pooling: 'session', poolSize: 3 });
    await expect(run(naive)).rejects.toThrow(/prepared statement "qh_p_\w+" (already exists|does not exist)/);
    await naive.close();
  });

  /** Two workers (two pools) sharing PgBouncer's single server connection: the strictest sharing. */
  async function twoWorkers(pooling: 'session' | 'transaction') {
    const clock = manualClock(new Date('2026-03-02T09:00:00Z'));
    const workers = [1, 2].map(() => {
      const db = createDb({ url: single, pooling, poolSize: 4 });
      const engine = createEngine({
        db,
        clock,
        adapters: defaultAdapters(),
        writer: createStepWriter(),
        encryptionKey: KEY,
        log: silentLogger,
        recipients: createRecipientChecker({ servers: [dns.server] }),
      });
      return { db, engine };
    });
    const [{ db, engine }] = workers as [(typeof workers)[number]];
    const { workspace } = await createWorkspace(db, { name: `Bounced ${pooling}` });
    const records = Array.from({ length: 40 }, (_, i) => ({
      row: i + 1,
      contact: { email: `p${i}@bouncer.example.com`, firstName: `P${i}`, tags: ['go'] },
    }));
    expect(await importContacts({ db, workspaceId: workspace.id, records })).toMatchObject({ created: 40 });
    const input = sequenceInput({
      name: 'Through the pooler',
      steps: [0, 1, 2].map((day) => ({ day, channel: 'email', template: day === 0 ? 'intro' : `followup_${day}` })),
      schedule: ALWAYS_OPEN,
    });
    const sequence = await db.tenant(workspace.id, (sql) => insertSequence(sql, workspace.id, input, null));
    const { enrolled } = await engine.enroll({ workspaceId: workspace.id, sequenceId: sequence.id, tag: 'go' });
    expect(enrolled).toHaveLength(40);
    try {
      for (let day = 0; day < 3; day++) {
        // Every due enrollment at once, half on each worker: the batches coalesce within each.
        await Promise.all(
          enrolled.map((e, i) =>
            workers[i % 2]?.engine.runEnrollment({ workspaceId: workspace.id, enrollmentId: e.enrollmentId }),
          ),
        );
        clock.advance(24 * 60 * 60 * 1000);
      }
      const { rows } = await db.pool.query<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM messages WHERE workspace_id = $1 GROUP BY status',
        [workspace.id],
      );
      return rows;
    } finally {
      for (const w of workers) await w.db.close();
    }
  }

  it('runs the engine: import, enroll, and three steps for 40 contacts on two workers', async () => {
    expect(await twoWorkers('transaction')).toEqual([{ status: 'sent', n: 120 }]);
    // The same with statements kept per client connection: they collide on the shared server connection.
    await expect(twoWorkers('session')).rejects.toThrow(/prepared statement "qh_\w+" (already exists|does not exist)/);
  });

  it('runs a worker on the pg-boss queue through it', async () => {
    const db = createDb({ url: bounced, pooling: 'transaction', poolSize: 6 });
    const queue = await startQueue({ url: bounced, log: silentLogger });
    const engine = createEngine({
      db,
      clock: systemClock,
      adapters: defaultAdapters(),
      writer: createStepWriter(),
      encryptionKey: KEY,
      log: silentLogger,
      queue,
      recipients: createRecipientChecker({ servers: [dns.server] }),
    });
    const stop = await engine.startWorker({ sweepSeconds: 60 });
    try {
      const { workspace } = await createWorkspace(db, { name: 'Queued' });
      const records = Array.from({ length: 10 }, (_, i) => ({
        row: i + 1,
        contact: { email: `q${i}@bouncer.example.com`, tags: ['q'] },
      }));
      await importContacts({ db, workspaceId: workspace.id, records });
      const input = sequenceInput({
        name: 'Now',
        steps: [{ day: 0, channel: 'email', template: 'intro' }],
        schedule: ALWAYS_OPEN,
      });
      const sequence = await db.tenant(workspace.id, (sql) => insertSequence(sql, workspace.id, input, null));
      await engine.enroll({ workspaceId: workspace.id, sequenceId: sequence.id, tag: 'q' });
      const deadline = Date.now() + 30_000;
      let sent = 0;
      while (sent < 10 && Date.now() < deadline) {
        const { rows } = await db.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM messages WHERE workspace_id = $1 AND status = 'sent'`,
          [workspace.id],
        );
        sent = rows[0]?.n ?? 0;
        if (sent < 10) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(sent).toBe(10);
    } finally {
      await stop();
      await db.close();
    }
  });
});
