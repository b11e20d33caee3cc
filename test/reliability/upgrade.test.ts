// R-upgrade (issue 16): a rolling upgrade under load. Two `quotahit serve` and two `quotahit worker`
// processes share a database; one by one, each is replaced by a process of the next release: that
// release's `quotahit migrate` runs (as a deploy does) beside the start of its successor, which
// migrates at start too, and the old one gets SIGTERM and drains. Each release adds a test-only
// migration (test/support/release.ts copies this checkout and adds it): a nullable column and an
// index on each table the load writes (contacts, enrollments, messages), so the first successor
// applies real, additive DDL while the old processes, which have never heard of the columns, keep
// serving and sending. Meanwhile clients import and enroll contacts without pause, through
// whichever API servers are in rotation (a connection refused or reset before an answer is retried
// on another one, with the same Idempotency-Key, as a load balancer's client would). Every accepted
// request answers without a 5xx, the schema version advances exactly once per release, old API
// servers answer and old workers send after it did, every old process stops cleanly (its drain
// finished), and every step reaches the idempotent fake provider exactly once.
//
// Why test-only migrations rather than this checkout without its newest one: a checkout's code may
// need its newest migration (078's idempotency_keys is used by every request below), so that copy
// is no previous release and the test would break on the next such migration.
import pg from 'pg';
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
import { BIN, runCli, type Server } from '../support/processes.ts';
import { copyRelease, newestMigration } from '../support/release.ts';

/** Rolling passes over the whole fleet (each pass upgrades every process to the next release). */
const PASSES = BATTERY ? 3 : 1;
const CLIENTS = 2;
const STEPS = 2;

type Member = Server & { kind: 'api' | 'worker'; url?: string };

/** Release `n`'s versions are PROBE_BASE + 1 … PROBE_BASE + n: after every real one. */
const PROBE_BASE = 9000;
const PROBE_TABLES = ['contacts', 'enrollments', 'messages'];

/**
 * Release `n`'s own migration: a nullable column and its index on each table the load writes.
 * Additive (older code names its columns), yet ADD COLUMN takes each table's ACCESS EXCLUSIVE lock
 * and CREATE INDEX blocks its writes while the old processes insert and update rows there.
 */
function probeMigration(n: number): [string, string] {
  const ddl = PROBE_TABLES.map(
    (table) =>
      `ALTER TABLE ${table} ADD COLUMN upgrade_probe_${n} text;\n` +
      `CREATE INDEX ${table}_upgrade_probe_${n} ON ${table} (upgrade_probe_${n});`,
  );
  return [`${PROBE_BASE + n}_upgrade_probe_${n}.sql`, `-- R-upgrade's test-only release ${n}.\n${ddl.join('\n')}\n`];
}

/** The newest applied migration version and how many are applied. */
async function schemaVersion(url: string): Promise<{ version: number; count: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: number; count: number }>(
      'SELECT max(version)::int AS version, count(*)::int AS count FROM schema_migrations',
    );
    return rows[0] ?? { version: NaN, count: NaN };
  } finally {
    await client.end();
  }
}

/** Clients that import and enroll one contact at a time until stopped, counting what they saw. */
function startLoad(rotation: () => string[], apiKey: string, sequenceId: string) {
  const seen = {
    requests: 0,
    serverErrors: [] as string[],
    retried: 0,
    enrolled: 0,
    answeredBy: new Map<string, number>(),
  };
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
        else seen.answeredBy.set(base, (seen.answeredBy.get(base) ?? 0) + 1);
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

describe('R-upgrade: a rolling upgrade with an additive migration under load', () => {
  it(
    `upgrades every process ${PASSES}× with 0 lost, 0 doubled, 0 failed requests`,
    { timeout: BATTERY ? 1_800_000 : 900_000 },
    async () => {
      // Release 0 is this checkout; release n adds the migrations of releases 1 … n.
      const probes = Array.from({ length: PASSES }, (_, i) => probeMigration(i + 1));
      const releases = [BIN];
      for (let n = 1; n <= PASSES; n++) {
        const release = await copyRelease(Object.fromEntries(probes.slice(0, n)));
        onTestFinished(release.remove);
        releases.push(release.bin);
      }
      const fake = await startFakeHttpProvider({ delayMs: 20 });
      onTestFinished(() => fake.close());
      const databaseUrl = await emptyDatabase();
      const env = fleetEnv({ databaseUrl, leaseMs: 20_000, sendTimeoutMs: 5000, concurrency: 8 });
      const { apiKey } = await newInstallation(env);
      const installed = await schemaVersion(databaseUrl);
      expect(installed.version).toBe(await newestMigration());
      const fleet: Member[] = [];
      const everyone: Server[] = [];
      onTestFinished(() => everyone.forEach((p) => p.child.kill('SIGKILL')));
      const start = async (kind: Member['kind'], bin: string): Promise<Member> => {
        const server = kind === 'api' ? await startApi(env, bin) : await startWorker(env, bin);
        everyone.push(server);
        return { ...server, kind };
      };
      for (const kind of ['api', 'api', 'worker', 'worker'] as const) fleet.push(await start(kind, BIN));
      const rotation = () => fleet.filter((m) => m.kind === 'api').map((m) => m.url ?? '');
      const sequenceId = await outreach(
        httpApi(() => rotation()[0] ?? '', apiKey),
        fake,
        STEPS,
      );

      const load = startLoad(rotation, apiKey, sequenceId);
      const answered = (url = '') => load.seen.answeredBy.get(url) ?? 0;
      const drains: number[] = [];
      const appliedByMigrate: string[] = [];
      let migrations = 0;
      let oldAnswers = 0;
      let oldSends = 0;
      for (let pass = 1; pass <= PASSES; pass++) {
        const release = releases[pass] ?? '';
        expect((await schemaVersion(databaseUrl)).version).toBe(pass === 1 ? installed.version : PROBE_BASE + pass - 1);
        // What the previous release's processes had done when the schema changed under them.
        let atChange = { deliveries: 0, answers: new Map<string, number>() };
        for (let slot = 0; slot < fleet.length; slot++) {
          const old = fleet[slot] as Member;
          if (slot === 2) {
            // Both workers are still the previous release's: sends after the change are theirs.
            await until(
              async () => (load.check(), fake.deliveries.length >= atChange.deliveries + 2 * STEPS),
              'old workers sending',
            );
            oldSends += fake.deliveries.length - atChange.deliveries;
          }
          // The deploy's `quotahit migrate` and the successor's own migration at start, at once.
          const [migrated, successor] = await Promise.all([
            runCli(['migrate'], env, release),
            start(old.kind, release),
          ]);
          expect(migrated.code, migrated.stderr).toBe(0);
          if (migrated.stdout.startsWith('Applied ')) appliedByMigrate.push(migrated.stdout.trim());
          migrations += 2;
          // Advanced at the first successor of the pass, by one release, and never again in the pass.
          const schema = await schemaVersion(databaseUrl);
          expect(schema).toEqual({ version: PROBE_BASE + pass, count: installed.count + pass });
          if (slot === 0) atChange = { deliveries: fake.deliveries.length, answers: new Map(load.seen.answeredBy) };
          if (old.kind === 'api') {
            // The old server answers on the new schema before it goes.
            const url = old.url ?? '';
            await until(
              async () => (load.check(), answered(url) > (atChange.answers.get(url) ?? 0)),
              'old API answering',
            );
            oldAnswers += answered(url) - (atChange.answers.get(url) ?? 0);
          }
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
      // `quotahit migrate` applied each release's migration at most once (or the successor did).
      expect(appliedByMigrate.length).toBeLessThanOrEqual(PASSES);
      expect(new Set(appliedByMigrate).size).toBe(appliedByMigrate.length);
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
        'processes upgraded (2 API + 2 workers per release) / migrate runs',
        `${replaced} / ${migrations}`,
      );
      figure(
        'R-upgrade',
        'schema version (additive migrations, one per release)',
        `${installed.version} → ${PROBE_BASE + PASSES}, advanced ${PASSES}×`,
      );
      figure(
        'R-upgrade',
        'after the schema change: answers by old API servers / steps sent by old workers',
        `${oldAnswers} / ${oldSends}`,
      );
      figure(
        'R-upgrade',
        'API requests / 5xx / refused or reset before an answer (retried)',
        `${load.seen.requests} / ${load.seen.serverErrors.length} / ${load.seen.retried}`,
      );
      figure('R-upgrade', 'steps / lost / doubled', `${expected} / ${lost} / ${doubled}`);
      figure('R-upgrade', 'drain time of a stopped process (max)', `${Math.round(Math.max(...drains))} ms`);
    },
  );
});
