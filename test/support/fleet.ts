// A running installation made of real processes, for the reliability battery (test/reliability):
// `quotahit serve` and `quotahit worker` processes on one database, driven over HTTP, sending
// through the idempotent fake HTTP provider; and the exactly-once check on what reached it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect, inject } from 'vitest';
import { freePort } from '../../src/db/embedded.ts';
import type { FakeHttpProvider } from '../fakes/httpProvider.ts';
import { withDatabase } from './globalSetup.ts';
import { cliEnv } from './harness.ts';
import { runCli, startCli, type Server } from './processes.ts';
import { instant } from './world.ts';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; a deadline guards against hangs (generous: the machine is loaded). */
export async function until<T>(check: () => Promise<T | undefined | false>, what: string, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export type Api = (method: string, url: string, body?: unknown) => Promise<{ status: number; body: unknown }>;

/** Requests to a server's /v1 with an API key; never throws on a status, only on a broken connection. */
export function httpApi(baseUrl: () => string, apiKey: string): Api {
  return async (method, url, body) => {
    const res = await fetch(`${baseUrl()}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  };
}

/** The request must succeed (2xx): its body. */
export async function ok<T = Record<string, unknown>>(api: Api, method: string, url: string, body?: unknown) {
  const res = await api(method, url, body);
  expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body as T;
}

/** An empty database on the run's server (dropped with the run's others), for processes of its own. */
export async function emptyDatabase(): Promise<string> {
  const name = `${inject('templateDatabase').replace(/_tpl$/, '')}_fleet_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('serverUrl') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return withDatabase(inject('serverUrl'), name);
}

/** Migrates the database (`quotahit migrate`) and creates a workspace (`quotahit workspace create`). */
export async function newInstallation(env: NodeJS.ProcessEnv): Promise<{ workspaceId: string; apiKey: string }> {
  const migrated = await runCli(['migrate'], env);
  expect(migrated.code, migrated.stderr).toBe(0);
  const created = await runCli(['workspace', 'create', '--name', 'Reliability', '--json'], env);
  expect(created.code, created.stderr).toBe(0);
  return JSON.parse(created.stdout) as { workspaceId: string; apiKey: string };
}

/** A `quotahit worker`; `bin` runs another release (test/support/release.ts). */
export async function startWorker(env: NodeJS.ProcessEnv, bin?: string): Promise<Server> {
  return startCli(['worker'], env, /worker is running/, 300_000, bin);
}

/** A `quotahit serve` on a free port; `bin` runs another release (test/support/release.ts). */
export async function startApi(env: NodeJS.ProcessEnv, bin?: string): Promise<Server & { url: string }> {
  const port = await freePort();
  const server = await startCli(['serve'], { ...env, PORT: String(port) }, /QuotaHit is listening on/, 300_000, bin);
  return { ...server, url: `http://127.0.0.1:${port}` };
}

/** The writer's offer, an HTTP sender at the fake and a sequence of `steps` instant email steps. */
export async function outreach(api: Api, fake: FakeHttpProvider, steps: number): Promise<string> {
  await ok(api, 'PATCH', '/v1/workspace', { offer: 'We help teams send outreach.' });
  await ok(api, 'POST', '/v1/senders', uncappedHttpSender(fake.url));
  const templates = ['intro', 'followup_1', 'breakup'];
  const sequence = await ok<{ id: string }>(
    api,
    'POST',
    '/v1/sequences',
    instant(Array.from({ length: steps }, (_, i) => ({ channel: 'email', template: templates[i % 3] ?? 'intro' }))),
  );
  return sequence.id;
}

/** Contacts tagged `tag` (one recipient domain each: no per-domain cap defers them), enrolled. */
export async function enrollWave(api: Api, sequenceId: string, tag: string, count: number): Promise<void> {
  const contacts = Array.from({ length: count }, (_, i) => ({
    email: `lead${i}@${tag}-${i}.example.com`,
    firstName: `Lead${i}`,
    timezone: 'UTC',
    tags: [tag],
  }));
  const imported = await ok(api, 'POST', '/v1/contacts', { contacts });
  expect(imported.created).toBe(count);
  const enrolled = await ok<{ enrolled: unknown[] }>(api, 'POST', `/v1/sequences/${sequenceId}/enrollments`, { tag });
  expect(enrolled.enrolled).toHaveLength(count);
}

/** Every (recipient, step) reached the provider exactly once, under one key each. */
export function expectExactlyOnce(fake: FakeHttpProvider, expected: number): { lost: number; doubled: number } {
  const bySlot = new Map<string, number>();
  for (const d of fake.deliveries) {
    const body = d.body as { to?: { email?: string }; purpose?: string };
    const slot = `${body.to?.email ?? '?'}|${body.purpose ?? '?'}`;
    bySlot.set(slot, (bySlot.get(slot) ?? 0) + 1);
  }
  const doubled = [...bySlot.values()].reduce((n, c) => n + c - 1, 0);
  const lost = expected - bySlot.size;
  expect({ lost, doubled, keys: new Set(fake.deliveries.map((d) => d.key)).size }).toEqual({
    lost: 0,
    doubled: 0,
    keys: expected,
  });
  return { lost, doubled };
}

/** A figure line for docs/reliability.md: `[battery] <surface> <figure>: <value>`. */
export const figure = (surface: string, name: string, value: unknown) =>
  console.log(`[battery] ${surface} ${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);

export const BATTERY = process.env.QUOTAHIT_BATTERY === '1';

/** An email account on the HTTP provider at `url` with no caps, gap or warm-up: sends go out as fast as workers run. */
export const uncappedHttpSender = (url: string) => ({
  channel: 'email',
  provider: 'http',
  fromEmail: 'x@example.com',
  fromName: 'Sam Rivera',
  credentials: { url },
  dailyLimit: 100_000,
  hourlyLimit: null,
  minGapSeconds: 0,
  warmup: null,
});

/** The environment of a fleet's processes on `databaseUrl`: its lease, send timeout and worker concurrency, a 1 s sweep. */
export function fleetEnv(input: { databaseUrl: string; leaseMs: number; sendTimeoutMs: number; concurrency: number }) {
  return cliEnv({
    DATABASE_URL: input.databaseUrl,
    QUOTAHIT_LEASE_MS: String(input.leaseMs),
    QUOTAHIT_SEND_TIMEOUT_MS: String(input.sendTimeoutMs),
    QUOTAHIT_SWEEP_SECONDS: '1',
    QUOTAHIT_WORKER_CONCURRENCY: String(input.concurrency),
    DATABASE_POOL_SIZE: '6',
    LOG_LEVEL: 'warn',
  });
}
