// Messages: one row per enrollment and step, written `sending` before the provider is called.
import { encodeIdCursor } from './cursor.ts';
import type { Sql } from './database.ts';

export type MessageStatus =
  'sending' | 'deferred' | 'sent' | 'delivered' | 'failed' | 'bounced' | 'unknown' | 'cancelled';

export type MessageRow = {
  id: string;
  workspaceId: string;
  enrollmentId: string;
  contactId: string;
  sequenceId: string;
  step: number;
  channel: string;
  purpose: string;
  provider: string;
  senderId: string | null;
  variant: number;
  status: MessageStatus;
  subject: string | null;
  body: string;
  recipient: string | null;
  rfcMessageId: string | null;
  providerMessageId: string | null;
  providerThreadId: string | null;
  error: string | null;
  attempts: number;
  leaseUntil: Date | null;
  reservedAt: Date;
  sentAt: Date | null;
  openedAt: Date | null;
  clickedAt: Date | null;
};

export const MESSAGE_COLUMNS = `id, workspace_id AS "workspaceId", enrollment_id AS "enrollmentId", contact_id AS "contactId",
  sequence_id AS "sequenceId", step, channel, purpose, provider, sender_id AS "senderId", variant, status, subject, body,
  recipient, rfc_message_id AS "rfcMessageId", provider_message_id AS "providerMessageId",
  provider_thread_id AS "providerThreadId", error, attempts, lease_until AS "leaseUntil", reserved_at AS "reservedAt",
  sent_at AS "sentAt", opened_at AS "openedAt", clicked_at AS "clickedAt"`;

export async function messagesOfEnrollment(sql: Sql, enrollmentId: string): Promise<MessageRow[]> {
  const { rows } = await sql.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE enrollment_id = $1 ORDER BY step`,
    [enrollmentId],
  );
  return rows;
}

export async function getMessage(sql: Sql, id: string): Promise<MessageRow | undefined> {
  const { rows } = await sql.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1`, [id]);
  return rows[0];
}

export type Reservation = Pick<
  MessageRow,
  | 'id'
  | 'workspaceId'
  | 'enrollmentId'
  | 'contactId'
  | 'sequenceId'
  | 'step'
  | 'channel'
  | 'purpose'
  | 'provider'
  | 'senderId'
  | 'variant'
  | 'subject'
  | 'body'
  | 'recipient'
  | 'rfcMessageId'
  | 'providerThreadId'
> & { recipientDomain: string | null; leaseUntil: Date; reservedAt: Date; writer: unknown };

/** Takes an unconfirmed reservation over for a reconciliation, under a fresh lease. */
export async function renewLease(sql: Sql, id: string, leaseUntil: Date): Promise<void> {
  await sql.query(`UPDATE messages SET lease_until = $2 WHERE id = $1 AND status = 'sending'`, [id, leaseUntil]);
}

export async function markMessage(
  sql: Sql,
  id: string,
  patch: {
    status: MessageStatus;
    providerMessageId?: string;
    providerThreadId?: string;
    error?: string | null;
    sentAt?: Date;
  },
): Promise<void> {
  await sql.query(
    `UPDATE messages SET status = $2, provider_message_id = coalesce($3, provider_message_id),
       provider_thread_id = coalesce($4, provider_thread_id), error = $5, sent_at = coalesce($6, sent_at), lease_until = NULL
     WHERE id = $1`,
    [
      id,
      patch.status,
      patch.providerMessageId ?? null,
      patch.providerThreadId ?? null,
      patch.error ?? null,
      patch.sentAt ?? null,
    ],
  );
}

export async function addMessageEvent(
  sql: Sql,
  e: {
    workspaceId: string;
    messageId: string;
    type: string;
    occurredAt: Date;
    machine?: boolean;
    providerEventId?: string;
    metadata?: unknown;
  },
): Promise<boolean> {
  const { rowCount } = await sql.query(
    `INSERT INTO message_events (workspace_id, message_id, event_type, machine, provider_event_id, metadata, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (workspace_id, provider_event_id) DO NOTHING`,
    [
      e.workspaceId,
      e.messageId,
      e.type,
      e.machine ?? false,
      e.providerEventId ?? null,
      JSON.stringify(e.metadata ?? {}),
      e.occurredAt,
    ],
  );
  return rowCount === 1;
}

export type MessageFilter = {
  contactId?: string;
  enrollmentId?: string;
  status?: MessageStatus;
  channel?: string;
  limit: number;
  afterId?: string;
};

export async function listMessages(
  sql: Sql,
  f: MessageFilter,
): Promise<{ data: MessageRow[]; nextCursor: string | null }> {
  const { rows } = await sql.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages
      WHERE ($1::uuid IS NULL OR contact_id = $1) AND ($2::uuid IS NULL OR enrollment_id = $2)
        AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR channel = $4)
        AND ($5::uuid IS NULL OR id > $5)
      ORDER BY id LIMIT $6`,
    [f.contactId ?? null, f.enrollmentId ?? null, f.status ?? null, f.channel ?? null, f.afterId ?? null, f.limit + 1],
  );
  const data = rows.slice(0, f.limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > f.limit && last ? encodeIdCursor(last.id) : null };
}
