// The durable queue: pg-boss on the same PostgreSQL. Any number of worker processes can consume it.
import PgBoss from 'pg-boss';
import { JOB_NAMES, JOBS, type JobHandlers, type JobName, type JobPayload } from './jobs.ts';
import type { Logger } from './ports.ts';
import { fetchDueJobs, jobsBehind, type Execute } from '../db/jobQueue.ts';

export type Queue = {
  send<N extends JobName>(name: N, payload: JobPayload<N>, options?: { startAfter?: Date }): Promise<void>;
  sendMany<N extends JobName>(name: N, jobs: { payload: JobPayload<N>; startAfter?: Date }[]): Promise<void>;
  /**
   * Consumes every job type: up to `concurrency` jobs of a type run at once (default 32 for
   * step.due and sequence.completed, 8 for the others), fetched as slots free up; an empty queue is polled every
   * `pollingIntervalSeconds` (0.5).
   */
  work(
    handlers: JobHandlers,
    options?: { concurrency?: Partial<Record<JobName, number>>; pollingIntervalSeconds?: number },
  ): Promise<void>;
  /** Whether jobs of `name` due at or before `dueBefore` are still waiting (the queue is behind). */
  behind(name: JobName, dueBefore: Date): Promise<boolean>;
  stop(): Promise<void>;
};

/**
 * Jobs of a type one worker runs at once: the one-statement completion handler runs 32 at once
 * like steps; reply routing and inbound events do more work each, mailbox polls hold a connection
 * to a mailbox.
 */
const DEFAULT_CONCURRENCY: Record<JobName, number> = {
  'outreach/step.due': 32,
  'outreach/sequence.completed': 32,
  'outreach/reply.received': 8,
  'inbound/event.received': 8,
  'inbound/mailbox.poll': 8,
};

export async function startQueue(options: { url: string; log: Logger; poolSize?: number }): Promise<Queue> {
  const boss = new PgBoss({
    connectionString: options.url,
    schema: 'pgboss',
    max: options.poolSize ?? 4,
    // Maintenance (expiry, archiving) on one schedule for all processes; pg-boss coordinates it.
    supervise: true,
    schedule: false,
    migrate: true,
  });
  boss.on('error', (error: unknown) => options.log.error({ err: error }, 'queue error'));
  await boss.start();
  await ensureQueues(boss);
  let stopping = false;
  const loops: Promise<void>[] = [];
  const { sleep, wakeAll } = sleeper();
  return {
    async send(name, payload, sendOptions) {
      JOBS[name].payload.parse(payload);
      await boss.send(name, payload, sendOptions?.startAfter ? { startAfter: sendOptions.startAfter } : {});
    },
    async sendMany(name, jobs) {
      for (let i = 0; i < jobs.length; i += 1000) {
        await boss.insert(
          jobs.slice(i, i + 1000).map((job) => ({
            name,
            data: JOBS[name].payload.parse(job.payload),
            ...(job.startAfter ? { startAfter: job.startAfter } : {}),
          })),
        );
      }
    },
    async work(handlers, workOptions) {
      for (const name of JOB_NAMES) {
        const handler = handlers[name] as (payload: unknown) => Promise<void>;
        loops.push(
          consume(boss, name, (data) => handler(JOBS[name].payload.parse(data)), {
            concurrency: workOptions?.concurrency?.[name] ?? DEFAULT_CONCURRENCY[name],
            pollMs: (workOptions?.pollingIntervalSeconds ?? 0.5) * 1000,
            stopping: () => stopping,
            sleep,
            log: options.log,
          }),
        );
      }
    },
    behind: (name, dueBefore) => jobsBehind(executor(boss), name, dueBefore),
    async stop() {
      stopping = true;
      wakeAll();
      await Promise.all(loops);
      await boss.stop({ graceful: true, wait: true, timeout: 20_000 });
    },
  };
}

/** Every job type's queue, with its retry policy (created once; concurrent starts are fine). */
async function ensureQueues(boss: PgBoss): Promise<void> {
  for (const name of JOB_NAMES) {
    const job = JOBS[name];
    if (await boss.getQueue(name)) continue;
    const policy = {
      retryLimit: job.retryLimit,
      retryDelay: job.retryDelay,
      retryBackoff: job.retryBackoff,
      expireInSeconds: job.expireInSeconds,
    };
    await createQueue(boss, name, policy);
  }
}

/** PostgreSQL's "deadlock detected": the transaction it aborted may simply run again. */
const isDeadlock = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && Reflect.get(error, 'code') === '40P01';

/**
 * Creates one queue. Processes starting together on a new database create the queues at once:
 * one of them may find the queue made by another (fine), or lose a deadlock between two creations
 * (each attaches a partition to pg-boss's job table and a key to its queue table), and then tries
 * again.
 */
async function createQueue(boss: PgBoss, name: JobName, policy: Omit<PgBoss.Queue, 'name'>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await boss.createQueue(name, { name, ...policy });
      return;
    } catch (error) {
      if (await boss.getQueue(name)) return;
      if (!isDeadlock(error) || attempt >= 5) throw error;
    }
  }
}

/** Sleeps that stop() cuts short. */
function sleeper(): { sleep: (ms: number) => Promise<void>; wakeAll: () => void } {
  const sleepers = new Set<() => void>();
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          sleepers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, ms);
        sleepers.add(wake);
      }),
    wakeAll: () => {
      for (const wake of sleepers) wake();
    },
  };
}

/** pg-boss's own connection, running our statements about its job table (src/db/jobQueue.ts). */
const executor =
  (boss: PgBoss): Execute =>
  async (text, values) =>
    (await boss.getDb().executeSql(text, values)) as unknown as { rows: Record<string, unknown>[] };

/**
 * One job type's consumer: a pipeline rather than pg-boss's own work() loop, which runs a batch as
 * a whole and then sleeps out its polling interval (at most batchSize jobs per interval). Here a
 * job starts as soon as a slot is free; finished jobs are completed in one statement before the
 * next fetch; a failed job is failed (pg-boss retries it by the queue's policy). A job whose process
 * dies stays active until it expires and is then retried; every handler is idempotent.
 */
async function consume(
  boss: PgBoss,
  name: JobName,
  run: (data: unknown) => Promise<void>,
  options: {
    concurrency: number;
    pollMs: number;
    stopping: () => boolean;
    /** A sleep that stop() cuts short. */
    sleep: (ms: number) => Promise<void>;
    log: Logger;
  },
): Promise<void> {
  const running = new Set<Promise<void>>();
  let done: string[] = [];
  const flush = async () => {
    if (done.length === 0) return;
    const ids = done;
    done = [];
    await boss.complete(name, ids);
  };
  const idle = options.sleep;
  while (!options.stopping()) {
    try {
      await flush();
      const room = options.concurrency - running.size;
      // Fetch in batches worth a round trip: wait for half the slots.
      if (room < Math.max(1, options.concurrency >> 1)) {
        await Promise.race(running);
        continue;
      }
      const jobs = await fetchDueJobs(executor(boss), name, room);
      if (jobs.length === 0) {
        await Promise.race([idle(options.pollMs), ...running]);
        continue;
      }
      for (const job of jobs) {
        const task: Promise<void> = run(job.data)
          .then(
            () => void done.push(job.id),
            async (error: unknown) => {
              options.log.error({ err: error, job: name }, 'job failed');
              await boss.fail(name, job.id, { message: error instanceof Error ? error.message : String(error) });
            },
          )
          .catch((error: unknown) => options.log.error({ err: error, job: name }, 'could not fail a job'))
          .finally(() => running.delete(task));
        running.add(task);
      }
    } catch (error) {
      options.log.error({ err: error, job: name }, 'queue fetch failed');
      await idle(options.pollMs);
    }
  }
  await Promise.all(running);
  await flush().catch((error: unknown) => options.log.error({ err: error, job: name }, 'could not complete jobs'));
}
