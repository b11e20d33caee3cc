// R-upgrade (issue 16): a rolling restart under load. Two `quotahit serve` and two `quotahit
// worker` processes share a database; one by one, each is replaced: `quotahit migrate` runs (as a
// deploy does) beside the start of its successor, which migrates at start too, and the old one
// gets SIGTERM and drains. Meanwhile clients import and enroll contacts without pause, through
// whichever API servers are in rotation (a connection refused or reset before an answer is retried
// on another one, with the same Idempotency-Key, as a load balancer's client would). Every accepted
// request answers without a 5xx, every old process stops cleanly (its drain finished), and every
// step reaches the idempotent fake provider exactly once.
import { describe, expect, it, onTestFinished } from 'vitest';
import { startFakeHttpProvider } from '../fakes/httpProvider.ts';
import {
  BATTERY,
  emptyDatabase,
  expectExactlyOnce,
  figure,
  fleetEnv,
  httpApi,
  newInstallation,
  ok,
  outreach,
  sleep,
  startApi,
  startWorker,
  until,
} from '../support/fleet.ts';
import { runCli, type Server } from '../support/processes.ts';

/** Rolling passes over the whole fleet (each pass replaces every process once). */
const PASSES = BATTERY ? 3 : 1;
const CLIENTS = 2;
const STEPS = 2;

type Member = Server & { kind: 'api' | 'worker'; url?: string };

/** Clients that import and enroll one contact at a time until stopped, counting what they saw. */
function startLoad(rotation: () => string[], apiKey: string, sequenceId: string) {
  const seen = { requests: 0, serverErrors: [] as string[], retried: 0, enrolled: 0 };
  let stopping = false;
  let next = 0;
  const request = async (method: string, url: string, body: unknown, key: string) => {
    for (let attempt = 0; ; attempt++) {
      const servers = rotation();
      const base = servers[(next++ + attempt) % servers.length] ?? '';
      try {
        const res = await fetch(`${base}${url}`, {
          method,
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(body),
        });
        const text = await res.text();
        // Fastify's answer to a request that reached a closing server (not run at all; the
        // connection closes): a load balancer retries it elsewhere.
        if (res.status === 503 && res.headers.get('connection') === 'close') throw new Error('closing');
        seen.requests++;
        if (res.status >= 500) seen.serverErrors.push(`${method} ${url} → ${res.status} ${text}`);
        return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
      } catch {
        // Refused, reset or turned away unprocessed (the server was closing): the same request elsewhere.
        seen.retried++;
        if (attempt > 50) throw new Error(`${method} ${url}: no server answered`);
        await sleep(50);
      }
    }
  };
  const client = async (c: number) => {
    for (let i = 0; !stopping; i++) {
      const tag = `c${c}-${i}`;
      const contact = { email: `lead@${tag}.example.com`, firstName: 'Lead', timezone: 'UTC', tags: [tag] };
      const imported = await request('POST', '/v1/contacts', { contacts: [contact] }, `import-${tag}`);
      expect(imported.status, JSON.stringify(imported.body)).toBe(200);
      const enrolled = await request('POST', `/v1/sequences/${sequenceId}/enrollments`, { tag }, `enroll-${tag}`);
      expect(enrolled.status, JSON.stringify(enrolled.body)).toBeLessThan(300);
      expect(enrolled.body.enrolled).toHaveLength(1);
      seen.enrolled++;
    }
  };
  let failure: unknown;
  const running = Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c))).catch((error: unknown) => {
    failure = error;
    stopping = true;
  });
  return {
    seen,
    /** Throws what made a client stop, if one did. */
    check() {
      if (failure) throw failure;
    },
    async stop() {
      stopping = true;
      await running;
      if (failure) throw failure;
    },
  };
}

/** The drain time an old process reported when it stopped ("Stopped cleanly in …"). */
function drainMs(output: string): number | undefined {
  const line = output.split('\n').find((l) => l.includes('Stopped cleanly'));
  return line ? (JSON.parse(line) as { drainMs?: number }).drainMs : undefined;
}

describe('R-upgrade: migrations and a rolling restart under load', () => {
  it(`replaces every process ${PASSES}× with 0 lost, 0 doubled, 0 failed requests`, { timeout: 600_000 }, async () => {
    const fake = await startFakeHttpProvider({ delayMs: 20 });
    onTestFinished(() => fake.close());
    const env = fleetEnv({ databaseUrl: await emptyDatabase(), leaseMs: 20_000, sendTimeoutMs: 5000, concurrency: 8 });
    const { apiKey } = await newInstallation(env);
    const fleet: Member[] = [];
    const everyone: Server[] = [];
    onTestFinished(() => everyone.forEach((p) => p.child.kill('SIGKILL')));
    const start = async (kind: Member['kind']): Promise<Member> => {
      const server = kind === 'api' ? await startApi(env) : await startWorker(env);
      everyone.push(server);
      return { ...server, kind };
    };
    for (const kind of ['api', 'api', 'worker', 'worker'] as const) fleet.push(await start(kind));
    const rotation = () => fleet.filter((m) => m.kind === 'api').map((m) => m.url ?? '');
    const sequenceId = await outreach(
      httpApi(() => rotation()[0] ?? '', apiKey),
      fake,
      STEPS,
    );

    const load = startLoad(rotation, apiKey, sequenceId);
    const drains: number[] = [];
    let migrations = 0;
    for (let pass = 0; pass < PASSES; pass++) {
      for (let slot = 0; slot < fleet.length; slot++) {
        const old = fleet[slot] as Member;
        // The deploy's `quotahit migrate` and the successor's own migration at start, at once.
        const [migrated, successor] = await Promise.all([runCli(['migrate'], env), start(old.kind)]);
        expect(migrated.code, migrated.stderr).toBe(0);
        migrations += 2;
        // Some load on the new fleet before the old one goes: sends and requests are in flight.
        const before = load.seen.enrolled;
        await until(async () => (load.check(), load.seen.enrolled >= before + 3), 'load before the restart');
        fleet[slot] = successor;
        old.child.kill('SIGTERM');
        expect(await old.exited, old.output()).toBe(0);
        drains.push(drainMs(old.output()) ?? NaN);
      }
    }
    await load.stop();
    const expected = load.seen.enrolled * STEPS;
    await until(async () => fake.deliveries.length >= expected, `${expected} deliveries`);
    // Nothing more arrives late (a doubled send would come after the count was reached).
    await sleep(1000);
    const { lost, doubled } = expectExactlyOnce(fake, expected);
    expect(load.seen.serverErrors).toEqual([]);
    const messages = await ok<{ data: { status: string }[] }>(
      httpApi(() => rotation()[0] ?? '', apiKey),
      'GET',
      '/v1/messages?status=sent&limit=1',
    );
    expect(messages.data).toHaveLength(1);
    for (const member of fleet) {
      expect(member.child.exitCode, member.output()).toBeNull();
      member.child.kill('SIGTERM');
      expect(await member.exited, member.output()).toBe(0);
    }

    const replaced = PASSES * 4;
    figure(
      'R-upgrade',
      'processes replaced (2 API + 2 workers per pass) / migrate runs',
      `${replaced} / ${migrations}`,
    );
    figure(
      'R-upgrade',
      'API requests / 5xx / refused or reset before an answer (retried)',
      `${load.seen.requests} / ${load.seen.serverErrors.length} / ${load.seen.retried}`,
    );
    figure('R-upgrade', 'steps / lost / doubled', `${expected} / ${lost} / ${doubled}`);
    figure('R-upgrade', 'drain time of a stopped process (max)', `${Math.round(Math.max(...drains))} ms`);
  });
});
