// A reply to one of our messages — logged through the API, found by a mailbox poll or delivered by
// a provider webhook — is classified and acted on at once, under the enrollment's row lock, so no
// further step can go out after it (core/decideOnEvent.ts's decideOnReply says what it does).
// What follows a person's reply once the sequence is safely stopped (the hand-off, the colleague
// rule) is the outreach/reply.received job: routeReply.
import { decideOnReply } from '../../core/decideOnEvent.ts';
import type { Channel } from '../../core/channels.ts';
import { POSITIVE_INTENTS, type ClassifyReplyInput, type ReplyClassification } from '../../core/replyHeuristics.ts';
import { resolveContactTimezone } from '../../core/timezone.ts';
import { addActivity } from '../../db/activities.ts';
import { getContact } from '../../db/contacts.ts';
import type { Sql } from '../../db/database.ts';
import { getEnrollment, pauseColleagues } from '../../db/enrollments.ts';
import { getMessage } from '../../db/messages.ts';
import { takeReplyForRouting } from '../../db/replies.ts';
import { getSequence } from '../../db/sequences.ts';
import { createHandoff } from '../handoffs.ts';
import type { EnrollmentRef } from '../ports.ts';
import { applyEffects } from './applyEffects.ts';

export type Classifier = (input: ClassifyReplyInput) => Promise<ReplyClassification>;

export type IncomingReply = {
  messageId: string;
  body: string;
  subject?: string;
  headers?: Record<string, string>;
  /** Where it came from: 'api', or the provider or mailbox that delivered it. */
  source: string;
  providerEventId?: string;
  receivedAt: Date;
};

export type ReplyOutcome = {
  replyId: string;
  intent: ReplyClassification['intent'];
  confidence: number;
  returnDate?: string;
  referral?: ReplyClassification['referral'];
  action: 'stopped' | 'paused' | 'unsubscribed' | 'bounced' | 'noted';
  duplicate: boolean;
};

/** Records and acts on a reply. Undefined when the message is not ours (another workspace, unknown id). */
export async function processReply(
  sql: Sql,
  input: {
    reply: IncomingReply;
    classify: Classifier;
    now: Date;
    wake: (refs: { ref: EnrollmentRef; at: Date }[]) => void;
  },
): Promise<ReplyOutcome | undefined> {
  const { reply, now } = input;
  const found = await getMessage(sql, reply.messageId);
  if (!found) return undefined;
  const enrollment = await getEnrollment(sql, found.enrollmentId, { lock: true });
  const message = (await getMessage(sql, reply.messageId)) ?? found;
  const contact = await getContact(sql, message.contactId);
  if (!enrollment || !contact) return undefined;

  const verdict = await input.classify({ body: reply.body, subject: reply.subject, headers: reply.headers, now });
  const running = enrollment.status === 'active' || enrollment.status === 'paused';
  // The zone of a return date: read only when it matters (an out-of-office on a running enrollment).
  const zone =
    verdict.intent === 'out_of_office' && running
      ? resolveContactTimezone(contact, (await getSequence(sql, enrollment.sequenceId))?.schedule.timezone ?? 'UTC')
          .zone
      : 'UTC';
  const decided = decideOnReply(
    {
      type: 'replied',
      ref: { messageId: message.id },
      via: reply.source,
      text: reply.body,
      ...(reply.subject ? { subject: reply.subject } : {}),
    },
    {
      message: { id: message.id, step: message.step, channel: message.channel as Channel, openedAt: message.openedAt },
      running,
      now,
      verdict,
      zone,
      source: reply.source,
      receivedAt: reply.receivedAt,
    },
  );
  const base = {
    intent: verdict.intent,
    confidence: verdict.confidence,
    returnDate: verdict.returnDate,
    referral: verdict.referral,
  };
  const applied = await applyEffects(sql, decided.effects, {
    message,
    enrollment,
    contact,
    occurredAt: reply.receivedAt,
    now,
    reply: {
      source: reply.source,
      subject: reply.subject ?? null,
      body: reply.body,
      verdict,
      providerEventId: reply.providerEventId ?? null,
      receivedAt: reply.receivedAt,
    },
  });
  if (applied.status === 'duplicate') return { replyId: '', ...base, action: 'noted', duplicate: true };
  input.wake(applied.wake);
  return {
    replyId: applied.replyId ?? '',
    ...base,
    ...(decided.returnDate ? { returnDate: decided.returnDate } : {}),
    action: decided.action,
    duplicate: false,
  };
}

/**
 * outreach/reply.received: what follows a person's reply once the sequence is safely stopped —
 * the hand-off task for positive replies and the colleague rule. Runs once per reply.
 */
export async function routeReply(sql: Sql, replyId: string, now: Date, publicUrl: string): Promise<void> {
  const reply = await takeReplyForRouting(sql, replyId, now);
  if (!reply) return;
  const contact = await getContact(sql, reply.contactId);
  const enrollment = await getEnrollment(sql, reply.enrollmentId);
  if (!contact || !enrollment) return;
  if (POSITIVE_INTENTS.some((intent) => intent === reply.intent)) {
    await addActivity(sql, {
      workspaceId: reply.workspaceId,
      contactId: contact.id,
      type: 'handoff',
      summary: `Hand-off: ${contact.firstName ?? 'the contact'} replied (${reply.intent.replace('_', ' ')}) — follow up personally`,
      data: { enrollmentId: enrollment.id, messageId: reply.messageId, replyId, intent: reply.intent },
      occurredAt: now,
    });
    await createHandoff(sql, {
      workspaceId: reply.workspaceId,
      contactId: contact.id,
      cause: { source: 'reply', sourceRef: replyId, intent: reply.intent },
      now,
      publicUrl,
    });
  }
  if (['out_of_office', 'auto_reply', 'bounce'].includes(reply.intent)) return;
  const sequence = await getSequence(sql, enrollment.sequenceId);
  if (!sequence?.settings.pauseColleaguesOnReply || !contact.companyDomain) return;
  const paused = await pauseColleagues(sql, { companyDomain: contact.companyDomain, exceptContactId: contact.id });
  for (const row of paused) {
    await addActivity(sql, {
      workspaceId: reply.workspaceId,
      contactId: row.contactId,
      type: 'paused',
      summary: `Paused: a colleague at ${contact.companyDomain} replied`,
      data: { enrollmentId: row.id, colleagueContactId: contact.id },
      occurredAt: now,
    });
  }
}
