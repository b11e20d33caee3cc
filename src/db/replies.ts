// Replies: what a contact answered to one of our messages, classified. Unique per provider event
// (a redelivered reply is the same row); routing what follows a reply happens once per row.
import type { ReplyClassification } from '../core/replyHeuristics.ts';
import type { Sql } from './database.ts';

export type ReplyInput = {
  workspaceId: string;
  messageId: string;
  enrollmentId: string;
  contactId: string;
  source: string;
  subject: string | null;
  body: string;
  verdict: ReplyClassification;
  providerEventId: string | null;
  receivedAt: Date;
};

/** The new reply's id, or undefined when this provider event was already stored. */
export async function insertReply(sql: Sql, r: ReplyInput): Promise<string | undefined> {
  const { rows } = await sql.query<{ id: string }>(
    `INSERT INTO replies (workspace_id, message_id, enrollment_id, contact_id, source, subject, body, intent, confidence,
       return_date, referral, provider_event_id, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (workspace_id, provider_event_id) DO NOTHING RETURNING id`,
    [
      r.workspaceId,
      r.messageId,
      r.enrollmentId,
      r.contactId,
      r.source,
      r.subject,
      r.body,
      r.verdict.intent,
      r.verdict.confidence,
      r.verdict.returnDate ?? null,
      r.verdict.referral ? JSON.stringify(r.verdict.referral) : null,
      r.providerEventId,
      r.receivedAt,
    ],
  );
  return rows[0]?.id;
}

export type ReplyToRoute = {
  workspaceId: string;
  enrollmentId: string;
  contactId: string;
  intent: string;
  messageId: string;
};

/** Marks a reply routed; undefined when it already was (the job runs once per reply). */
export async function takeReplyForRouting(sql: Sql, id: string, now: Date): Promise<ReplyToRoute | undefined> {
  const { rows } = await sql.query<ReplyToRoute>(
    `UPDATE replies SET processed_at = $2 WHERE id = $1 AND processed_at IS NULL
     RETURNING workspace_id AS "workspaceId", enrollment_id AS "enrollmentId", contact_id AS "contactId", intent,
               message_id AS "messageId"`,
    [id, now],
  );
  return rows[0];
}
