// createEngine: the one place the durable parts are wired by hand. Without a queue the engine runs
// in "direct" mode — jobs run right after the transaction that asked for them and due enrollments
// run on tick() — which is how tests drive it on an injected clock. With a queue, jobs go to
// pg-boss and any number of workers consume them (worker.ts); a periodic sweep catches anything
// overdue.
import { DEFAULT_REQUEST_EXPIRY_DAYS } from '../core/sequence.ts';
import { occurredAt } from '../core/events.ts';
import { createRecipientChecker, type RecipientChecker } from '../channels/email/recipientCheck.ts';
import type { AdapterRegistry } from '../channels/registry.ts';
import type { WebhookRequest } from '../channels/types.ts';
import { perOwner } from '../db/coalesce.ts';
import type { Db } from '../db/database.ts';
import { findDueEnrollments } from '../db/enrollments.ts';
import { classifyReply } from '../writer/classifyReply.ts';
import type { Clock } from './clock.ts';
import { enrollContacts } from './commands/enroll.ts';
import { pollableSenders, pollAccount, type PollRef, type PollSummary } from './events/poll.ts';
import { processInboundEvent, type ReceiveReply } from './events/process.ts';
import { pendingInboundEvents } from '../db/inboundEvents.ts';
import { processReply, routeReply, type Classifier, type IncomingReply } from './events/replies.ts';
import { receiveWebhook } from './events/ingest.ts';
import type { JobHandlers } from './jobs.ts';
import { resolvePublicLinks, type PublicLinks } from './links.ts';
import type { EngineDeps, EnrollmentRef, Logger, StepWriter } from './ports.ts';
import type { Queue } from './queue.ts';
import { recordCompletion } from '../db/completions.ts';
import { runEnrollment } from './steps/runEnrollment.ts';
import { startWorker } from './worker.ts';
import { createOutbound, type OutboundOptions } from './outbound/outbound.ts';

export type Engine = ReturnType<typeof createEngine>;

export type EngineOptions = {
  db: Db;
  clock: Clock;
  adapters: AdapterRegistry;
  writer: StepWriter;
  encryptionKey: Buffer;
  /** QUOTAHIT_ENCRYPTION_KEY_PREVIOUS: older keys that still open secrets until they are re-sealed. */
  previousEncryptionKeys?: readonly Buffer[];
  log: Logger;
  classify?: Classifier;
  queue?: Queue;
  sendTimeoutMs?: number;
  leaseMs?: number;
  /** Days after which a pending LinkedIn connection request counts as declined (default 21). */
  linkedinRequestExpiryDays?: number;
  /**
   * LINKEDIN_BATCH_LAUNCHES (named after the only channel whose provider batches today): the
   * provider can fetch PUBLIC_URL, so accounts whose adapter has `sendBatch` send in batches.
   */
  linkedinBatchLaunches?: boolean;
  /** Public links and the tracking secret; derived from the key (and localhost) when absent. */
  links?: PublicLinks;
  /** Recipient checks with their DNS resolver (tests point one at a local DNS server). */
  recipients?: RecipientChecker;
  /** How often the worker polls accounts for replies (seconds). */
  replyPollSeconds?: number;
  /** Outbound webhooks, notifications and CRMs (outbound/outbound.ts). */
  outbound?: OutboundOptions;
};

/** Completions announced at once go to the queue in one insert. */
const announceCompleted = perOwner(async (queue: Queue, _key: string, refs: EnrollmentRef[]) => {
  await queue.sendMany(
    'outreach/sequence.completed',
    refs.map((payload) => ({ payload })),
  );
  return refs.map(() => undefined);
});

function buildDeps(options: EngineOptions, completed: (ref: EnrollmentRef) => Promise<void>): EngineDeps {
  const { queue } = options;
  return {
    db: options.db,
    clock: options.clock,
    adapters: options.adapters,
    writer: options.writer,
    encryptionKey: options.encryptionKey,
    previousEncryptionKeys: options.previousEncryptionKeys ?? [],
    log: options.log,
    sendTimeoutMs: options.sendTimeoutMs ?? 30_000,
    leaseMs: options.leaseMs ?? 120_000,
    linkedinRequestExpiryDays: options.linkedinRequestExpiryDays ?? DEFAULT_REQUEST_EXPIRY_DAYS,
    batchLaunches: options.linkedinBatchLaunches ?? false,
    links: options.links ?? resolvePublicLinks({ encryptionKey: options.encryptionKey }),
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
    completed,
  };
}

type Job = <N extends keyof JobHandlers>(name: N, payload: Parameters<JobHandlers[N]>[0]) => Promise<void>;

export function createEngine(options: EngineOptions) {
  const { queue } = options;
  const classify: Classifier = options.classify ?? ((input) => classifyReply(input));
  const deps: EngineDeps = buildDeps(options, async (ref) => {
    if (queue) await announceCompleted(queue, 'completed', ref);
    else await handlers['outreach/sequence.completed'](ref);
  });
  /** Runs a job now (direct mode) or queues it. */
  const job: Job = async (name, payload) => {
    if (queue) await queue.send(name, payload);
    else await (handlers[name] as (p: typeof payload) => Promise<void>)(payload);
  };
  const receiveReply = replyReceiver(deps, classify, job);
  /** Polls one account, then acts on what it stored (direct mode: at once; with a queue: jobs). */
  const pollOne = async (ref: PollRef): Promise<PollSummary> => {
    const summary = await pollAccount(deps, ref);
    for (const eventId of summary.stored) await job('inbound/event.received', { eventId });
    return summary;
  };
  const handlers = jobHandlers(deps, { receiveReply, pollOne });
  const outbound = createOutbound(deps, options.outbound);
  return { ...engineApi({ deps, handlers, classify, job, receiveReply, pollOne, options, outbound }), outbound };
}

/** Records and acts on a reply at once; the routing that follows is a job. */
function replyReceiver(deps: EngineDeps, classify: Classifier, job: Job): ReceiveReply {
  return async (workspaceId, reply) => {
    const now = deps.clock.now();
    const wake: { ref: EnrollmentRef; at: Date }[] = [];
    const outcome = await deps.db.tenant(workspaceId, (sql) =>
      processReply(sql, {
        reply: { ...reply, receivedAt: occurredAt(reply.receivedAt, now) },
        classify,
        now,
        wake: (refs) => wake.push(...refs),
      }),
    );
    if (!outcome) return undefined;
    await deps.schedule(wake);
    if (!outcome.duplicate) await job('outreach/reply.received', { workspaceId, replyId: outcome.replyId });
    return outcome;
  };
}

/** Every durable job's handler (jobs.ts declares them). */
function jobHandlers(
  deps: EngineDeps,
  parts: { receiveReply: ReceiveReply; pollOne: (ref: PollRef) => Promise<PollSummary> },
): JobHandlers {
  const { db, clock } = deps;
  return {
    'outreach/step.due': async (ref) => {
      await runEnrollment(deps, ref, { inline: true });
    },
    'outreach/reply.received': async ({ workspaceId, replyId }) => {
      await db.tenant(workspaceId, (sql) => routeReply(sql, replyId, clock.now(), deps.links.publicUrl));
    },
    'outreach/sequence.completed': async ({ workspaceId, enrollmentId }) => {
      await recordCompletion(db, workspaceId, enrollmentId, clock.now());
    },
    'inbound/event.received': async ({ eventId }) => {
      await processInboundEvent(deps, eventId, parts.receiveReply);
    },
    'inbound/mailbox.poll': async (ref) => {
      const result = await parts.pollOne(ref);
      if (result.error) deps.log.warn({ senderId: ref.senderId, error: result.error }, 'poll failed');
    },
  };
}

/** What one tick may do: how many runs at most, how long overdue, how many runs at once. */
export type TickInput = {
  maxRuns?: number;
  overdueMs?: number;
  /**
   * Runs in flight at once (default 1: one after the other, in next_run_at order). More lets the
   * coalesced reads and writes of concurrent runs share statements, as the queue's workers do.
   */
  concurrency?: number;
  /**
   * Where in each batch of due enrollments the lanes begin, as a fraction in [0, 1) (default 0:
   * the oldest first), wrapping round to the rest. Workers that fetch the same batch at once and
   * each start at their own draw run different enrollments, instead of queueing on the same locks.
   */
  start?: () => number;
};

/**
 * Runs every enrollment due at the clock's now (and those that become due again at once, like
 * the next zero-delay step), until none is left or `maxRuns` is reached. Returns the runs made.
 * With `concurrency` above 1, that many lanes take the batch's enrollments in order; the first
 * error stops every lane from taking more, and is thrown once the runs in flight have ended.
 */
async function tickDue(deps: EngineDeps, input: TickInput): Promise<number> {
  const maxRuns = input.maxRuns ?? 100_000;
  const lanes = Math.max(1, Math.floor(input.concurrency ?? 1));
  let runs = 0;
  for (;;) {
    const before = new Date(deps.clock.now().getTime() - (input.overdueMs ?? 0));
    const due = await deps.db.system((sql) => findDueEnrollments(sql, before, 200));
    if (due.length === 0 || runs >= maxRuns) return runs;
    const draw = input.start?.() ?? 0;
    const first = Number.isFinite(draw) ? Math.min(due.length - 1, Math.max(0, Math.floor(draw * due.length))) : 0;
    let taken = 0;
    const take = () => (taken < due.length ? due[(first + taken++) % due.length] : undefined);
    let failure: { error: unknown } | undefined;
    const lane = async () => {
      for (let row = take(); row && !failure; row = take()) {
        try {
          await runEnrollment(deps, { workspaceId: row.workspaceId, enrollmentId: row.id });
          runs++;
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(lanes, due.length) }, lane));
    if (failure) throw failure.error;
  }
}

function engineApi(parts: {
  deps: EngineDeps;
  handlers: JobHandlers;
  classify: Classifier;
  job: Job;
  receiveReply: ReceiveReply;
  pollOne: (ref: PollRef) => Promise<PollSummary>;
  options: EngineOptions;
  outbound: { deliverDue(): Promise<number> };
}) {
  const { deps, handlers, job, options } = parts;
  const { queue } = options;
  const engine = {
    /** What the engine's parts are wired with (read it; never replace its members). */
    deps: deps as Readonly<EngineDeps>,
    handlers,
    /** The reply classifier the engine uses (heuristic, plus the model when configured). */
    classify: parts.classify,
    enroll: (input: { workspaceId: string; sequenceId: string; contactIds?: string[]; tag?: string }) =>
      enrollContacts(deps, { ...input, now: deps.clock.now() }),
    runEnrollment: (ref: EnrollmentRef) => runEnrollment(deps, ref),
    receiveReply: (workspaceId: string, reply: Omit<IncomingReply, 'receivedAt'> & { receivedAt?: Date }) =>
      parts.receiveReply(workspaceId, reply),
    /** POST (or GET, a handshake) /webhooks/<provider>: verify, store raw, then act (a job; at once in direct mode). */
    async receiveWebhook(provider: string, request: WebhookRequest) {
      const receipt = await receiveWebhook(deps, provider, request);
      if (receipt.status === 200 && 'eventId' in receipt && receipt.eventId)
        await job('inbound/event.received', { eventId: receipt.eventId });
      return receipt;
    },
    /** Polls every account that has something to poll once (direct mode: at once; with a queue: one job each). */
    async pollMailboxes(): Promise<void> {
      const refs = await pollableSenders(deps);
      if (queue)
        await queue.sendMany(
          'inbound/mailbox.poll',
          refs.map((payload) => ({ payload })),
        );
      else for (const ref of refs) await handlers['inbound/mailbox.poll'](ref);
    },
    /** Acts again on stored events left unprocessed for a minute (a lost job; an event waiting for its message). */
    async sweepInbound(): Promise<number> {
      const pending = await pendingInboundEvents(deps.db, new Date(deps.clock.now().getTime() - 60_000));
      for (const eventId of pending) await job('inbound/event.received', { eventId });
      return pending.length;
    },
    /** Polls one account now and acts on what it found. */
    pollAccount: parts.pollOne,
    tick: (input: TickInput = {}) => tickDue(deps, input),
    /** Consumes the queue, sweeps for overdue work and polls accounts on their period (worker.ts). */
    startWorker: (workerOptions: { concurrency?: number; sweepSeconds?: number } = {}) => {
      if (!queue) throw new Error('startWorker needs a queue');
      return startWorker({
        deps,
        queue,
        handlers,
        tick: (input) => tickDue(deps, input),
        pollMailboxes: () => engine.pollMailboxes(),
        deliverOutbound: () => parts.outbound.deliverDue(),
        replyPollSeconds: options.replyPollSeconds ?? 60,
        ...workerOptions,
      });
    },
  };
  return engine;
}
