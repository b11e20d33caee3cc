// createEngine: the one place the durable parts are wired by hand. Without a queue the engine runs
// in "direct" mode — jobs run right after the transaction that asked for them and due enrollments
// run on tick() — which is how tests drive it on an injected clock. With a queue, jobs go to
// pg-boss and any number of workers consume them; a periodic sweep catches anything overdue.
import { classifyReplyHeuristic } from '../core/replyHeuristics.ts';
import { findDueEnrollments } from '../db/enrollments.ts';
import type { Db } from '../db/database.ts';
import type { AdapterRegistry } from '../channels/registry.ts';
import type { Clock } from './clock.ts';
import { recordCompletion } from './completed.ts';
import { enrollContacts } from './enroll.ts';
import type { JobHandlers } from './jobs.ts';
import type { EngineDeps, EnrollmentRef, Logger, StepWriter } from './ports.ts';
import type { Queue } from './queue.ts';
import { processReply, routeReply, type Classifier, type IncomingReply } from './replies.ts';
import { runEnrollment } from './runEnrollment.ts';

export type Engine = ReturnType<typeof createEngine>;

export function createEngine(options: {
  db: Db;
  clock: Clock;
  adapters: AdapterRegistry;
  writer: StepWriter;
  encryptionKey: Buffer;
  log: Logger;
  classify?: Classifier;
  queue?: Queue;
  sendTimeoutMs?: number;
  leaseMs?: number;
}) {
  const { db, clock, queue, log } = options;
  const classify: Classifier = options.classify ?? (async (input) => classifyReplyHeuristic(input));

  const handlers: JobHandlers = {
    'outreach/step.due': async ({ workspaceId, enrollmentId }) => {
      await runEnrollment(deps, { workspaceId, enrollmentId });
    },
    'outreach/reply.received': async ({ workspaceId, replyId }) => {
      await db.tenant(workspaceId, (sql) => routeReply(sql, replyId, clock.now()));
    },
    'outreach/sequence.completed': async ({ workspaceId, enrollmentId }) => {
      await db.tenant(workspaceId, (sql) => recordCompletion(sql, enrollmentId, clock.now()));
    },
  };

  const deps: EngineDeps = {
    db,
    clock,
    adapters: options.adapters,
    writer: options.writer,
    encryptionKey: options.encryptionKey,
    log,
    sendTimeoutMs: options.sendTimeoutMs ?? 30_000,
    leaseMs: options.leaseMs ?? 120_000,
    async schedule(jobs) {
      // Direct mode: tick() finds due enrollments by their next_run_at.
      if (queue && jobs.length > 0) {
        await queue.sendMany(
          'outreach/step.due',
          jobs.map((j) => ({ payload: j.ref, startAfter: j.at })),
        );
      }
    },
    async completed(ref) {
      if (queue) await queue.send('outreach/sequence.completed', ref);
      else await handlers['outreach/sequence.completed'](ref);
    },
  };

  return {
    deps,
    handlers,
    enroll: (input: { workspaceId: string; sequenceId: string; contactIds?: string[]; tag?: string }) =>
      enrollContacts(deps, { ...input, now: clock.now() }),
    runEnrollment: (ref: EnrollmentRef) => runEnrollment(deps, ref),

    /** Records and acts on a reply at once; the routing that follows is a job. */
    async receiveReply(workspaceId: string, reply: Omit<IncomingReply, 'receivedAt'> & { receivedAt?: Date }) {
      const now = clock.now();
      const wake: { ref: EnrollmentRef; at: Date }[] = [];
      const outcome = await db.tenant(workspaceId, (sql) =>
        processReply(sql, {
          reply: { ...reply, receivedAt: reply.receivedAt ?? now },
          classify,
          now,
          wake: (refs) => wake.push(...refs),
        }),
      );
      if (!outcome) return undefined;
      await deps.schedule(wake);
      if (!outcome.duplicate) {
        const payload = { workspaceId, replyId: outcome.replyId };
        if (queue) await queue.send('outreach/reply.received', payload);
        else await handlers['outreach/reply.received'](payload);
      }
      return outcome;
    },

    /**
     * Runs every enrollment due at the clock's now (and those that become due again at once, like
     * the next zero-delay step), until none is left or `maxRuns` is reached. Returns the runs made.
     */
    async tick(input: { maxRuns?: number; overdueMs?: number } = {}): Promise<number> {
      const maxRuns = input.maxRuns ?? 100_000;
      let runs = 0;
      for (;;) {
        const before = new Date(clock.now().getTime() - (input.overdueMs ?? 0));
        const due = await db.system((sql) => findDueEnrollments(sql, before, 200));
        if (due.length === 0 || runs >= maxRuns) return runs;
        for (const row of due) {
          await runEnrollment(deps, { workspaceId: row.workspaceId, enrollmentId: row.id });
          runs++;
        }
      }
    },

    /** Consumes the queue, and every `sweepSeconds` runs whatever is overdue (a lost wake-up). */
    async startWorker(workerOptions: { batchSize?: number; sweepSeconds?: number } = {}): Promise<() => Promise<void>> {
      if (!queue) throw new Error('startWorker needs a queue');
      await queue.work(handlers, { batchSize: workerOptions.batchSize ?? 20 });
      let stopped = false;
      let sweeping: Promise<unknown> = Promise.resolve();
      const timer = setInterval(
        () => {
          if (stopped) return;
          sweeping = this.tick({ maxRuns: 500, overdueMs: 60_000 }).catch((error: unknown) =>
            log.error({ err: error }, 'sweep failed'),
          );
        },
        (workerOptions.sweepSeconds ?? 30) * 1000,
      );
      return async () => {
        stopped = true;
        clearInterval(timer);
        await sweeping;
        await queue.stop();
      };
    },
  };
}
