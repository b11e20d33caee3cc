// Never twice, under fire: real `quotahit worker` processes are killed with SIGKILL at random moments
// while they send a few thousand steps through the idempotent HTTP channel; a last worker then runs
// everything to completion. Every (enrollment, step) must reach the provider exactly once, and
// every step must end up sent: no duplicates, no lost steps.
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { startFakeHttpProvider } from '../fakes/httpProvider.ts';
import { uncappedHttpSender } from '../support/fleet.ts';
import { testDb } from '../support/harness.ts';
import {
  killWorker,
  midRunKills,
  queueBackedApi,
  sleep,
  startWorker,
  waitUntil,
  workerEnv,
} from '../support/killRun.ts';
import { instant } from '../support/world.ts';

const CONTACTS = 3000;
const STEPS = 3;
/** Kills that must land mid-run (some sends made, not all). */
const KILLS = 20;
/** At most this many workers are started and killed while waiting for those. */
const MAX_KILLS = 60;
const LEASE_MS = 2000;

const env = () => workerEnv({ leaseMs: LEASE_MS, sendTimeoutMs: 1500 });

async function counts(workspaceId: string) {
  const { rows } = await testDb().pool.query<{ completed: number; sent: number; messages: number }>(
    `SELECT (SELECT count(*)::int FROM enrollments WHERE workspace_id = $1 AND status = 'completed') AS completed,
            (SELECT count(*)::int FROM messages WHERE workspace_id = $1 AND status = 'sent') AS sent,
            (SELECT count(*)::int FROM messages WHERE workspace_id = $1) AS messages`,
    [workspaceId],
  );
  return rows[0] as { completed: number; sent: number; messages: number };
}

describe('SIGKILL at random points while workers send', () => {
  it(
    `delivers ${CONTACTS * STEPS} steps exactly once through ${KILLS} kills mid-run`,
    { timeout: 900_000 },
    async () => {
      const fake = await startFakeHttpProvider();
      afterAll(() => fake.close());
      // Enrolling through a queue-backed engine: the step.due jobs are what the workers consume.
      const open = await queueBackedApi();
      afterAll(() => open.stop());
      const { workspaceId, api } = await open.workspace('kill test');
      // Real sends wait until the workspace says what it offers (issue 18).
      await api('PATCH', '/v1/workspace', { offer: 'We help teams send outreach.' });

      await api('POST', '/v1/senders', uncappedHttpSender(fake.url));
      // One recipient domain per contact: the per-domain daily cap must not defer anything here.
      const contacts = Array.from({ length: CONTACTS }, (_, i) => ({
        email: `lead${i}@company${i}.example.com`,
        firstName: `Lead${i}`,
        timezone: 'UTC',
        tags: ['kill'],
      }));
      const imported = await api('POST', '/v1/contacts', { contacts });
      expect(imported.created).toBe(CONTACTS);
      const sequence = await api(
        'POST',
        '/v1/sequences',
        instant([
          { channel: 'email', template: 'intro' },
          { channel: 'email', template: 'followup_1' },
          { channel: 'email', template: 'breakup' },
        ]),
      );
      const enrolled = (await api('POST', `/v1/sequences/${String(sequence.id)}/enrollments`, { tag: 'kill' })) as {
        enrolled: unknown[];
      };
      expect(enrolled.enrolled).toHaveLength(CONTACTS);

      // Kill workers at random moments (seeded, so a failure can be replayed) until 20 kills have
      // landed mid-run: some sends made, not all (a kill before a worker sends anything, which a slow
      // start can cause, does not count).
      const random = seededRandom('kill-test');
      const progress: number[] = [];
      const midRun = () => midRunKills(progress, CONTACTS * STEPS);
      while (midRun() < KILLS && progress.length < MAX_KILLS && (progress.at(-1) ?? 0) < CONTACTS * STEPS) {
        const worker = await startWorker(env());
        await sleep(200 + Math.floor(random() * 1300));
        await killWorker(worker);
        progress.push(fake.deliveries.length);
      }
      expect(midRun(), `deliveries after each kill: ${progress.join(', ')}`).toBeGreaterThanOrEqual(KILLS);

      // A last worker finishes the work, reconciling every reservation left behind once its lease ends.
      const last = await startWorker(env());
      try {
        await waitUntil(async () => (await counts(workspaceId)).completed === CONTACTS, {
          timeoutMs: 120_000,
          describe: async () => `${JSON.stringify(await counts(workspaceId))}\n${last.output()}`,
        });
      } finally {
        last.child.kill('SIGTERM');
        await last.exited;
      }

      // The provider side: one delivery per (enrollment, step), each under its own key.
      const keys = new Set(fake.deliveries.map((d) => d.key));
      expect(keys.size).toBe(fake.deliveries.length);
      expect(fake.deliveries).toHaveLength(CONTACTS * STEPS);
      const bySteps = new Map<string, string>();
      for (const d of fake.deliveries) {
        const body = d.body as { to?: { email?: string }; purpose?: string };
        const slot = `${body.to?.email ?? '?'}|${body.purpose ?? '?'}`;
        expect(bySteps.get(slot), `two keys for ${slot}`).toBeUndefined();
        bySteps.set(slot, d.key);
      }
      expect(bySteps.size).toBe(CONTACTS * STEPS);
      // Retries after a crash may repeat a key; the provider deduplicates them.
      expect(fake.posts).toBeGreaterThanOrEqual(fake.deliveries.length);

      // Our side: exactly one message row per (enrollment, step), all sent, each delivered under its id.
      const { rows } = await testDb().pool.query<{ id: string; enrollment_id: string; step: number; status: string }>(
        'SELECT id, enrollment_id, step, status FROM messages WHERE workspace_id = $1',
        [workspaceId],
      );
      expect(rows).toHaveLength(CONTACTS * STEPS);
      expect(new Set(rows.map((r) => `${r.enrollment_id}:${r.step}`)).size).toBe(CONTACTS * STEPS);
      const statuses = rows.reduce<Record<string, number>>(
        (acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }),
        {},
      );
      expect(statuses).toEqual({ sent: CONTACTS * STEPS });
      expect(new Set(rows.map((r) => r.id))).toEqual(keys);
      const { rows: events } = await testDb().pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM message_events WHERE workspace_id = $1 AND event_type = 'sent'`,
        [workspaceId],
      );
      expect(events[0]?.n).toBe(CONTACTS * STEPS);
      console.log(
        `[kill test] ${progress.length} kills, ${midRun()} mid-run; deliveries after each: ${progress.join(', ')}; ${fake.posts} POSTs for ${keys.size} keys`,
      );
    },
  );
});
