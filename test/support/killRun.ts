// What the kill tests share: a queue-backed engine and API that enroll (the workers consume the
// step.due jobs), real `quotahit worker` processes started and killed with SIGKILL, the count of
// kills that landed mid-run, and waiting on a condition (never on a schedule) with a deadline.
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { defaultAdapters } from '../../src/channels/registry.ts';
import { systemClock } from '../../src/engine/clock.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { silentLogger } from '../../src/engine/ports.ts';
import { startQueue } from '../../src/engine/queue.ts';
import { createStepWriter } from '../../src/engine/stepWriter.ts';
import { bearer, cliEnv, databaseUrl, newWorkspace, TEST_ENCRYPTION_KEY, testApi, testDb } from './harness.ts';
import { startCli, type Server } from './processes.ts';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The environment of a worker that may be killed: short leases so the next one reconciles soon. */
export function workerEnv(input: { leaseMs: number; sendTimeoutMs: number }, extra: Record<string, string> = {}) {
  return cliEnv({
    QUOTAHIT_LEASE_MS: String(input.leaseMs),
    QUOTAHIT_SEND_TIMEOUT_MS: String(input.sendTimeoutMs),
    QUOTAHIT_SWEEP_SECONDS: '1',
    DATABASE_POOL_SIZE: '10',
    LOG_LEVEL: 'error',
    ...extra,
  });
}

export const startWorker = (env: NodeJS.ProcessEnv): Promise<Server> =>
  startCli(['worker'], env, /worker is running/, 120_000);

export async function killWorker(worker: Server): Promise<void> {
  worker.child.kill('SIGKILL');
  await worker.exited;
}

/**
 * Kills after which the provider had more than before and not yet everything: `progress` is what
 * the provider had after each kill. A kill before a worker sent anything (a slow start) does not count.
 */
export const midRunKills = (progress: readonly number[], total: number) =>
  progress.filter((n, i) => n > (progress[i - 1] ?? 0) && n < total).length;

/** Polls `done` every `everyMs` until it holds; throws with `describe()` past the deadline. */
export async function waitUntil(
  done: () => Promise<boolean> | boolean,
  input: { timeoutMs: number; everyMs?: number; describe: () => Promise<string> | string },
): Promise<void> {
  const deadline = Date.now() + input.timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`not done within ${input.timeoutMs} ms: ${await input.describe()}`);
    await sleep(input.everyMs ?? 250);
  }
}

/**
 * An API whose engine schedules step.due jobs on the real queue (what workers consume), and a way
 * to open workspaces on it: `api` fails the test on any answer other than 2xx.
 */
export async function queueBackedApi() {
  const queue = await startQueue({ url: databaseUrl(), log: silentLogger });
  const engine = createEngine({
    db: testDb(),
    clock: systemClock,
    adapters: defaultAdapters(),
    writer: createStepWriter(),
    encryptionKey: Buffer.from(TEST_ENCRYPTION_KEY, 'base64'),
    log: silentLogger,
    queue,
  });
  const app = await testApi({}, { engine, adapters: defaultAdapters() });
  return {
    stop: () => queue.stop(),
    async workspace(name: string) {
      const { workspaceId, apiKey } = await newWorkspace(name);
      const api = async (method: 'POST' | 'GET' | 'PATCH', url: string, payload?: object) => {
        const res = await app.inject({ method, url, headers: bearer(apiKey), ...(payload ? { payload } : {}) });
        expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
        return res.json() as Record<string, unknown>;
      };
      return { workspaceId, api };
    },
  };
}

/**
 * Answers frozen on demand: while frozen, every provider behind it takes messages and answers none,
 * so a worker killed then dies with each of those sends unconfirmed.
 */
export function answerGate() {
  let frozen = false;
  const waiting: (() => void)[] = [];
  return {
    freeze: () => {
      frozen = true;
    },
    thaw: () => {
      frozen = false;
      for (const go of waiting.splice(0)) go();
    },
    /** Resolves at once, or once thawed. */
    pass: (): Promise<void> => (frozen ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve()),
  };
}
export type AnswerGate = ReturnType<typeof answerGate>;

/**
 * A TCP relay in front of a local server that passes requests on at once and holds each answer
 * for `holdMs` (and while `gate` is frozen): a provider that has taken a message and not yet said
 * so. A worker killed then dies not knowing whether the send went out, the case reconciliation is for.
 */
export async function startSlowAnswers(upstreamPort: number, holdMs: number, gate: AnswerGate) {
  const sockets = new Set<Socket>();
  const later = (action: () => void) => setTimeout(() => void gate.pass().then(action), holdMs);
  const server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => later(() => client.destroyed || client.write(chunk)));
    upstream.on('end', () => later(() => client.end()));
    client.on('error', end).on('close', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return {
    port,
    /** `url` with the relay's port in place of the server's. */
    via: (url: string) => {
      const u = new URL(url);
      u.port = String(port);
      return u.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
    },
    close,
  };
}
