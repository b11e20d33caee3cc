// Preparing a send that decide.ts decided: suppression, the account, the checks before writing, the
// writer, the content check, and the reservation handed to claim.ts. Every write here goes through
// `w()`, which a peeking decision answers with NeedsLock (decide.ts).
import type { decideNextStep } from '../../core/decideNextStep.ts';
import type { Channel } from '../../core/channels.ts';
import { nextAllowedSlot } from '../../core/sendingWindow.ts';
import { recipientDomain } from '../../core/quota.ts';
import { addActivity } from '../../db/activities.ts';
import type { Contact } from '../../db/contacts.ts';
import type { Sql } from '../../db/database.ts';
import { stopEnrollment, updateEnrollment, type EnrollmentRow } from '../../db/enrollments.ts';
import type { MessageRow } from '../../db/messages.ts';
import type { QuotaCaps } from '../../db/reservations.ts';
import type { SenderRow } from '../../db/senders.ts';
import { FALLBACK_PROVIDER } from '../../channels/registry.ts';
import type { Sequence } from '../../db/sequences.ts';
import type { StepContext } from '../../db/stepContext.ts';
import { uuidv7 } from '../../db/uuidv7.ts';
import { workspaceWriteCache } from '../../db/writerCache.ts';
import type { WriteOutcome } from '../../writer/writer.ts';
import type { EngineDeps } from '../ports.ts';
import { sendsInBatches } from '../accounts/batchedSends.ts';
import { checkBeforeWriting, contentBlock } from './checks.ts';
import { capsFor, chooseSender } from './senderChoice.ts';
import type { AfterCommit, Hold, Reserved } from './types.ts';
import { writerInputFor } from './writerInput.ts';
import { withoutNote } from './linkedinNote.ts';

type SendDecision = Extract<ReturnType<typeof decideNextStep>, { kind: 'send' }>;

export type PrepareContext = {
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
};

export async function prepareSend(
  sql: Sql,
  w: () => Sql,
  deps: EngineDeps,
  ctx: PrepareContext,
): Promise<Reserved | 'skipped'> {
  const { enrollment, state, sequence, contact, decision, now, note } = ctx;
  const step = decision.stepIndex;
  const deferIn = deferral(deps, ctx);
  const defer = async (until: Date, reason: string, hold: Hold) => {
    await deferIn(w(), ctx.after, until, reason, hold);
    return { kind: 'idle' } as const;
  };

  const suppressed = await guardSuppression(w, ctx);
  if (suppressed) return suppressed;
  const choice = await chooseSender(sql, ctx.loaded.senders, {
    channel: decision.channel,
    template: decision.template,
    stickySenderId: state.senders[decision.channel],
    now,
    seed: enrollment.id,
    peeking: !ctx.locked,
  });
  if (choice.kind === 'defer') return defer(choice.until, choice.reason, choice.hold);
  const sender = choice.kind === 'sender' ? choice.sender : null;
  const precheck = await checkBeforeWriting(deps, {
    channel: decision.channel,
    sender,
    email: contact.email,
    sequence,
    now,
    workspace: ctx.loaded.workspace ?? null,
  });
  if (precheck.kind === 'defer') return defer(precheck.until, precheck.reason, precheck.hold);
  if (precheck.kind === 'skip') {
    await note('skipped', `Step ${step} skipped: ${precheck.reason}`, { step, reason: precheck.reason });
    return 'skipped';
  }

  let written = await writeStep(sql, deps, ctx, sender);
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
  const subject = written.subject ?? decision.subject ?? null;
  const blocked = contentBlock(deps, { channel: decision.channel, sender, subject, body: written.body });
  if (blocked) {
    await note('blocked', `Step ${step} blocked: ${blocked}`, { step, reason: blocked });
    return 'skipped';
  }
  if (await withoutNote(sql, { sender, channel: decision.channel, template: decision.template, now })) {
    await note(
      'note_dropped',
      `Step ${step} goes without a note: this free LinkedIn account's notes of the month are used`,
      { step },
    );
    written = { ...written, body: '' };
  }
  // The reservation itself, with the account's quota claim, comes after this transaction commits.
  return reservationFor(deps, ctx, { sender, written, subject, defer: deferIn });
}

/** Records a deferral of the step until the first allowed slot at or after `until`, with what holds it. */
function deferral(deps: EngineDeps, ctx: PrepareContext) {
  const { enrollment, sequence, contact, decision, now } = ctx;
  const step = decision.stepIndex;
  const ref = { workspaceId: enrollment.workspaceId, enrollmentId: enrollment.id };
  return async (tx: Sql, after: AfterCommit, until: Date, reason: string, hold: Hold) => {
    const slot = nextAllowedSlot({
      after: until,
      schedule: sequence.schedule,
      zone: ctx.zone,
      seed: `${enrollment.id}:defer:${step}`,
    });
    await updateEnrollment(tx, enrollment.id, { nextRunAt: slot, currentStep: step, hold });
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
}

/**
 * Suppression is checked at send time: suppressed everywhere (or unsubscribed) stops the
 * enrollment; suppressed on this step's channel skips the step. A fallback is noted.
 */
async function guardSuppression(w: () => Sql, ctx: PrepareContext): Promise<Reserved | 'skipped' | undefined> {
  const { enrollment, contact, decision, note } = ctx;
  const step = decision.stepIndex;
  const everywhere = ctx.loaded.suppressions.get('all');
  if (everywhere || contact.status === 'unsubscribed') {
    await stopEnrollment(w(), enrollment.id, 'unsubscribed');
    await note('stopped', `Stopped: the contact is suppressed (${everywhere ?? 'unsubscribed'})`, {
      reason: 'unsubscribed',
    });
    return { kind: 'idle' };
  }
  // Opt-in is checked again at send time: the planner's check was made when the step was decided.
  if (decision.channel === 'whatsapp' && contact.whatsappOptIn !== true) {
    await note('skipped', `Step ${step} skipped: no WhatsApp opt-in`, { step, reason: 'no_whatsapp_opt_in' });
    return 'skipped';
  }
  const channelSuppression = ctx.loaded.suppressions.get(decision.channel);
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
  return undefined;
}

/**
 * The writer's message. Peeking, the writer's cache is read and written in short transactions of
 * its own. A message the peek wrote (and then found it had a note to write) is reused, not paid
 * for or drawn again.
 */
async function writeStep(sql: Sql, deps: EngineDeps, ctx: PrepareContext, sender: SenderRow | null) {
  const { enrollment, decision } = ctx;
  const input = writerInputFor({ ...ctx, sender, step: decision.stepIndex });
  const key = `${decision.stepIndex}:${decision.channel}:${decision.template}:${sender?.id ?? ''}`;
  const written =
    ctx.written.get(key) ??
    (ctx.locked
      ? await deps.writer.write(sql, input)
      : await deps.writer.writeWithCache(workspaceWriteCache(deps.db, enrollment.workspaceId), input));
  ctx.written.set(key, written);
  return written;
}

function reservationFor(
  deps: EngineDeps,
  ctx: PrepareContext,
  input: {
    sender: SenderRow | null;
    written: Extract<WriteOutcome, { ok: true }>;
    subject: string | null;
    defer: ReturnType<typeof deferral>;
  },
): Reserved {
  const { enrollment, state, sequence, contact, decision, now } = ctx;
  const { sender, written } = input;
  const step = decision.stepIndex;
  const recipient = recipientFor(decision.channel, contact);
  return {
    kind: 'claim',
    sender,
    contact,
    last: step === sequence.steps.length - 1,
    template: decision.template,
    offer: ctx.loaded.workspace?.offer ?? null,
    defer: input.defer,
    reservation: {
      id: uuidv7(now.getTime()),
      workspaceId: enrollment.workspaceId,
      enrollmentId: enrollment.id,
      contactId: contact.id,
      sequenceId: sequence.id,
      step,
      channel: decision.channel,
      purpose: decision.template,
      provider: sender?.provider ?? FALLBACK_PROVIDER,
      senderId: sender?.id ?? null,
      variant: enrollment.variant,
      subject: input.subject,
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
      caps: sender ? launchCaps(deps, sender, capsFor(sender, decision.template, contact.email, now)) : null,
    },
  };
}

/** Batched sends are spaced at their launch (accounts/batchedSends.ts), not at the reservations. */
function launchCaps(deps: EngineDeps, sender: SenderRow, caps: QuotaCaps): QuotaCaps {
  return sendsInBatches(deps, sender.provider) ? { ...caps, minGapSeconds: 0 } : caps;
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
