// A reply to one of our messages — logged through the API or detected by a poller — is classified
// and acted on at once, under the enrollment's row lock, so no further step can go out after it:
// a person's answer stops the sequence; out-of-office pauses it until the return date; an
// unsubscribe wish suppresses the contact everywhere; a bounce suppresses the address.
import { DateTime } from 'luxon';
import { POSITIVE_INTENTS, type ClassifyReplyInput, type ReplyClassification } from '../../core/replyHeuristics.ts';
import { resolveContactTimezone } from '../../core/timezone.ts';
import { addActivity } from '../../db/activities.ts';
import { getContact } from '../../db/contacts.ts';
import type { Sql } from '../../db/database.ts';
import { getEnrollment, updateEnrollment } from '../../db/enrollments.ts';
import { addMessageEvent, getMessage } from '../../db/messages.ts';
import { getSequence } from '../../db/sequences.ts';
import { suppressContact } from '../../db/suppressions.ts';
import type { EnrollmentRef } from '../ports.ts';

export type Classifier = (input: ClassifyReplyInput) => Promise<ReplyClassification>;

export type IncomingReply = {
  messageId: string;
  body: string;
  subject?: string;
  headers?: Record<string, string>;
  source: 'api' | 'imap' | 'gmail' | 'webhook';
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

const OOO_DEFAULT_DAYS = 7;

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
  const message = await getMessage(sql, reply.messageId);
  if (!message) return undefined;
  const enrollment = await getEnrollment(sql, message.enrollmentId, { lock: true });
  const contact = await getContact(sql, message.contactId);
  if (!enrollment || !contact) return undefined;
  const ws = message.workspaceId;

  const verdict = await input.classify({ body: reply.body, subject: reply.subject, headers: reply.headers, now });
  const { rows } = await sql.query<{ id: string }>(
    `INSERT INTO replies (workspace_id, message_id, enrollment_id, contact_id, source, subject, body, intent, confidence,
       return_date, referral, provider_event_id, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (workspace_id, provider_event_id) DO NOTHING RETURNING id`,
    [
      ws,
      message.id,
      enrollment.id,
      contact.id,
      reply.source,
      reply.subject ?? null,
      reply.body,
      verdict.intent,
      verdict.confidence,
      verdict.returnDate ?? null,
      verdict.referral ? JSON.stringify(verdict.referral) : null,
      reply.providerEventId ?? null,
      reply.receivedAt,
    ],
  );
  const base = {
    intent: verdict.intent,
    confidence: verdict.confidence,
    returnDate: verdict.returnDate,
    referral: verdict.referral,
  };
  if (!rows[0]) return { replyId: '', ...base, action: 'noted', duplicate: true };
  const replyId = rows[0].id;

  const note = (type: string, summary: string, data: Record<string, unknown> = {}) =>
    addActivity(sql, {
      workspaceId: ws,
      contactId: contact.id,
      type,
      summary,
      data: { enrollmentId: enrollment.id, messageId: message.id, replyId, ...data },
      occurredAt: now,
    });
  const running = enrollment.status === 'active' || enrollment.status === 'paused';
  const stop = async (reason: 'replied' | 'unsubscribed' | 'bounced') => {
    if (!running) return;
    await updateEnrollment(sql, enrollment.id, {
      status: 'stopped',
      stopReason: reason,
      stopped: true,
      nextRunAt: null,
    });
    await sql.query(
      `UPDATE messages SET status = 'cancelled', lease_until = NULL WHERE enrollment_id = $1 AND status = 'deferred'`,
      [enrollment.id],
    );
  };
  const setContactStatus = (status: string) =>
    sql.query('UPDATE contacts SET status = $2, updated_at = now() WHERE id = $1', [contact.id, status]);

  const excerpt = reply.body.trim().slice(0, 2000);
  await note(
    'replied',
    `Reply (${verdict.intent}, ${Math.round(verdict.confidence * 100)}%): ${excerpt.slice(0, 200)}`,
    {
      intent: verdict.intent,
      confidence: verdict.confidence,
      subject: reply.subject,
      text: excerpt,
      source: reply.source,
    },
  );

  switch (verdict.intent) {
    case 'out_of_office': {
      await addMessageEvent(sql, {
        workspaceId: ws,
        messageId: message.id,
        type: 'replied',
        occurredAt: reply.receivedAt,
        metadata: { intent: verdict.intent, automatic: true },
      });
      if (!running) return { replyId, ...base, action: 'noted', duplicate: false };
      const sequence = await getSequence(sql, enrollment.sequenceId);
      const zone = resolveContactTimezone(contact, sequence?.schedule.timezone ?? 'UTC').zone;
      const until = verdict.returnDate
        ? DateTime.fromISO(verdict.returnDate, { zone }).startOf('day').toJSDate()
        : new Date(now.getTime() + OOO_DEFAULT_DAYS * 86_400_000);
      const resumeAt =
        until.getTime() > now.getTime() ? until : new Date(now.getTime() + OOO_DEFAULT_DAYS * 86_400_000);
      await updateEnrollment(sql, enrollment.id, {
        status: 'paused',
        pauseReason: 'out_of_office',
        pausedUntil: resumeAt,
        nextRunAt: resumeAt,
      });
      await note(
        'paused',
        `Paused until ${resumeAt.toISOString().slice(0, 10)}: out of office${verdict.returnDate ? '' : ' (no return date given: 7 days)'}`,
      );
      input.wake([{ ref: { workspaceId: ws, enrollmentId: enrollment.id }, at: resumeAt }]);
      return { replyId, ...base, returnDate: resumeAt.toISOString().slice(0, 10), action: 'paused', duplicate: false };
    }
    case 'auto_reply':
      return { replyId, ...base, action: 'noted', duplicate: false };
    case 'bounce':
      await addMessageEvent(sql, {
        workspaceId: ws,
        messageId: message.id,
        type: 'bounced',
        occurredAt: reply.receivedAt,
        metadata: { via: 'reply' },
      });
      await sql.query(`UPDATE messages SET status = 'bounced' WHERE id = $1`, [message.id]);
      await suppressContact(sql, ws, { email: contact.email, phone: null, linkedinUrl: null }, 'email', 'hard_bounce');
      await setContactStatus('bounced');
      await stop('bounced');
      await note('bounced', 'The message bounced; the address is suppressed');
      return { replyId, ...base, action: 'bounced', duplicate: false };
    case 'unsubscribe':
      await addMessageEvent(sql, {
        workspaceId: ws,
        messageId: message.id,
        type: 'unsubscribed',
        occurredAt: reply.receivedAt,
        metadata: { via: 'reply' },
      });
      await suppressContact(sql, ws, contact, 'all', 'unsubscribe_reply');
      await setContactStatus('unsubscribed');
      await stop('unsubscribed');
      await note('unsubscribed', 'Asked not to be contacted again: suppressed on every channel');
      return { replyId, ...base, action: 'unsubscribed', duplicate: false };
    default:
      break;
  }

  // A person answered.
  await addMessageEvent(sql, {
    workspaceId: ws,
    messageId: message.id,
    type: 'replied',
    occurredAt: reply.receivedAt,
    metadata: { intent: verdict.intent },
  });
  await setContactStatus(
    POSITIVE_INTENTS.includes(verdict.intent)
      ? 'interested'
      : verdict.intent === 'not_interested'
        ? 'not_interested'
        : 'replied',
  );
  await stop('replied');
  if (running) await note('stopped', 'Sequence stopped: the contact replied');
  return { replyId, ...base, action: 'stopped', duplicate: false };
}

/**
 * outreach/reply.received: what follows a person's reply once the sequence is safely stopped —
 * the hand-off task for positive replies and the colleague rule. Runs once per reply.
 */
export async function routeReply(sql: Sql, replyId: string, now: Date): Promise<void> {
  const { rows } = await sql.query<{
    workspaceId: string;
    enrollmentId: string;
    contactId: string;
    intent: string;
    messageId: string;
  }>(
    `UPDATE replies SET processed_at = $2 WHERE id = $1 AND processed_at IS NULL
     RETURNING workspace_id AS "workspaceId", enrollment_id AS "enrollmentId", contact_id AS "contactId", intent, message_id AS "messageId"`,
    [replyId, now],
  );
  const reply = rows[0];
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
  }
  if (!['out_of_office', 'auto_reply', 'bounce'].includes(reply.intent)) {
    await pauseColleagues(sql, { ws: reply.workspaceId, enrollment, contact, now, note: addActivity });
  }
}

/** The optional account rule: a reply from one person pauses colleagues at the same company domain. */
async function pauseColleagues(
  sql: Sql,
  ctx: {
    ws: string;
    enrollment: { id: string; sequenceId: string };
    contact: { id: string; companyDomain: string | null; firstName: string | null };
    now: Date;
    note: typeof addActivity;
  },
): Promise<void> {
  const sequence = await getSequence(sql, ctx.enrollment.sequenceId);
  if (!sequence?.settings.pauseColleaguesOnReply || !ctx.contact.companyDomain) return;
  const { rows } = await sql.query<{ id: string; contactId: string }>(
    `UPDATE enrollments e SET status = 'paused', pause_reason = 'colleague_replied', paused_until = NULL, next_run_at = NULL, updated_at = now()
       FROM contacts c
      WHERE c.id = e.contact_id AND c.company_domain = $1 AND e.contact_id <> $2 AND e.status = 'active'
      RETURNING e.id, e.contact_id AS "contactId"`,
    [ctx.contact.companyDomain, ctx.contact.id],
  );
  for (const row of rows) {
    await ctx.note(sql, {
      workspaceId: ctx.ws,
      contactId: row.contactId,
      type: 'paused',
      summary: `Paused: a colleague at ${ctx.contact.companyDomain} replied`,
      data: { enrollmentId: row.id, colleagueContactId: ctx.contact.id },
      occurredAt: ctx.now,
    });
  }
}
