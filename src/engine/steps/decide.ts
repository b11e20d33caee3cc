// The first half of running an enrollment: ask decideNextStep, carry out waits, skips and exits,
// and for a send choose the account, check suppression, write the message and hand it to claimStep,
// which reserves it as `sending` with the account's quota. The provider is called only after that
// commits (deliverStep.ts).
//
// Two ways in. Peeking (the usual first try) reads the step's context in one round trip without a
// transaction or lock: a plain send writes nothing while deciding, and the claim statement checks
// that the enrollment is still active at the step decided, so nothing is lost by not locking. The
// moment the decision has anything to write (a wait, a skip, an exit, a note, a deferral, a
// resumption, a stale reservation) it stops with NeedsLock and the caller decides again in a
// transaction holding the enrollment's row lock.
import { decideNextStep } from '../../core/decideNextStep.ts';
import { prepareSend } from './prepare.ts';
import type { Channel } from '../../core/channels.ts';
import { resolveContactTimezone } from '../../core/timezone.ts';
import { addActivity } from '../../db/activities.ts';
import type { Db, Sql } from '../../db/database.ts';
import type { WriteOutcome } from '../../writer/writer.ts';
import { updateEnrollment } from '../../db/enrollments.ts';
import { renewLease } from '../../db/messages.ts';
import { loadStepContext, peekStepContext } from '../../db/stepContext.ts';
import { getSenderRow, type SenderRow } from '../../db/senders.ts';
import type { EngineDeps } from '../ports.ts';
import { NeedsLock, type AfterCommit, type Reserved, type StepAccess } from './types.ts';

export async function decideStep(
  access: StepAccess,
  deps: EngineDeps,
  input: {
    enrollmentId: string;
    now: Date;
    after: AfterCommit;
    /** Messages already written for this decision (a peek that needed the lock): never written twice. */
    written?: Map<string, WriteOutcome>;
  },
): Promise<Reserved> {
  const { enrollmentId, now, after } = input;
  // Reads: the transaction, or (peeking) a short tenant transaction per read.
  const sql: Sql = access.locked ? access.sql : readOnly(access.db, access.workspaceId);
  /** The transaction to write in; peeking, there is none. */
  const w = (): Sql => {
    if (!access.locked) throw new NeedsLock();
    return access.sql;
  };
  const loaded = access.locked
    ? await loadStepContext(access.sql, enrollmentId)
    : await peekStepContext(access.db, access.workspaceId, enrollmentId);
  if (!loaded) return { kind: 'idle' };
  const { enrollment, contact, sequence, messages } = loaded;
  if (enrollment.status === 'completed' || enrollment.status === 'stopped') return { kind: 'idle' };
  if (enrollment.nextRunAt && enrollment.nextRunAt.getTime() > now.getTime()) return { kind: 'idle' };

  // A reservation whose lease ran out: its worker died between reserving and recording.
  const stale = messages.find((m) => m.status === 'sending');
  if (stale) {
    if (stale.leaseUntil && stale.leaseUntil.getTime() > now.getTime()) {
      await updateEnrollment(w(), enrollment.id, { nextRunAt: stale.leaseUntil });
      const leaseEnd = stale.leaseUntil;
      after.push(() =>
        deps.schedule([{ ref: { workspaceId: enrollment.workspaceId, enrollmentId: enrollment.id }, at: leaseEnd }]),
      );
      return { kind: 'idle' };
    }
    // Reconcile under a fresh lease: a second runner arriving meanwhile (a retried job, the sweep)
    // finds it live and stays idle instead of looking the message up and resending it too.
    const leaseUntil = new Date(now.getTime() + deps.leaseMs);
    await renewLease(w(), stale.id, leaseUntil);
    await updateEnrollment(w(), enrollment.id, { nextRunAt: leaseUntil });
    return {
      kind: 'reconcile',
      message: { ...stale, leaseUntil },
      sender: await senderOf(sql, stale.senderId),
      contact,
    };
  }

  const ws = enrollment.workspaceId;
  const ref = { workspaceId: ws, enrollmentId: enrollment.id };
  const note = (type: string, summary: string, data: Record<string, unknown> = {}) =>
    addActivity(w(), {
      workspaceId: ws,
      contactId: contact.id,
      type,
      summary,
      data: { enrollmentId, sequenceId: sequence.id, ...data },
      occurredAt: now,
    });

  const state = { ...enrollment };
  if (state.status === 'paused' && state.pausedUntil && state.pausedUntil.getTime() <= now.getTime()) {
    state.status = 'active';
    await updateEnrollment(w(), enrollment.id, { status: 'active', pausedUntil: null, pauseReason: null });
    await note('resumed', `Resumed after the pause (${enrollment.pauseReason ?? 'paused'})`);
  }
  const zone = resolveContactTimezone(contact, sequence.schedule.timezone).zone;

  for (let guard = 0; guard <= sequence.steps.length; guard++) {
    const decision = decideNextStep({
      enrollment: {
        status: state.status,
        currentStep: state.currentStep,
        enrolledAt: state.enrolledAt,
        pausedUntil: state.pausedUntil,
      },
      sequence,
      history: messages.map((m) => ({
        stepIndex: m.step,
        channel: m.channel as Channel,
        status: m.status,
        opened: m.openedAt !== null,
        clicked: m.clickedAt !== null,
      })),
      contact,
      replied: false,
      linkedinConnected: contact.linkedinConnectedAt !== null,
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
        await updateEnrollment(w(), enrollment.id, { nextRunAt: decision.until, currentStep: state.currentStep });
        if (decision.reason === 'outside_window') {
          await note(
            'deferred',
            `Step ${decision.stepIndex ?? state.currentStep} waits for the sending window (${zone})`,
            {
              step: decision.stepIndex,
              reason: 'outside_window',
              until: decision.until.toISOString(),
            },
          );
        }
        after.push(() => deps.schedule([{ ref, at: decision.until }]));
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
          loaded,
          enrollment,
          state,
          sequence,
          contact,
          messages,
          decision,
          now,
          zone,
          note,
          after,
          locked: access.locked,
          written: input.written ?? new Map(),
        });
        if (outcome === 'skipped') {
          state.currentStep = decision.stepIndex + 1;
          continue;
        }
        return outcome;
      }
    }
  }
  return { kind: 'idle' };
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

async function senderOf(sql: Sql, id: string | null): Promise<SenderRow | null> {
  return id ? ((await getSenderRow(sql, id)) ?? null) : null;
}
