// The one function that carries out what decideOnEvent decided, inside the caller's tenant
// transaction with the enrollment locked. Effects run in order; the first (the record) is the
// dedupe gate: a duplicate ends the list and nothing else happens.
import type { Effect } from '../../core/decideOnEvent.ts';
import { contactNotes } from '../../db/activities.ts';
import { setContactStatus, setLinkedinConnection, setSmsOptIn, type Contact } from '../../db/contacts.ts';
import type { Sql } from '../../db/database.ts';
import { lockHeld, pauseEnrollment, releaseHeld, stopEnrollment, type EnrollmentRow } from '../../db/enrollments.ts';
import { addMessageEvent, markRead, markSeen, setMessageStatus, type MessageRow } from '../../db/messages.ts';
import { insertReply, type ReplyInput } from '../../db/replies.ts';
import { liftSuppressions, suppressContact } from '../../db/suppressions.ts';
import { checkSenderHealth } from '../accounts/health.ts';
import type { EnrollmentRef } from '../ports.ts';

export type EffectTarget = {
  message: MessageRow;
  /** Locked by the caller (lock order: the enrollment first, as everywhere else). */
  enrollment: EnrollmentRow;
  contact: Contact;
  /** When the event happened (its record's time). */
  occurredAt: Date;
  now: Date;
  /** The event's dedupe key, when the source has one. */
  key?: string;
  /** The reply to store, for `record_reply`. */
  reply?: Omit<ReplyInput, 'workspaceId' | 'messageId' | 'enrollmentId' | 'contactId'>;
};

export type Applied = {
  status: 'applied' | 'duplicate';
  replyId?: string;
  /** Enrollments to wake after the commit (a pause until a date). */
  wake: { ref: EnrollmentRef; at: Date }[];
};

export async function applyEffects(sql: Sql, effects: readonly Effect[], target: EffectTarget): Promise<Applied> {
  const applied: Applied = { status: 'applied', wake: [] };
  for (const effect of effects) {
    if (effect.kind === 'record' || effect.kind === 'record_reply') {
      if (!(await recordGate(sql, effect, target, applied))) return { ...applied, status: 'duplicate' };
    } else await carryOut(sql, effect, target, applied);
  }
  return applied;
}

/** The dedupe gate: stores the event (or the reply); false when its key was already stored. */
async function recordGate(
  sql: Sql,
  effect: Extract<Effect, { kind: 'record' | 'record_reply' }>,
  target: EffectTarget,
  applied: Applied,
): Promise<boolean> {
  const { message, enrollment, contact } = target;
  if (effect.kind === 'record') {
    const key = target.key ?? effect.key;
    return addMessageEvent(sql, {
      workspaceId: message.workspaceId,
      messageId: message.id,
      type: effect.type,
      occurredAt: target.occurredAt,
      machine: effect.machine,
      ...(key && !target.reply ? { providerEventId: key } : {}),
      metadata: effect.metadata,
    });
  }
  if (!target.reply) throw new Error('record_reply needs the reply');
  const replyId = await insertReply(sql, {
    ...target.reply,
    workspaceId: message.workspaceId,
    messageId: message.id,
    enrollmentId: enrollment.id,
    contactId: contact.id,
  });
  if (!replyId) return false;
  applied.replyId = replyId;
  return true;
}

async function carryOut(
  sql: Sql,
  effect: Exclude<Effect, { kind: 'record' | 'record_reply' }>,
  target: EffectTarget,
  applied: Applied,
): Promise<void> {
  const { message, enrollment, contact, now } = target;
  const ws = message.workspaceId;
  const note = contactNotes(sql, {
    workspaceId: ws,
    contactId: contact.id,
    occurredAt: now,
    base: {
      enrollmentId: enrollment.id,
      messageId: message.id,
      ...(applied.replyId ? { replyId: applied.replyId } : { step: message.step }),
    },
  });
  switch (effect.kind) {
    case 'message_status':
      return setMessageStatus(sql, message.id, {
        status: effect.status,
        from: effect.from,
        ...(effect.error ? { error: effect.error } : {}),
      });
    case 'seen':
      return markSeen(sql, message.id, target.occurredAt, effect.clicked);
    case 'read':
      return markRead(sql, message.id, target.occurredAt);
    case 'suppress': {
      const everywhere = effect.scope === 'everywhere';
      const identities = everywhere ? contact : identityOn(message.channel, contact);
      return suppressContact(sql, ws, identities, everywhere ? 'all' : message.channel, effect.reason);
    }
    case 'contact_status':
      return setContactStatus(sql, contact.id, effect.status);
    case 'linkedin_connected': {
      await setLinkedinConnection(sql, contact.id, target.occurredAt);
      for (const id of await releaseConnectionHolds(sql, contact.id, now))
        applied.wake.push({ ref: { workspaceId: ws, enrollmentId: id }, at: now });
      return;
    }
    case 'stop':
      if ((await stopEnrollment(sql, enrollment.id, effect.reason)) && effect.summary)
        await note('stopped', effect.summary, { reason: effect.reason });
      return;
    case 'pause':
      await pauseEnrollment(sql, enrollment.id, { reason: effect.reason, until: effect.until });
      await note('paused', effect.summary);
      applied.wake.push({ ref: { workspaceId: ws, enrollmentId: enrollment.id }, at: effect.until });
      return;
    case 'note':
      return note(effect.type, effect.summary, effect.data);
    case 'sms_consent':
      return setSmsOptIn(sql, contact.id, effect.optIn);
    case 'lift_suppression':
      return liftSuppressions(sql, ws, identityOn(message.channel, contact), message.channel, effect.reasons);
    case 'check_health':
      return checkSenderHealth(sql, {
        message: {
          workspaceId: ws,
          senderId: message.senderId,
          sequenceId: message.sequenceId,
          enrollmentId: message.enrollmentId,
        },
        contactId: contact.id,
        now,
      });
  }
}

/** The contact's identity on a channel (what a bounce or a channel opt-out suppresses). */
export function identityOn(
  channel: string,
  contact: Pick<Contact, 'email' | 'phone' | 'linkedinUrl'>,
): { email: string | null; phone: string | null; linkedinUrl: string | null } {
  return {
    email: channel === 'email' ? contact.email : null,
    phone: ['sms', 'whatsapp', 'call'].includes(channel) ? contact.phone : null,
    linkedinUrl: channel === 'linkedin' ? contact.linkedinUrl : null,
  };
}

/** The contact accepted: LinkedIn messages waiting for it go now (returns their enrollments). */
export async function releaseConnectionHolds(sql: Sql, contactId: string, now: Date): Promise<string[]> {
  const held = await lockHeld(sql, { holds: [{ by: 'connection', ref: contactId }], now });
  await releaseHeld(
    sql,
    held.map((h) => h.id),
    now,
  );
  return held.map((h) => h.id);
}
