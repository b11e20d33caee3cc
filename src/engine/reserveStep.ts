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
import { decideNextStep } from '../core/decideNextStep.ts';
import type { Channel } from '../core/channels.ts';
import { nextAllowedSlot } from '../core/sendingWindow.ts';
import { resolveContactTimezone } from '../core/timezone.ts';
import { recipientDomain } from '../core/quota.ts';
import { addActivity } from '../db/activities.ts';
import type { Contact } from '../db/contacts.ts';
import type { Db, Sql } from '../db/database.ts';
import { workspaceWriteCache } from '../db/writerCache.ts';
import type { WriterInput } from '../writer/types.ts';
import type { WriteOutcome } from '../writer/writer.ts';
import { updateEnrollment, type EnrollmentRow } from '../db/enrollments.ts';
import { renewLease, type MessageRow } from '../db/messages.ts';
import type { Sequence } from '../db/sequences.ts';
import { loadStepContext, peekStepContext, type StepContext } from '../db/stepContext.ts';
import { uuidv7 } from '../db/uuidv7.ts';
import { getSenderRow, type SenderRow } from '../db/senders.ts';
import type { EngineDeps } from './ports.ts';
import { checkBeforeWriting, contentBlock } from './preSendChecks.ts';
import type { Claiming } from './claimStep.ts';
import { capsFor, chooseSender } from './senderChoice.ts';
import { toWriterContact, toWriterSender, toWriterWorkspace } from './writerInput.ts';

export type Reserved =
  | { kind: 'idle' }
  | { kind: 'deliver'; message: MessageRow; sender: SenderRow | null; contact: Contact; last: boolean }
  | { kind: 'reconcile'; message: MessageRow; sender: SenderRow | null; contact: Contact }
  | Claiming;

/** Work to do once the transaction has committed (waking jobs must not see uncommitted rows). */
export type AfterCommit = (() => Promise<void>)[];

/** A peeking decision has something to write: decide again with the enrollment locked. */
export class NeedsLock extends Error {
  constructor() {
    super('the decision writes: take the enrollment lock');
  }
}

/** Locked: a tenant transaction. Peeking: reads only, each in its own short transaction. */
export type StepAccess =
  | { locked: true; sql: Sql }
  /** `context`: already read (in the round trip that recorded the previous step). */
  | { locked: false; db: Db; workspaceId: string; context?: StepContext };

export async function reserveStep(
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
    : (access.context ?? (await peekStepContext(access.db, access.workspaceId, enrollmentId)));
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

type SendDecision = Extract<ReturnType<typeof decideNextStep>, { kind: 'send' }>;

async function prepareSend(
  sql: Sql,
  w: () => Sql,
  deps: EngineDeps,
  ctx: {
    loaded: StepContext;
    enrollment: EnrollmentRow;
    state: EnrollmentRow;
    sequence: Sequence;
    contact: Contact;
    messages: MessageRow[];
    decision: SendDecision;
    now: Date;
    zone: string;
    note: (type: string, summary: string, data?: Record<string, unknown>) => Promise<void>;
    after: AfterCommit;
    locked: boolean;
    written: Map<string, WriteOutcome>;
  },
): Promise<Reserved | 'skipped'> {
  const { enrollment, state, sequence, contact, decision, now, note } = ctx;
  const ref = { workspaceId: enrollment.workspaceId, enrollmentId: enrollment.id };
  const step = decision.stepIndex;
  const deferIn = async (tx: Sql, after: AfterCommit, until: Date, reason: string) => {
    const slot = nextAllowedSlot({
      after: until,
      schedule: sequence.schedule,
      zone: ctx.zone,
      seed: `${enrollment.id}:defer:${step}`,
    });
    await updateEnrollment(tx, enrollment.id, { nextRunAt: slot, currentStep: step });
    await addActivity(tx, {
      workspaceId: enrollment.workspaceId,
      contactId: contact.id,
      type: 'deferred',
      summary: `Step ${step} deferred until ${slot.toISOString()}: ${reason}`,
      data: { enrollmentId: enrollment.id, sequenceId: sequence.id, step, reason, until: slot.toISOString() },
      occurredAt: now,
    });
    after.push(() => deps.schedule([{ ref, at: slot }]));
  };
  const defer = async (until: Date, reason: string) => {
    await deferIn(w(), ctx.after, until, reason);
    return { kind: 'idle' } as const;
  };

  const suppressed = ctx.loaded.suppressions;
  const everywhere = suppressed.get('all');
  if (everywhere || contact.status === 'unsubscribed') {
    await updateEnrollment(w(), enrollment.id, {
      status: 'stopped',
      stopReason: 'unsubscribed',
      stopped: true,
      nextRunAt: null,
    });
    await note('stopped', `Stopped: the contact is suppressed (${everywhere ?? 'unsubscribed'})`, {
      reason: 'unsubscribed',
    });
    return { kind: 'idle' };
  }
  const channelSuppression = suppressed.get(decision.channel);
  if (channelSuppression) {
    await note('skipped', `Step ${step} skipped: suppressed for ${decision.channel} (${channelSuppression})`, { step });
    return 'skipped';
  }
  if (decision.fellBackFrom) {
    await note('fell_back', `Step ${step}: ${decision.fallbackReason ?? 'channel unavailable'}`, {
      step,
      from: decision.fellBackFrom,
      to: decision.channel,
      reason: decision.fallbackReason,
    });
  }

  const choice = await chooseSender(sql, ctx.loaded.senders, {
    channel: decision.channel,
    template: decision.template,
    stickySenderId: state.senders[decision.channel],
    now,
    seed: enrollment.id,
  });
  if (choice.kind === 'defer') return defer(choice.until, choice.reason);
  const sender = choice.kind === 'sender' ? choice.sender : null;
  const precheck = await checkBeforeWriting(deps, {
    channel: decision.channel,
    sender,
    email: contact.email,
    sequence,
    now,
  });
  if (precheck.kind === 'defer') return defer(precheck.until, precheck.reason);
  if (precheck.kind === 'skip') {
    await note('skipped', `Step ${step} skipped: ${precheck.reason}`, { step, reason: precheck.reason });
    return 'skipped';
  }

  const workspace = ctx.loaded.workspace;
  const writerInput: WriterInput = {
    contact: toWriterContact(contact),
    channel: decision.channel,
    purpose: decision.template,
    sender: toWriterSender(sender),
    workspace: toWriterWorkspace(workspace),
    previous: ctx.messages
      .filter((m) => ['sent', 'delivered', 'unknown'].includes(m.status))
      .map((m) => ({
        channel: m.channel as Channel,
        purpose: m.purpose,
        subject: m.subject ?? undefined,
        body: m.body,
      })),
    variant: enrollment.variant,
    seed: `${enrollment.id}:${step}`,
  };
  // Peeking, the writer's cache is read and written in short transactions of its own. A message the
  // peek wrote (and then found it had a note to write) is reused, not paid for or drawn again.
  const writtenKey = `${step}:${decision.channel}:${decision.template}:${sender?.id ?? ''}`;
  const written =
    ctx.written.get(writtenKey) ??
    (ctx.locked
      ? await deps.writer.write(sql, writerInput)
      : await deps.writer.writeWithCache(workspaceWriteCache(deps.db, enrollment.workspaceId), writerInput));
  ctx.written.set(writtenKey, written);
  if (!written.ok) {
    await note('blocked', `Step ${step} blocked: ${written.reason}`, { step, reason: written.reason });
    return 'skipped';
  }
  if (written.fallback) {
    await note(
      'generation_failed',
      `Message generation failed: ${written.fallback.cause}; the offline composer wrote step ${step}`,
      { step },
    );
  }

  const blocked = contentBlock({
    channel: decision.channel,
    sender,
    subject: written.subject ?? decision.subject ?? null,
    body: written.body,
  });
  if (blocked) {
    await note('blocked', `Step ${step} blocked: ${blocked}`, { step, reason: blocked });
    return 'skipped';
  }

  // The reservation itself, with the account's quota claim, comes after this transaction commits.
  const recipient = recipientFor(decision.channel, contact);
  return {
    kind: 'claim',
    sender,
    contact,
    last: step === sequence.steps.length - 1,
    template: decision.template,
    defer: deferIn,
    reservation: {
      id: uuidv7(now.getTime()),
      workspaceId: enrollment.workspaceId,
      enrollmentId: enrollment.id,
      contactId: contact.id,
      sequenceId: sequence.id,
      step,
      channel: decision.channel,
      purpose: decision.template,
      provider: sender?.provider ?? 'sandbox',
      senderId: sender?.id ?? null,
      variant: enrollment.variant,
      subject: written.subject ?? decision.subject ?? null,
      body: written.body,
      recipient,
      recipientDomain: decision.channel === 'email' && recipient ? (recipientDomain(recipient) ?? null) : null,
      rfcMessageId: null,
      providerThreadId: null,
      leaseUntil: new Date(now.getTime() + deps.leaseMs),
      reservedAt: now,
      writer: {
        generator: written.generator,
        model: written.model,
        usage: written.usage,
        factsUsed: written.factsUsed,
      },
      seenStep: enrollment.currentStep,
      senders: sender ? { ...state.senders, [decision.channel]: sender.id } : state.senders,
      caps: sender ? capsFor(sender, decision.template, contact.email, now) : null,
    },
  };
}

function recipientFor(channel: Channel, contact: Contact): string | null {
  switch (channel) {
    case 'email':
      return contact.email;
    case 'linkedin':
      return contact.linkedinUrl;
    case 'whatsapp':
    case 'sms':
    case 'call':
      return contact.phone;
  }
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
