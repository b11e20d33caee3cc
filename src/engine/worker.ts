// A worker: consumes the queue, and on its own timers sweeps for overdue enrollments (a lost
// wake-up), polls accounts for replies, re-queues stored webhooks whose job was lost, and refreshes
// the planner statistics of tables that outgrew them.
import { pendingInboundEvents } from '../db/inboundEvents.ts';
import { refreshStatistics } from '../db/statistics.ts';
import { rotateSecrets } from './accounts/rotateSecrets.ts';
import { deleteExpiredIdempotencyKeys } from '../db/idempotencyKeys.ts';
import type { JobHandlers } from './jobs.ts';
import type { EngineDeps } from './ports.ts';
import type { Queue } from './queue.ts';

export async function startWorker(input: {
  deps: EngineDeps;
  queue: Queue;
  handlers: JobHandlers;
  tick: (input: { maxRuns: number; overdueMs: number }) => Promise<number>;
  pollMailboxes: () => Promise<void>;
  /** The outbox: due webhook, notification and CRM deliveries (outbound/deliver.ts). */
  deliverOutbound: () => Promise<number>;
  replyPollSeconds: number;
  concurrency?: number;
  sweepSeconds?: number;
}): Promise<() => Promise<void>> {
  const { deps, queue } = input;
  const { clock, log, db } = deps;
  await queue.work(input.handlers, {
    ...(input.concurrency ? { concurrency: { 'outreach/step.due': input.concurrency } } : {}),
  });
  const sweepSeconds = input.sweepSeconds ?? 30;
  let stopped = false;
  let busy = false;
  let sweeping: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    if (stopped || busy) return;
    busy = true;
    // Overdue by two sweeps: a queued wake-up had its chance (60 s with the default 30 s sweep).
    // Unless the queue itself is that far behind: then the overdue enrollments still have their
    // jobs waiting, and running them here as well would only do every step's deciding twice.
    const overdueMs = 2 * sweepSeconds * 1000;
    sweeping = queue
      .behind('outreach/step.due', new Date(clock.now().getTime() - overdueMs))
      .then((behind) => (behind ? 0 : input.tick({ maxRuns: 500, overdueMs })))
      .catch((error: unknown) => log.error({ err: error }, 'sweep failed'))
      .finally(() => (busy = false));
  }, sweepSeconds * 1000);
  // Accounts are polled on their own period; webhooks whose job was lost are picked up here too.
  const inboundTimer = setInterval(() => {
    if (stopped) return;
    void (async () => {
      await input.pollMailboxes();
      const lost = await pendingInboundEvents(db, new Date(clock.now().getTime() - 60_000));
      if (lost.length > 0)
        await queue.sendMany(
          'inbound/event.received',
          lost.map((eventId) => ({ payload: { eventId } })),
        );
    })().catch((error: unknown) => log.error({ err: error }, 'inbound sweep failed'));
  }, input.replyPollSeconds * 1000);
  // Tables that outgrew their planner statistics are analyzed without waiting for autovacuum
  // (src/db/statistics.ts): on a new database, the first minutes of sending.
  let analyzing = false;
  const statisticsTimer = setInterval(() => {
    if (stopped || analyzing) return;
    analyzing = true;
    refreshStatistics(db)
      .catch((error: unknown) => log.warn({ err: error }, 'statistics refresh failed'))
      .finally(() => (analyzing = false));
  }, 10_000);
  // The outbox every second: an interested reply reaches its receivers within seconds.
  let delivering: Promise<unknown> = Promise.resolve();
  let outboundBusy = false;
  const outboundTimer = setInterval(() => {
    if (stopped || outboundBusy) return;
    outboundBusy = true;
    delivering = input
      .deliverOutbound()
      .catch((error: unknown) => log.error({ err: error }, 'outbound delivery failed'))
      .finally(() => (outboundBusy = false));
  }, 1000);
  // Key rotation (accounts/rotateSecrets.ts): at start, then every 10 minutes, secrets sealed with
  // an older key or the older format are re-sealed with the current key while sending goes on.
  let rotating: Promise<unknown> | undefined;
  const rotate = () => {
    rotating ??= rotateSecrets(deps)
      .then((done) => {
        if (done.resealed > 0) log.info(done, 'secrets re-sealed with the current key');
        if (done.unreadable > 0) log.warn(done, 'secrets no configured key opens (see quotahit doctor)');
      })
      .catch((error: unknown) => log.error({ err: error }, 'secret rotation failed'))
      .finally(() => (rotating = undefined));
  };
  // Idempotency keys past their 24 hours (src/api/idempotency.ts) are deleted on the same timer.
  const housekeeping = () => {
    rotate();
    db.system((sql) => deleteExpiredIdempotencyKeys(sql, clock.now())).catch((error: unknown) =>
      log.warn({ err: error }, 'deleting expired idempotency keys failed'),
    );
  };
  housekeeping();
  const rotationTimer = setInterval(() => !stopped && housekeeping(), 600_000);
  return async () => {
    stopped = true;
    clearInterval(rotationTimer);
    await rotating;
    clearInterval(outboundTimer);
    await delivering;
    clearInterval(timer);
    clearInterval(inboundTimer);
    clearInterval(statisticsTimer);
    await sweeping;
    await queue.stop();
  };
}
