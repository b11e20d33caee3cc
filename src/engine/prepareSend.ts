// Preparing a send decided by reserveStep: suppression, the account, the checks before writing, the
// writer, the content check, and the reservation handed to claimStep. Every write here goes through
// `w()`, which a peeking decision answers with NeedsLock (reserveStep.ts).
import type { decideNextStep } from '../core/decideNextStep.ts';
import type { Channel } from '../core/channels.ts';
import { nextAllowedSlot } from '../core/sendingWindow.ts';
import { recipientDomain } from '../core/quota.ts';
import { addActivity } from '../db/activities.ts';
import type { Contact } from '../db/contacts.ts';
import type { Sql } from '../db/database.ts';
import { updateEnrollment, type EnrollmentRow } from '../db/enrollments.ts';
import type { MessageRow } from '../db/messages.ts';
import type { Sequence } from '../db/sequences.ts';
import type { StepContext } from '../db/stepContext.ts';
import { uuidv7 } from '../db/uuidv7.ts';
import { workspaceWriteCache } from '../db/writerCache.ts';
import type { WriterInput } from '../writer/types.ts';
import type { WriteOutcome } from '../writer/writer.ts';
import type { EngineDeps } from './ports.ts';
import { checkBeforeWriting, contentBlock } from './preSendChecks.ts';
import type { AfterCommit, Reserved } from './reserveStep.ts';
import { capsFor, chooseSender } from './senderChoice.ts';
import { toWriterContact, toWriterSender, toWriterWorkspace } from './writerInput.ts';

type SendDecision = Extract<ReturnType<typeof decideNextStep>, { kind: 'send' }>;

export async function prepareSend(
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
    peeking: !ctx.locked,
  });
  if (choice.kind === 'defer') return defer(choice.until, choice.reason);
  const sender = choice.kind === 'sender' ? choice.sender : null;
  const precheck = await checkBeforeWriting(deps, {
    channel: decision.channel,
    sender,
    email: contact.email,
    sequence,
    now,
    workspace: ctx.loaded.workspace,
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
