// The durable queue: pg-boss on the same PostgreSQL. Any number of worker processes can consume it.
import PgBoss from 'pg-boss';
import { JOB_NAMES, JOBS, type JobHandlers, type JobName, type JobPayload } from './jobs.ts';
import type { Logger } from './ports.ts';

export type Queue = {
  send<N extends JobName>(name: N, payload: JobPayload<N>, options?: { startAfter?: Date }): Promise<void>;
  sendMany<N extends JobName>(name: N, jobs: { payload: JobPayload<N>; startAfter?: Date }[]): Promise<void>;
  work(handlers: JobHandlers, options?: { batchSize?: number; pollingIntervalSeconds?: number }): Promise<void>;
  stop(): Promise<void>;
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
  for (const name of JOB_NAMES) {
    const job = JOBS[name];
    const existing = await boss.getQueue(name);
    const policy = {
      retryLimit: job.retryLimit,
      retryDelay: job.retryDelay,
      retryBackoff: job.retryBackoff,
      expireInSeconds: job.expireInSeconds,
    };
    if (!existing) {
      await boss.createQueue(name, { name, ...policy }).catch(async (error: unknown) => {
        // Another process created it at the same moment.
        if (!(await boss.getQueue(name))) throw error;
      });
    }
  }

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
        await boss.work(
          name,
          {
            batchSize: workOptions?.batchSize ?? 20,
            pollingIntervalSeconds: workOptions?.pollingIntervalSeconds ?? 0.5,
          },
          async (jobs) => {
            // A batch runs concurrently; pg-boss completes (or fails → retries) the batch as a whole,
            // which is safe because every handler is idempotent.
            await Promise.all(jobs.map((job) => handler(JOBS[name].payload.parse(job.data))));
          },
        );
      }
    },
    stop: () => boss.stop({ graceful: true, wait: true, timeout: 20_000 }),
  };
}
