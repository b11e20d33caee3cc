// createEngine: the one place the durable parts are wired by hand. Without a queue the engine runs
// in "direct" mode — jobs run right after the transaction that asked for them and due enrollments
// run on tick() — which is how tests drive it on an injected clock. With a queue, jobs go to
// pg-boss and any number of workers consume them; a periodic sweep catches anything overdue.
import { findDueEnrollments } from '../db/enrollments.ts';
import { refreshStatistics } from '../db/statistics.ts';
import { perOwner } from '../db/coalesce.ts';
import type { Db } from '../db/database.ts';
import type { AdapterRegistry } from '../channels/registry.ts';
import { classifyReply } from '../writer/classifyReply.ts';
import type { Clock } from './clock.ts';
import { recordCompletion } from './steps/completed.ts';
import { enrollContacts } from './commands/enroll.ts';
import type { JobHandlers } from './jobs.ts';
import type { EngineDeps, EnrollmentRef, Logger, StepWriter } from './ports.ts';
import type { Queue } from './queue.ts';
import { processReply, routeReply, type Classifier, type IncomingReply } from './events/replies.ts';
import { runEnrollment } from './steps/runEnrollment.ts';
import { createRecipientChecker, type RecipientChecker } from '../channels/email/recipientCheck.ts';
import { resolveEmailSettings, type EmailSettings } from './emailSettings.ts';
import { pendingInboundEvents, processInboundEvent, receiveResendWebhook } from './events/ingest.ts';
import { pollableSenders, pollMailbox } from './events/poll.ts';
import type { HeaderBag } from '../channels/resend/webhook.ts';

export type Engine = ReturnType<typeof createEngine>;

/** Completions announced at once go to the queue in one insert. */
const announceCompleted = perOwner(async (queue: Queue, _key: string, refs: EnrollmentRef[]) => {
  await queue.sendMany(
    'outreach/sequence.completed',
    refs.map((payload) => ({ payload })),
  );
  return refs.map(() => undefined);
});

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
  /** Public links, tracking secret, Resend and Google settings; derived from the key when absent. */
  email?: EmailSettings;
  /** Recipient checks with their DNS resolver (tests point one at a local DNS server). */
  recipients?: RecipientChecker;
  /** How often the worker reads mailboxes for replies (seconds). */
  replyPollSeconds?: number;
}) {
  const { db, clock, queue, log } = options;
  const classify: Classifier = options.classify ?? ((input) => classifyReply(input));

  const handlers: JobHandlers = {
    'outreach/step.due': async ({ workspaceId, enrollmentId }) => {
      await runEnrollment(deps, { workspaceId, enrollmentId }, { inline: true });
    },
    'outreach/reply.received': async ({ workspaceId, replyId }) => {
      await db.tenant(workspaceId, (sql) => routeReply(sql, replyId, clock.now()));
    },
    'outreach/sequence.completed': async ({ workspaceId, enrollmentId }) => {
      await recordCompletion(db, workspaceId, enrollmentId, clock.now());
    },
    'inbound/event.received': async ({ eventId }) => {
      await processInboundEvent(deps, eventId);
    },
    'inbound/mailbox.poll': async (ref) => {
      const result = await pollMailbox(deps, (ws, reply) => engine.receiveReply(ws, reply), ref);
      if (result.error) log.warn({ senderId: ref.senderId, error: result.error }, 'mailbox poll failed');
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
    email: options.email ?? resolveEmailSettings({ encryptionKey: options.encryptionKey }),
    recipients: options.recipients ?? createRecipientChecker(),
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
      if (queue) await announceCompleted(queue, 'completed', ref);
      else await handlers['outreach/sequence.completed'](ref);
    },
  };

  const engine = {
    deps,
    handlers,
    /** The reply classifier the engine uses (heuristic, plus the model when configured). */
    classify,
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

    /** POST /webhooks/resend: verify, store raw, then act (a job; at once in direct mode). */
    async receiveResendWebhook(input: { headers: HeaderBag; rawBody: Buffer }) {
      const receipt = await receiveResendWebhook(deps, input);
      if (receipt.status === 200 && receipt.eventId) {
        const payload = { eventId: receipt.eventId };
        if (queue) await queue.send('inbound/event.received', payload);
        else await handlers['inbound/event.received'](payload);
      }
      return receipt;
    },

    /** Reads every connected mailbox once (direct mode: at once; with a queue: one job per account). */
    async pollMailboxes(): Promise<void> {
      const refs = await pollableSenders(deps);
      if (queue)
        await queue.sendMany(
          'inbound/mailbox.poll',
          refs.map((payload) => ({ payload })),
        );
      else for (const ref of refs) await handlers['inbound/mailbox.poll'](ref);
    },

    /**
     * Runs every enrollment due at the clock's now (and those that become due again at once, like
     * the next zero-delay step), until none is left or `maxRuns` is reached. Returns the runs made.
     */
    async tick(input: { maxRuns?: number; overdueMs?: number; workspaceId?: string } = {}): Promise<number> {
      const maxRuns = input.maxRuns ?? 100_000;
      let runs = 0;
      for (;;) {
        const before = new Date(clock.now().getTime() - (input.overdueMs ?? 0));
        const due = await db.system((sql) => findDueEnrollments(sql, before, 200, input.workspaceId));
        if (due.length === 0 || runs >= maxRuns) return runs;
        for (const row of due) {
          await runEnrollment(deps, { workspaceId: row.workspaceId, enrollmentId: row.id });
          runs++;
        }
      }
    },

    /** Consumes the queue, and every `sweepSeconds` runs whatever is overdue (a lost wake-up). */
    async startWorker(
      workerOptions: { concurrency?: number; sweepSeconds?: number } = {},
    ): Promise<() => Promise<void>> {
      if (!queue) throw new Error('startWorker needs a queue');
      await queue.work(handlers, {
        ...(workerOptions.concurrency ? { concurrency: { 'outreach/step.due': workerOptions.concurrency } } : {}),
      });
      const sweepSeconds = workerOptions.sweepSeconds ?? 30;
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
          .then((behind) => (behind ? 0 : this.tick({ maxRuns: 500, overdueMs })))
          .catch((error: unknown) => log.error({ err: error }, 'sweep failed'))
          .finally(() => (busy = false));
      }, sweepSeconds * 1000);
      // Mailboxes are read on their own period; webhooks whose job was lost are picked up here too.
      const inboundTimer = setInterval(
        () => {
          if (stopped) return;
          void (async () => {
            await this.pollMailboxes();
            const lost = await pendingInboundEvents(db, new Date(clock.now().getTime() - 60_000));
            if (lost.length > 0)
              await queue.sendMany(
                'inbound/event.received',
                lost.map((eventId) => ({ payload: { eventId } })),
              );
          })().catch((error: unknown) => log.error({ err: error }, 'inbound sweep failed'));
        },
        (options.replyPollSeconds ?? 60) * 1000,
      );
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
      return async () => {
        stopped = true;
        clearInterval(timer);
        clearInterval(inboundTimer);
        clearInterval(statisticsTimer);
        await sweeping;
        await queue.stop();
      };
    },
  };
  return engine;
}
