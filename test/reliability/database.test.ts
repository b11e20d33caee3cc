// R-database (issue 16): PostgreSQL crashes (`pg_ctl stop -m immediate`) and every connection cut
// (`pg_terminate_backend`) at random points while real `quotahit worker` processes send and a
// `quotahit serve` process takes the enrollments. On a private server (the run's shared one is never
// restarted). Nothing is restarted by hand: the processes reconnect on their own, no process exits,
// and every step reaches the idempotent fake provider exactly once. The figure is the reconnect
// time: from the server accepting connections again (or the cut) to the first step recorded after.
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { startFakeHttpProvider } from '../fakes/httpProvider.ts';
import {
  BATTERY,
  enrollWave,
  expectExactlyOnce,
  figure,
  fleetEnv,
  httpApi,
  newInstallation,
  outreach,
  sleep,
  startApi,
  startWorker,
  until,
} from '../support/fleet.ts';
import { startPrivatePostgres } from '../support/privatePostgres.ts';
import type { Server } from '../support/processes.ts';

const RESTARTS = BATTERY ? 5 : 2;
const TERMINATIONS = BATTERY ? 20 : 5;
const WAVE = 30;
const STEPS = 2;
const SEED = 'r-database';

type Disruption = { kind: 'restart' | 'terminate'; at: number; midWave: boolean };

/** What an unfinished enrollment was left with: its messages and queue jobs (for a failure message). */
async function stuckEnrollments(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT e.id, e.status, e.current_step, e.next_run_at, now() AS now,
              (SELECT json_agg(json_build_object('step', m.step, 'status', m.status, 'lease', m.lease_until))
                 FROM messages m WHERE m.enrollment_id = e.id) AS messages,
              (SELECT json_agg(json_build_object('state', j.state, 'start', j.start_after, 'retry', j.retry_count))
                 FROM pgboss.job j WHERE j.data->>'enrollmentId' = e.id::text) AS jobs
         FROM enrollments e WHERE e.status <> 'completed'`,
    );
    return JSON.stringify(rows, null, 1);
  } finally {
    await client.end();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

describe('R-database: PostgreSQL restarts and cut connections mid-run', () => {
  it(
    `sends every step once through ${RESTARTS} crashes and ${TERMINATIONS} terminations`,
    { timeout: 600_000 },
    async () => {
      const server = await startPrivatePostgres();
      onTestFinished(() => server.close());
      const fake = await startFakeHttpProvider({ delayMs: 20 });
      onTestFinished(() => fake.close());
      const env = fleetEnv({ databaseUrl: server.url, leaseMs: 12_000, sendTimeoutMs: 8000, concurrency: 4 });
      const { apiKey } = await newInstallation(env);
      const processes: Server[] = [];
      onTestFinished(() => processes.forEach((p) => p.child.kill('SIGKILL')));
      const apiServer = await startApi(env);
      processes.push(apiServer, await startWorker(env), await startWorker(env));
      const api = httpApi(() => apiServer.url, apiKey);
      const sequenceId = await outreach(api, fake, STEPS);

      const random = seededRandom(SEED);
      const plan = [
        ...Array<'restart'>(RESTARTS).fill('restart'),
        ...Array<'terminate'>(TERMINATIONS).fill('terminate'),
      ]
        .map((kind) => ({ kind, order: random() }))
        .sort((a, b) => a.order - b.order)
        .map((p) => p.kind);
      const disruptions: Disruption[] = [];
      let expected = 0;
      // One wave of enrollments per disruption, and one after the last: each disruption lands
      // after part of its wave reached the provider, with the rest still to send.
      for (const [wave, kind] of [...plan, undefined].entries()) {
        await enrollWave(api, sequenceId, `w${wave}`, WAVE);
        const before = expected;
        expected += WAVE * STEPS;
        if (kind) {
          const part = before + Math.ceil(WAVE * STEPS * (0.1 + 0.5 * random()));
          await until(async () => fake.deliveries.length >= part, `${part} deliveries before disruption ${wave}`);
          const midWave = fake.deliveries.length < expected;
          if (kind === 'restart') {
            await server.crash();
            await sleep(200 + Math.floor(random() * 800));
            await server.restart();
          } else {
            expect(await server.terminateAll()).toBeGreaterThan(0);
          }
          disruptions.push({ kind, at: Date.now(), midWave });
        }
        await until(async () => fake.deliveries.length >= expected, `wave ${wave} sent`).catch(
          async (error: unknown) => {
            const outputs = processes.map((p) => p.output().slice(-1500)).join('\n----\n');
            const stuck = await stuckEnrollments(server.url);
            throw new Error(
              `${String(error)} after ${kind ?? 'nothing'}: ${fake.deliveries.length} of ${expected}\n${stuck}\n${outputs}`,
            );
          },
        );
        for (const p of processes) expect(p.child.exitCode, p.output()).toBeNull();
      }

      // Every step once at the provider; every message recorded as sent, once.
      const { lost, doubled } = expectExactlyOnce(fake, expected);
      const db = new pg.Client({ connectionString: server.url });
      await db.connect();
      onTestFinished(() => db.end());
      const recorded = await until(async () => {
        const { rows } = await db.query<{ sent: number; other: number }>(
          `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*) FILTER (WHERE status <> 'sent')::int AS other FROM messages`,
        );
        return rows[0]?.sent === expected ? rows[0] : undefined;
      }, 'every message recorded as sent');
      expect(recorded.other).toBe(0);
      // Reconnect time: the first step recorded (its sent event's transaction) after each disruption.
      const reconnect: Record<Disruption['kind'], number[]> = { restart: [], terminate: [] };
      for (const d of disruptions) {
        const { rows } = await db.query<{ ms: number }>(
          `SELECT extract(epoch FROM min(created_at) - to_timestamp($1 / 1000.0)) * 1000 AS ms
             FROM message_events WHERE event_type = 'sent' AND created_at >= to_timestamp($1 / 1000.0)`,
          [d.at],
        );
        reconnect[d.kind].push(Math.round(Number(rows[0]?.ms)));
      }

      // No process exited on its own; each stops cleanly when asked.
      for (const p of processes) {
        expect(p.child.exitCode, p.output()).toBeNull();
        expect(p.output()).not.toMatch(/unhandled|uncaught/i);
        p.child.kill('SIGTERM');
        expect(await p.exited, p.output()).toBe(0);
      }

      const summary = (kind: Disruption['kind']) =>
        `median ${median(reconnect[kind])} ms, max ${Math.max(...reconnect[kind])} ms (n=${reconnect[kind].length})`;
      figure(
        'R-database',
        'restarts (pg_ctl stop -m immediate) / terminations (all backends)',
        `${RESTARTS} / ${TERMINATIONS}`,
      );
      figure(
        'R-database',
        'disruptions landing mid-wave',
        `${disruptions.filter((d) => d.midWave).length} of ${disruptions.length}`,
      );
      figure('R-database', 'steps / lost / doubled / process exits', `${expected} / ${lost} / ${doubled} / 0`);
      figure('R-database', 'reconnect time after a restart', summary('restart'));
      figure('R-database', 'reconnect time after a termination', summary('terminate'));
      figure('R-database', 'seed', SEED);
    },
  );
});
