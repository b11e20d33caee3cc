// The first half of running an enrollment: ask decideNextStep, carry out waits, skips and exits,
// and for a send choose the account, check suppression, write the message and hand it to claim.ts,
// which reserves it as `sending` with the account's quota. The provider is called only after that
// commits (deliver.ts).
//
// Two ways in. Peeking (the usual first try) reads the step's context in one round trip without a
// transaction or lock: a plain send writes nothing while deciding, and the claim statement checks
// that the enrollment is still active at the step decided, so nothing is lost by not locking. The
// moment the decision has anything to write (a wait, a skip, an exit, a note, a deferral, a
// resumption, a stale reservation) it stops with NeedsLock and the caller decides again in a
// transaction holding the enrollment's row lock.
import { createCallTask } from './callTask.ts';
import { CHANNELS } from '../../core/channels.ts';
import { decideNextStep } from '../../core/decideNextStep.ts';
import { resolveContactTimezone } from '../../core/timezone.ts';
import { addActivity } from '../../db/activities.ts';
import type { Db, Sql } from '../../db/database.ts';
import { updateEnrollment, type EnrollmentRow } from '../../db/enrollments.ts';
import { renewLease } from '../../db/messages.ts';
import { getSenderRow } from '../../db/senders.ts';
import { loadStepContext, peekStepContext, type StepContext } from '../../db/stepContext.ts';
import type { WriteOutcome } from '../../writer/writer.ts';
import type { EngineDeps } from '../ports.ts';
import { prepareSend } from './prepare.ts';
import { NeedsLock, type AfterCommit, type Reserved, type StepAccess } from './types.ts';

type Input = {
  enrollmentId: string;
  now: Date;
  after: AfterCommit;
  /** Messages already written for this decision (a peek that needed the lock): never written twice. */
  written?: Map<string, WriteOutcome>;
};

export async function decideStep(access: StepAccess, deps: EngineDeps, input: Input): Promise<Reserved> {
  const { now } = input;
  // Reads: the transaction, or (peeking) a short tenant transaction per read.
  const sql: Sql = access.locked ? access.sql : readOnly(access.db, access.workspaceId);
  /** The transaction to write in; peeking, there is none. */
  const w = (): Sql => {
    if (!access.locked) throw new NeedsLock();
    return access.sql;
  };
  const loaded = access.locked
    ? await loadStepContext(access.sql, input.enrollmentId)
    : await peekStepContext(access.db, access.workspaceId, input.enrollmentId);
  if (!loaded) return { kind: 'idle' };
  const { enrollment } = loaded;
  if (enrollment.status === 'completed' || enrollment.status === 'stopped') return { kind: 'idle' };
  if (enrollment.nextRunAt && enrollment.nextRunAt.getTime() > now.getTime()) return { kind: 'idle' };
  const stale = await takeOverStale(sql, w, deps, loaded, input);
  if (stale) return stale;

  const note = (type: string, summary: string, data: Record<string, unknown> = {}) =>
    addActivity(w(), {
      workspaceId: enrollment.workspaceId,
      contactId: loaded.contact.id,
      type,
      summary,
      data: { enrollmentId: enrollment.id, sequenceId: loaded.sequence.id, ...data },
      occurredAt: now,
    });
  const state = { ...enrollment };
  if (state.status === 'paused' && state.pausedUntil && state.pausedUntil.getTime() <= now.getTime()) {
    state.status = 'active';
    await updateEnrollment(w(), enrollment.id, { status: 'active', pausedUntil: null, pauseReason: null });
    await note('resumed', `Resumed after the pause (${enrollment.pauseReason ?? 'paused'})`);
  }
  return runDecisions({ sql, w, deps, loaded, state, note, access, input });
}

/**
 * A reservation whose lease ran out: its worker died between reserving and recording. A live lease
 * waits for its end; an expired one is reconciled under a fresh lease, so a second runner arriving
 * meanwhile (a retried job, the sweep) finds it live and stays idle instead of looking the message
 * up and resending it too.
 */
async function takeOverStale(
  sql: Sql,
  w: () => Sql,
  deps: EngineDeps,
  loaded: StepContext,
  input: Input,
): Promise<Reserved | undefined> {
  const { enrollment, contact } = loaded;
  const stale = loaded.messages.find((m) => m.status === 'sending');
  if (!stale) return undefined;
  const ref = { workspaceId: enrollment.workspaceId, enrollmentId: enrollment.id };
  if (stale.leaseUntil && stale.leaseUntil.getTime() > input.now.getTime()) {
    await updateEnrollment(w(), enrollment.id, { nextRunAt: stale.leaseUntil });
    const leaseEnd = stale.leaseUntil;
    input.after.push(() => deps.schedule([{ ref, at: leaseEnd }]));
    return { kind: 'idle' };
  }
  const leaseUntil = new Date(input.now.getTime() + deps.leaseMs);
  await renewLease(w(), stale.id, leaseUntil);
  await updateEnrollment(w(), enrollment.id, { nextRunAt: leaseUntil });
  const sender = stale.senderId ? ((await getSenderRow(sql, stale.senderId)) ?? null) : null;
  return { kind: 'reconcile', message: { ...stale, leaseUntil }, sender, contact };
}

/** Asks decideNextStep until a step is sent, or the enrollment waits, holds or ends. */
async function runDecisions(ctx: {
  sql: Sql;
  w: () => Sql;
  deps: EngineDeps;
  loaded: StepContext;
  state: EnrollmentRow;
  note: (type: string, summary: string, data?: Record<string, unknown>) => Promise<void>;
  access: StepAccess;
  input: Input;
}): Promise<Reserved> {
  const { sql, w, deps, loaded, state, note, input } = ctx;
  const { enrollment, contact, sequence, messages } = loaded;
  const { now, after } = input;
  const ref = { workspaceId: enrollment.workspaceId, enrollmentId: enrollment.id };
  const zone = resolveContactTimezone(contact, sequence.schedule.timezone).zone;
  const unreachable = CHANNELS.filter((c) => loaded.suppressions.get(c) === 'unreachable');
  for (let guard = 0; guard <= sequence.steps.length; guard++) {
    const decision = decideNextStep({
      enrollment: state,
      sequence,
      history: messages.map((m) => ({
        stepIndex: m.step,
        channel: m.channel,
        status: m.status,
        opened: m.openedAt !== null,
        clicked: m.clickedAt !== null,
        sentAt: m.sentAt,
      })),
      contact: unreachable.length > 0 ? { ...contact, unreachable } : contact,
      replied: false,
      linkedinConnected: contact.linkedinConnectedAt !== null,
      linkedinRequestExpiryDays: deps.linkedinRequestExpiryDays,
      now,
      zone,
      seed: enrollment.id,
    });
    switch (decision.kind) {
      case 'hold':
        await updateEnrollment(w(), enrollment.id, { nextRunAt: null });
        return { kind: 'idle' };
      case 'exit':
        if (decision.reason === 'completed') {
          await updateEnrollment(w(), enrollment.id, {
            status: 'completed',
            completedAt: now,
            nextRunAt: null,
            currentStep: state.currentStep,
          });
          after.push(() => deps.completed(ref));
        }
        return { kind: 'idle' };
      case 'wait':
        await wait(w, deps, { enrollment, state, zone, decision, note, after });
        return { kind: 'idle' };
      case 'skip':
        await note('skipped', `Step ${decision.stepIndex} skipped: ${decision.reason}`, {
          step: decision.stepIndex,
          reason: decision.reason,
        });
        state.currentStep = decision.stepIndex + 1;
        continue;
      case 'send': {
        const outcome = await prepareSend(sql, w, deps, {
          ...{ loaded, enrollment, state, sequence, contact, messages, decision, now, zone, note, after },
          locked: ctx.access.locked,
          written: input.written ?? new Map(),
        });
        if (outcome !== 'skipped' && outcome.kind === 'claim' && decision.channel === 'call') {
          await createCallTask(w(), deps, { claiming: outcome, sequence, zone, now, after });
          return { kind: 'idle' };
        }
        if (outcome !== 'skipped') return outcome;
        state.currentStep = decision.stepIndex + 1;
        continue;
      }
    }
  }
  return { kind: 'idle' };
}

/** A wait until the step is due, the sending window opens or its random spacing is over. */
async function wait(
  w: () => Sql,
  deps: EngineDeps,
  ctx: {
    enrollment: EnrollmentRow;
    state: EnrollmentRow;
    zone: string;
    decision: Extract<ReturnType<typeof decideNextStep>, { kind: 'wait' }>;
    note: (type: string, summary: string, data?: Record<string, unknown>) => Promise<void>;
    after: AfterCommit;
  },
): Promise<void> {
  const { enrollment, state, zone, decision } = ctx;
  const step = decision.stepIndex ?? state.currentStep;
  const windowed = decision.reason === 'outside_window' || decision.reason === 'jitter';
  const awaiting = decision.reason === 'awaiting_connection';
  await updateEnrollment(w(), enrollment.id, {
    nextRunAt: decision.until,
    currentStep: state.currentStep,
    ...(windowed ? { hold: { by: 'window', ref: null } } : {}),
    ...(awaiting ? { hold: { by: 'connection', ref: enrollment.contactId } } : {}),
  });
  if (awaiting)
    await ctx.note(
      'deferred',
      `Step ${step} waits for the LinkedIn connection to be accepted (until ${decision.until.toISOString()}, then the fallback)`,
      { step: decision.stepIndex, reason: decision.reason, until: decision.until.toISOString() },
    );
  if (windowed)
    await ctx.note(
      'deferred',
      decision.reason === 'jitter'
        ? `Step ${step} goes out at ${decision.until.toISOString()}: random spacing inside the open sending window (${zone})`
        : `Step ${step} waits for the sending window (${zone})`,
      { step: decision.stepIndex, reason: decision.reason, until: decision.until.toISOString() },
    );
  const ref = { workspaceId: enrollment.workspaceId, enrollmentId: enrollment.id };
  ctx.after.push(() => deps.schedule([{ ref, at: decision.until }]));
}

/**
 * Reads for a peeking decision: a batch in one round trip (an implicit transaction), any other
 * query in a short tenant transaction of its own.
 */
function readOnly(db: Db, workspaceId: string): Sql {
  return {
    query: (text, values) => db.tenant(workspaceId, (sql) => sql.query(text, values)),
    batch: async (text, uses) => (await db.statements(workspaceId, text, uses)).slice(1),
  };
}
