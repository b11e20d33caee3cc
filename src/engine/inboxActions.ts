// What a person does with a reply from the inbox: hand off (mark interested), not now (follow up
// on a date), unsubscribe, and the hand-off's outcome. Each is a reply action and a timeline entry.
import { addActivity } from '../db/activities.ts';
import { getContact } from '../db/contacts.ts';
import { getEnrollment, updateEnrollment } from '../db/enrollments.ts';
import {
  addReplyAction,
  cancelDeferredMessages,
  getInboxReply,
  hasHandoffActivity,
  setContactStatus,
  type InboxReply,
  type ReplyAction,
} from '../db/inbox.ts';
import { suppressContact } from '../db/suppressions.ts';
import type { Engine } from './engine.ts';
import { createHandoff } from './handoffs.ts';
import type { EnrollmentRef } from './ports.ts';

export const HANDOFF_OUTCOMES = ['meeting_booked', 'follow_up', 'not_a_fit', 'no_answer'] as const;
export type HandoffOutcome = (typeof HANDOFF_OUTCOMES)[number];

export type InboxCommand =
  | { action: 'handoff'; note?: string }
  | { action: 'snooze'; until: Date }
  | { action: 'unsubscribe' }
  | { action: 'outcome'; outcome: HandoffOutcome; note?: string };

export type InboxOutcome =
  | { kind: 'done'; reply: InboxReply; action: ReplyAction }
  | { kind: 'not_found' }
  | { kind: 'invalid'; message: string };

const OUTCOME_STATUS: Record<HandoffOutcome, string | null> = {
  meeting_booked: 'interested',
  follow_up: null,
  not_a_fit: 'not_interested',
  no_answer: null,
};

export async function actOnReply(
  engine: Engine,
  input: { workspaceId: string; replyId: string; memberId: string | null; command: InboxCommand },
): Promise<InboxOutcome> {
  const { db, clock } = engine.deps;
  const now = clock.now();
  const wake: { ref: EnrollmentRef; at: Date }[] = [];
  const outcome = await db.tenant(input.workspaceId, async (sql): Promise<InboxOutcome> => {
    const reply = await getInboxReply(sql, input.replyId);
    if (!reply) return { kind: 'not_found' };
    const contact = await getContact(sql, reply.contactId);
    if (!contact) return { kind: 'not_found' };
    const note = (type: string, summary: string, data: Record<string, unknown> = {}) =>
      addActivity(sql, {
        workspaceId: input.workspaceId,
        contactId: reply.contactId,
        type,
        summary,
        data: { enrollmentId: reply.enrollmentId, replyId: reply.id, manual: true, ...data },
        occurredAt: now,
      });
    const setStatus = (status: string) => setContactStatus(sql, contact.id, status);
    const command = input.command;
    let data: Record<string, unknown> = {};
    switch (command.action) {
      case 'handoff': {
        await setStatus('interested');
        if (!(await hasHandoffActivity(sql, reply.id)))
          await note(
            'handoff',
            `Hand-off: ${contact.firstName ?? 'the contact'} was marked interested — follow up personally`,
            { intent: reply.intent, ...(command.note ? { note: command.note } : {}) },
          );
        await createHandoff(sql, {
          workspaceId: input.workspaceId,
          contactId: contact.id,
          cause: {
            source: 'reply',
            sourceRef: reply.id,
            intent: reply.intent,
            ...(command.note ? { note: command.note } : {}),
          },
          now,
          publicUrl: engine.deps.links.publicUrl,
        });
        data = command.note ? { note: command.note } : {};
        break;
      }
      case 'snooze': {
        if (command.until.getTime() <= now.getTime())
          return { kind: 'invalid', message: 'until must be in the future' };
        const enrollment = await getEnrollment(sql, reply.enrollmentId, { lock: true });
        // A sequence still running (the reply was an automatic one) waits until then too.
        if (enrollment && (enrollment.status === 'active' || enrollment.status === 'paused')) {
          await updateEnrollment(sql, enrollment.id, {
            status: 'paused',
            pauseReason: 'not_now',
            pausedUntil: command.until,
            nextRunAt: command.until,
          });
          wake.push({ ref: { workspaceId: input.workspaceId, enrollmentId: enrollment.id }, at: command.until });
        }
        const day = command.until.toISOString().slice(0, 10);
        await note('snoozed', `Not now: follow up on ${day}`, { until: command.until.toISOString() });
        data = { until: command.until.toISOString() };
        break;
      }
      case 'unsubscribe': {
        await suppressContact(sql, input.workspaceId, contact, 'all', 'unsubscribe_inbox');
        await setStatus('unsubscribed');
        const enrollment = await getEnrollment(sql, reply.enrollmentId, { lock: true });
        if (enrollment && (enrollment.status === 'active' || enrollment.status === 'paused')) {
          await updateEnrollment(sql, enrollment.id, {
            status: 'stopped',
            stopReason: 'unsubscribed',
            stopped: true,
            nextRunAt: null,
          });
          await cancelDeferredMessages(sql, enrollment.id);
        }
        await note('unsubscribed', 'Unsubscribed from the inbox: suppressed on every channel');
        break;
      }
      case 'outcome': {
        const status = OUTCOME_STATUS[command.outcome];
        if (status) await setStatus(status);
        await note('handoff_outcome', `Hand-off outcome: ${command.outcome.replaceAll('_', ' ')}`, {
          outcome: command.outcome,
          ...(command.note ? { note: command.note } : {}),
        });
        data = { outcome: command.outcome, ...(command.note ? { note: command.note } : {}) };
        break;
      }
    }
    const action = await addReplyAction(sql, {
      workspaceId: input.workspaceId,
      replyId: reply.id,
      action: command.action,
      data,
      memberId: input.memberId,
      at: now,
    });
    const updated = await getInboxReply(sql, reply.id);
    return { kind: 'done', reply: updated ?? reply, action };
  });
  await engine.deps.schedule(wake);
  return outcome;
}
