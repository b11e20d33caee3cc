// npm run bench:engine — 20,000 contacts enrolled in a three-step sequence with no delays (an
// always-open window, no jitter), sent through the HTTP channel to a local fake provider by 1 and
// then, on fresh data, by 4 `quotahit worker` processes. Prints steps/s, the lag from due time to
// send (p50/p99), the workers' peak RSS and, in the same run, the ceiling: plain processes doing
// the same claim (UPDATE … FOR UPDATE SKIP LOCKED), message-row insert and HTTP POST per step with
// no framework.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { request } from 'undici';
import { buildServer } from '../src/api/server.ts';
import { defaultAdapters } from '../src/channels/registry.ts';
import { loadConfig } from '../src/config.ts';
import { createDb, type Db } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { createWorkspace } from '../src/db/workspaces.ts';
import { systemClock } from '../src/engine/clock.ts';
import { createEngine } from '../src/engine/engine.ts';
import { silentLogger } from '../src/engine/ports.ts';
import { startQueue } from '../src/engine/queue.ts';
import { createStepWriter } from '../src/engine/stepWriter.ts';
import { benchDatabase, cpuMeter, peakRssMb, percentile } from './support.ts';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 20_000);
const STEPS = 3;
// Sending accounts (all on the fake provider). Each account's reservations are serialized by its row
// lock (exact quotas), so one account alone is bounded by that lock: see docs/benchmarks.md.
const SENDERS = Number(process.env.BENCH_SENDERS ?? 10);
const CEILING_CONCURRENCY = Number(process.env.BENCH_CEILING_CONCURRENCY ?? 10);
const KEY = Buffer.alloc(32, 7).toString('base64');
const SELF = fileURLToPath(import.meta.url);

type Fake = { url: string; unique: () => number; posts: () => number; reset: () => void; close: () => Promise<void> };
type Result = { label: string; steps: number; seconds: number; p50: number; p99: number; rss: string; cpu: string };

/** The HTTP channel's protocol, as little as possible: remember keys, answer the id. */
async function startFake(): Promise<Fake> {
  let keys = new Set<string>();
  let posts = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const key = String(req.headers['idempotency-key'] ?? req.url?.split('/').pop() ?? '');
      if (req.method === 'POST') {
        posts++;
        keys.add(key);
      } else if (!keys.has(key)) {
        res.writeHead(404).end('{}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"id":"fake_${key}"}`);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/messages`,
    unique: () => keys.size,
    posts: () => posts,
    reset: () => {
      keys = new Set();
      posts = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function spawnReady(args: string[], env: NodeJS.ProcessEnv, ready: string): Promise<ChildProcess> {
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...args], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes(ready)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${output}`)));
  });
}

async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

async function lagStats(client: pg.Client, query: string): Promise<{ p50: number; p99: number }> {
  const { rows } = await client.query<{ ms: number }>(query);
  const lags = rows.map((r) => r.ms).sort((a, b) => a - b);
  return { p50: Math.round(percentile(lags, 50)), p99: Math.round(percentile(lags, 99)) };
}

async function runEngine(workers: number, fake: Fake): Promise<Result> {
  const database = await benchDatabase();
  const db = createDb({ url: database.url, poolSize: 10 });
  await migrate(db.pool);
  const queue = await startQueue({ url: database.url, log: silentLogger });
  const adapters = defaultAdapters();
  const engine = createEngine({
    db,
    clock: systemClock,
    adapters,
    writer: createStepWriter(),
    encryptionKey: Buffer.from(KEY, 'base64'),
    log: silentLogger,
    queue,
  });
  const config = loadConfig({ DATABASE_URL: database.url, QUOTAHIT_ENCRYPTION_KEY: KEY, LOG_LEVEL: 'warn' });
  const app = await buildServer({ db, config, logger: false, engine, adapters });
  const { workspace, apiKey } = await createWorkspace(db, { name: 'bench' });
  const api = async (url: string, payload: object, method: 'POST' | 'PATCH' = 'POST') => {
    const res = await app.inject({ method, url, headers: { authorization: `Bearer ${apiKey}` }, payload });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json() as Record<string, unknown>;
  };
  // Real sends wait until the workspace says what it offers (the identity hold).
  await api('/v1/workspace', { offer: 'We help teams send outreach.' }, 'PATCH');
  for (let i = 0; i < SENDERS; i++) {
    await api('/v1/senders', {
      channel: 'email',
      provider: 'http',
      fromEmail: `bench${i}@example.com`,
      fromName: 'Sam Rivera',
      credentials: { url: fake.url },
      dailyLimit: 100_000,
      hourlyLimit: null,
      minGapSeconds: 0,
      warmup: null,
    });
  }
  // One recipient domain per contact, so the per-domain daily cap never defers a step here.
  for (let i = 0; i < CONTACTS; i += 5000) {
    const contacts = Array.from({ length: Math.min(5000, CONTACTS - i) }, (_, j) => ({
      email: `lead${i + j}@company${i + j}.example.com`,
      firstName: `Lead${i + j}`,
      company: `Company ${i + j}`,
      timezone: 'UTC',
      tags: ['bench'],
    }));
    await api('/v1/contacts', { contacts });
  }
  const always = {
    timezone: 'UTC',
    days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
    start: '00:00',
    end: '24:00',
  };
  const sequence = await api('/v1/sequences', {
    name: 'bench',
    steps: [
      { day: 0, channel: 'email', template: 'intro' },
      { day: 0, channel: 'email', template: 'followup_1' },
      { day: 0, channel: 'email', template: 'breakup' },
    ],
    schedule: { ...always, jitterSeconds: 0 },
  });

  const env = { ...process.env, DATABASE_URL: database.url, QUOTAHIT_ENCRYPTION_KEY: KEY, LOG_LEVEL: 'warn' };
  const children = await Promise.all(
    Array.from({ length: workers }, () => spawnReady(['bin/quotahit.js', 'worker'], env, 'worker is running')),
  );
  fake.reset();
  const meter = await cpuMeter(() => children.map((c) => c.pid as number));
  const started = performance.now();
  let rss: number[];
  let cpu: Awaited<ReturnType<typeof meter>>;
  try {
    await engine.enroll({ workspaceId: workspace.id, sequenceId: String(sequence.id), tag: 'bench' });
    for (;;) {
      // The fake provider counts deliveries in this process; the database is asked only once they
      // are all in (a count of enrollments every 100 ms would be work the ceiling does not do).
      if (fake.unique() < CONTACTS * STEPS) {
        if (performance.now() - started > 60 * 60_000) throw new Error(`not done after an hour: ${fake.unique()}`);
        if (fake.unique() === 0 && performance.now() - started > 120_000) await stalled(db);
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      const { rows } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM enrollments WHERE status = 'completed'`,
      );
      if ((rows[0]?.n ?? 0) >= CONTACTS) break;
      if (performance.now() - started > 60 * 60_000) throw new Error(`not done after an hour: ${rows[0]?.n}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    rss = await Promise.all(children.map((c) => peakRssMb(c.pid as number)));
    cpu = await meter();
  } finally {
    await stop(children);
  }

  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const { rows: span } = await client.query<{ steps: number; seconds: number; statuses: string }>(
    `SELECT count(*)::int AS steps,
            extract(epoch FROM max(m.sent_at) - min(e.enrolled_at))::float8 AS seconds,
            string_agg(DISTINCT m.status, ',') AS statuses
       FROM messages m JOIN enrollments e ON e.id = m.enrollment_id`,
  );
  const lag = await lagStats(
    client,
    `SELECT extract(epoch FROM m.sent_at - coalesce(lag(m.sent_at) OVER (PARTITION BY m.enrollment_id ORDER BY m.step), e.enrolled_at)) * 1000 AS ms
       FROM messages m JOIN enrollments e ON e.id = m.enrollment_id`,
  );
  await client.end();
  const { steps, seconds, statuses } = span[0] as { steps: number; seconds: number; statuses: string };
  if (steps !== CONTACTS * STEPS || statuses !== 'sent' || fake.unique() !== steps)
    throw new Error(`expected ${CONTACTS * STEPS} sent; got ${steps} rows (${statuses}), ${fake.unique()} delivered`);
  await app.close();
  await queue.stop();
  await db.close();
  await database.close();
  return {
    label: `engine, ${workers} worker${workers > 1 ? 's' : ''}`,
    steps,
    seconds,
    ...lag,
    rss: workers === 1 ? `${rss[0]} MB` : `${Math.max(...rss)} MB max (${rss.join('/')})`,
    cpu: cpu.steps(steps),
  };
}

const CEILING_SCHEMA = `
  CREATE TABLE ceiling_due (id bigint PRIMARY KEY, email text NOT NULL, step int NOT NULL DEFAULT 0,
    enrolled_at timestamptz NOT NULL, next_run_at timestamptz);
  CREATE INDEX ceiling_due_next ON ceiling_due (next_run_at) WHERE next_run_at IS NOT NULL;
  CREATE TABLE ceiling_messages (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), due_id bigint NOT NULL,
    step int NOT NULL, status text NOT NULL, body text NOT NULL, reserved_at timestamptz NOT NULL,
    sent_at timestamptz, UNIQUE (due_id, step));`;

/** One ceiling process: CEILING_CONCURRENCY loops of claim + insert → POST → record. */
async function ceilingWorker(url: string, target: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: CEILING_CONCURRENCY });
  const loop = async () => {
    for (;;) {
      const { rows } = await pool.query<{ id: string; due_id: string; step: number; email: string }>(
        `WITH claimed AS (
           UPDATE ceiling_due SET next_run_at = now() + interval '2 minutes'
            WHERE id = (SELECT id FROM ceiling_due WHERE next_run_at <= now() ORDER BY next_run_at
                         LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id, step, email)
         INSERT INTO ceiling_messages (due_id, step, status, body, reserved_at)
         SELECT id, step, 'sending', 'Hello ' || email, now() FROM claimed
         RETURNING id, due_id, step, (SELECT email FROM claimed)`,
      );
      const claimed = rows[0];
      if (!claimed) {
        const { rows: left } = await pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM ceiling_due WHERE next_run_at IS NOT NULL',
        );
        if (left[0]?.n === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      const res = await request(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': claimed.id },
        body: JSON.stringify({ id: claimed.id, to: { email: claimed.email }, step: claimed.step }),
      });
      await res.body.text();
      await pool.query(
        `WITH sent AS (UPDATE ceiling_messages SET status = 'sent', sent_at = now() WHERE id = $1)
         UPDATE ceiling_due SET step = step + 1, next_run_at = CASE WHEN step + 1 < ${STEPS} THEN now() END WHERE id = $2`,
        [claimed.id, claimed.due_id],
      );
    }
  };
  await Promise.all(Array.from({ length: CEILING_CONCURRENCY }, loop));
  await pool.end();
}

async function runCeiling(processes: number, fake: Fake): Promise<Result> {
  const database = await benchDatabase();
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(CEILING_SCHEMA);
  fake.reset();
  const children = await Promise.all(
    Array.from({ length: processes }, () =>
      spawnReady(['--import', 'tsx', SELF, '--ceiling-worker', database.url, fake.url], process.env, 'ready'),
    ),
  );
  const meter = await cpuMeter(() => children.map((c) => c.pid as number));
  const started = performance.now();
  await client.query(
    `INSERT INTO ceiling_due (id, email, enrolled_at, next_run_at)
     SELECT i, 'lead' || i || '@company' || i || '.example.com', now(), now() FROM generate_series(1, $1) AS i`,
    [CONTACTS],
  );
  for (const child of children) child.stdin?.end();
  // Measured as each process finishes its last loop (its /proc entry goes with it).
  const cpu = await new Promise<Awaited<ReturnType<typeof meter>>>((resolve, reject) => {
    let left = children.length;
    for (const child of children)
      child.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('finished') && --left === 0) meter().then(resolve, reject);
      });
  });
  const exited = Promise.all(children.map((c) => once(c, 'exit')));
  for (const child of children) child.kill('SIGTERM');
  await exited;
  const wall = (performance.now() - started) / 1000;
  const { rows } = await client.query<{ steps: number; seconds: number }>(
    `SELECT count(*)::int AS steps, extract(epoch FROM max(m.sent_at) - min(d.enrolled_at))::float8 AS seconds
       FROM ceiling_messages m JOIN ceiling_due d ON d.id = m.due_id WHERE m.status = 'sent'`,
  );
  const lag = await lagStats(
    client,
    `SELECT extract(epoch FROM m.sent_at - coalesce(lag(m.sent_at) OVER (PARTITION BY m.due_id ORDER BY m.step), d.enrolled_at)) * 1000 AS ms
       FROM ceiling_messages m JOIN ceiling_due d ON d.id = m.due_id`,
  );
  await client.end();
  await database.close();
  const { steps, seconds } = rows[0] as { steps: number; seconds: number };
  if (steps !== CONTACTS * STEPS || fake.unique() !== steps)
    throw new Error(`ceiling: expected ${CONTACTS * STEPS} sent, got ${steps} (${fake.unique()} delivered)`);
  return {
    label: `ceiling, ${processes} processes × ${CEILING_CONCURRENCY} loops`,
    steps,
    seconds: Math.min(seconds, wall),
    ...lag,
    rss: '',
    cpu: cpu.steps(steps),
  };
}

async function main(): Promise<void> {
  const fake = await startFake();
  const only = process.env.BENCH_ONLY; // "1", "4" or "ceiling" to run one part
  const results: Result[] = [];
  if (!only || only === '1') results.push(await runEngine(1, fake));
  if (!only || only === '4') results.push(await runEngine(4, fake));
  if (!only || only === 'ceiling') results.push(await runCeiling(4, fake));
  await fake.close();

  console.log(
    `bench:engine (${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded'} PostgreSQL, ${CONTACTS} contacts × ${STEPS} steps, ${SENDERS} sending account${SENDERS > 1 ? 's' : ''})`,
  );
  const rate = (r: Result) => r.steps / r.seconds;
  for (const r of results) {
    console.log(
      `  ${r.label.padEnd(34)} ${Math.round(rate(r)).toLocaleString('en').padStart(6)} steps/s (${r.seconds.toFixed(1)} s)` +
        `  lag p50 ${r.p50} ms, p99 ${r.p99} ms${r.rss ? `  peak RSS ${r.rss}` : ''}\n    ${r.cpu}`,
    );
  }
  const ceiling = results.find((r) => r.label.startsWith('ceiling'));
  const four = results.find((r) => r.label === 'engine, 4 workers');
  if (ceiling && four) console.log(`  4 workers / ceiling  ${((rate(four) / rate(ceiling)) * 100).toFixed(0)}%`);
}

if (process.argv[2] === '--ceiling-worker') {
  // Wait for the parent to fill the table, so every process starts on the same backlog.
  process.stdout.write('ready\n');
  process.stdin.resume();
  await once(process.stdin, 'end');
  await ceilingWorker(process.argv[3] as string, process.argv[4] as string);
  // Tell the parent, which reads this process's CPU time and then ends it.
  process.stdout.write('finished\n');
  await new Promise((resolve) => setTimeout(resolve, 60_000));
} else {
  await main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

/** Nothing delivered after two minutes: say why (the enrollments' last timeline entry) instead of waiting an hour. */
async function stalled(db: Db): Promise<never> {
  const { rows } = await db.pool.query<{ summary: string }>(
    `SELECT summary FROM activities ORDER BY created_at DESC LIMIT 1`,
  );
  throw new Error(`nothing delivered after 2 minutes; last timeline entry: ${rows[0]?.summary ?? 'none'}`);
}
