// The queue's own fetch (queue.ts, fetchDue) on the pinned pg-boss: due jobs run earliest-due
// first, a job due later waits, a failed job is retried with its retry count raised, and finished
// jobs are completed. On a database of its own, so no other file's worker takes these jobs.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../src/engine/ports.ts';
import { startQueue, type Queue } from '../../src/engine/queue.ts';
import type { JobHandlers } from '../../src/engine/jobs.ts';
import { withDatabase } from '../support/globalSetup.ts';

let url: string;
let admin: pg.Client;
let queue: Queue;
const name = `qh_queue_${randomBytes(5).toString('hex')}`;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject('databaseUrl') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  url = withDatabase(inject('databaseUrl'), name);
  queue = await startQueue({ url, log: silentLogger });
});
afterAll(async () => {
  await queue?.stop();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

async function jobs(enrollmentId: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ state: string; retry_count: number }>(
      `SELECT state::text, retry_count FROM pgboss.job WHERE data ->> 'enrollmentId' = $1`,
      [enrollmentId],
    );
    return rows;
  } finally {
    await client.end();
  }
}

/** Polls a condition (no fixed sleep for a schedule) until it holds. */
async function eventually<T>(read: () => Promise<T>, holds: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (holds(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the queue fetch', () => {
  it('runs due jobs earliest-due first, leaves later ones waiting, retries failures', { timeout: 60_000 }, async () => {
    const workspaceId = randomUUID();
    const ids = Array.from({ length: 5 }, () => randomUUID());
    const now = Date.now();
    // Sent out of order; due 50, 40, 30, 20 s ago, and one an hour from now.
    const due = [ids[2], ids[0], ids[3], ids[1]] as string[];
    await queue.sendMany('outreach/step.due', [
      { payload: { workspaceId, enrollmentId: ids[1] as string }, startAfter: new Date(now - 20_000) },
      { payload: { workspaceId, enrollmentId: ids[4] as string }, startAfter: new Date(now + 3_600_000) },
      { payload: { workspaceId, enrollmentId: ids[3] as string }, startAfter: new Date(now - 30_000) },
      { payload: { workspaceId, enrollmentId: ids[0] as string }, startAfter: new Date(now - 40_000) },
      { payload: { workspaceId, enrollmentId: ids[2] as string }, startAfter: new Date(now - 50_000) },
    ]);
    const ran: string[] = [];
    let failOnce = true;
    const none = async () => {};
    const handlers: JobHandlers = {
      'outreach/step.due': async ({ enrollmentId }) => {
        ran.push(enrollmentId);
        if (enrollmentId === ids[3] && failOnce) {
          failOnce = false;
          throw new Error('first attempt fails');
        }
      },
      'outreach/reply.received': none,
      'outreach/sequence.completed': none,
      'inbound/event.received': none,
      'inbound/mailbox.poll': none,
    };
    // One at a time, so the order of fetching is the order of running.
    await queue.work(handlers, { concurrency: { 'outreach/step.due': 1 }, pollingIntervalSeconds: 0.05 });
    await eventually(
      async () => ran.length,
      (n) => n >= 4,
    );
    expect(ran.slice(0, 4)).toEqual(due);

    // The failed job waits for its retry delay; bring it forward (the queue's schedule, not a sleep).
    const failed = await eventually(
      () => jobs(ids[3] as string),
      (rows) => rows[0]?.state === 'retry',
    );
    expect(failed[0]?.retry_count).toBe(0);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      `UPDATE pgboss.job SET start_after = now() - interval '1 second' WHERE data ->> 'enrollmentId' = $1`,
      [ids[3]],
    );
    await client.end();
    const retried = await eventually(
      () => jobs(ids[3] as string),
      (rows) => rows[0]?.state === 'completed',
    );
    expect(retried[0]?.retry_count).toBe(1);
    expect(ran.filter((id) => id === ids[3])).toHaveLength(2);

    for (const id of [ids[0], ids[1], ids[2]] as string[])
      await eventually(
        () => jobs(id),
        (rows) => rows[0]?.state === 'completed',
      );
    // The job due in an hour was never fetched.
    expect(ran).not.toContain(ids[4]);
    expect((await jobs(ids[4] as string))[0]?.state).toBe('created');
  });
});

describe('several processes starting at once on a new database', () => {
  it('all start: a deadlock between two queue creations is tried again', async () => {
    // Four processes creating pg-boss's schema and queues together, as `quotahit start` ×4 on a
    // fresh database does; PostgreSQL aborts one of two creations that lock each other.
    const fresh = `qh_queue_${randomBytes(5).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${fresh}`);
    const freshUrl = withDatabase(inject('databaseUrl'), fresh);
    try {
      for (let round = 0; round < 3; round++) {
        if (round > 0)
          await admin.query(`DROP DATABASE ${fresh} WITH (FORCE)`).then(() => admin.query(`CREATE DATABASE ${fresh}`));
        const started = await Promise.allSettled(
          Array.from({ length: 4 }, () => startQueue({ url: freshUrl, log: silentLogger })),
        );
        for (const result of started) if (result.status === 'fulfilled') await result.value.stop();
        expect(started.filter((result) => result.status === 'rejected').map((result) => String(result.reason))).toEqual(
          [],
        );
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${fresh} WITH (FORCE)`);
    }
  });
});
