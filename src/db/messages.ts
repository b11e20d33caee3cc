// Messages: one row per enrollment and step, written `sending` before the provider is called.
import type { ProviderId } from '../channels/registry.ts';
import type { Channel } from '../core/channels.ts';
import type { EventRef } from '../core/events.ts';
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
  channel: Channel;
  purpose: string;
  provider: ProviderId;
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
  readAt: Date | null;
};

export const MESSAGE_COLUMNS = `id, workspace_id AS "workspaceId", enrollment_id AS "enrollmentId", contact_id AS "contactId",
  sequence_id AS "sequenceId", step, channel, purpose, provider, sender_id AS "senderId", variant, status, subject, body,
  recipient, rfc_message_id AS "rfcMessageId", provider_message_id AS "providerMessageId",
  provider_thread_id AS "providerThreadId", error, attempts, lease_until AS "leaseUntil", reserved_at AS "reservedAt",
  sent_at AS "sentAt", opened_at AS "openedAt", clicked_at AS "clickedAt", read_at AS "readAt"`;

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

/**
 * The Message-IDs of an account's last messages that went out before `before`, newest first: crash
 * recovery asks the mailbox for them too (found where ours is not, they prove ours never left).
 */
export async function sentEarlierBy(
  sql: Sql,
  input: { senderId: string; before: Date; limit: number },
): Promise<string[]> {
  const { rows } = await sql.query<{ rfc: string }>(
    `SELECT rfc_message_id AS rfc FROM messages
      WHERE sender_id = $1 AND reserved_at < $2 AND status IN ('sent', 'delivered') AND rfc_message_id IS NOT NULL
      ORDER BY reserved_at DESC LIMIT $3`,
    [input.senderId, input.before, input.limit],
  );
  return rows.map((row) => row.rfc);
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
    /** The Message-ID the provider stored, when it replaced ours. */
    rfcMessageId?: string;
    error?: string | null;
    sentAt?: Date;
  },
): Promise<void> {
  await sql.query(
    `UPDATE messages SET status = $2, provider_message_id = coalesce($3, provider_message_id),
       provider_thread_id = coalesce($4, provider_thread_id), error = $5, sent_at = coalesce($6, sent_at), lease_until = NULL,
       rfc_message_id = coalesce($7, rfc_message_id)
     WHERE id = $1`,
    [
      id,
      patch.status,
      patch.providerMessageId ?? null,
      patch.providerThreadId ?? null,
      patch.error ?? null,
      patch.sentAt ?? null,
      patch.rfcMessageId ?? null,
    ],
  );
}

/** A try that does not count toward the message's attempts (a provider's rate limit or quota). */
export async function refundAttempt(sql: Sql, id: string): Promise<void> {
  await sql.query('UPDATE messages SET attempts = greatest(attempts - 1, 0) WHERE id = $1', [id]);
}

/** Moves a message to `status` when it is in one of `from` (statuses only move forward). */
export async function setMessageStatus(
  sql: Sql,
  id: string,
  input: { status: MessageStatus; from: readonly string[]; error?: string },
): Promise<void> {
  await sql.query(
    `UPDATE messages SET status = $2, error = coalesce($4, error), lease_until = NULL
      WHERE id = $1 AND status = ANY ($3::text[])`,
    [id, input.status, input.from, input.error ?? null],
  );
}

/** The person read the message at `at` (the earliest receipt is kept). */
export async function markRead(sql: Sql, id: string, at: Date): Promise<void> {
  await sql.query('UPDATE messages SET read_at = least(coalesce(read_at, $2), $2) WHERE id = $1', [id, at]);
}

/** A person opened (and, with `clicked`, clicked) at `at`: the earliest time of each is kept. */
export async function markSeen(sql: Sql, id: string, at: Date, clicked: boolean): Promise<void> {
  await sql.query(
    `UPDATE messages SET opened_at = least(coalesce(opened_at, $2), $2),
        clicked_at = CASE WHEN $3 THEN least(coalesce(clicked_at, $2), $2) ELSE clicked_at END
      WHERE id = $1`,
    [id, at, clicked],
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The workspace of a message id (tokens and provider ids name messages, not workspaces). System scope. */
export async function workspaceOfMessage(sql: Sql, messageId: string): Promise<string | undefined> {
  if (!UUID.test(messageId)) return undefined;
  const { rows } = await sql.query<{ workspaceId: string }>(
    'SELECT workspace_id AS "workspaceId" FROM messages WHERE id = $1',
    [messageId],
  );
  return rows[0]?.workspaceId;
}

/** What a click on one of the message's links needs: when it was made and the domains it may go to at once. */
export async function clickContextOf(
  sql: Sql,
  messageId: string,
): Promise<{ madeAt: Date; clickDomains: string[]; fromEmail: string | null } | undefined> {
  const { rows } = await sql.query<{ madeAt: Date; clickDomains: string[]; fromEmail: string | null }>(
    `SELECT m.reserved_at AS "madeAt", w.click_domains AS "clickDomains", s.from_email AS "fromEmail"
       FROM messages m JOIN workspaces w ON w.id = m.workspace_id LEFT JOIN senders s ON s.id = m.sender_id
      WHERE m.id = $1`,
    [messageId],
  );
  return rows[0];
}

/** Locks a message and returns its status (settling a reservation once). */
export async function lockMessageStatus(sql: Sql, id: string): Promise<string | undefined> {
  const { rows } = await sql.query<{ status: string }>('SELECT status FROM messages WHERE id = $1 FOR UPDATE', [id]);
  return rows[0]?.status;
}

/**
 * The message of ours an inbound event names, in the caller's workspace: by our id, by the
 * provider's id, by the Message-IDs it points back to (the most specific first), by the provider's
 * thread (replies only: our latest message there), or by who wrote (our latest message to them on
 * that channel through that provider).
 */
export async function findMessageByRef(
  sql: Sql,
  ref: EventRef,
  options: { provider: string; byThread: boolean },
): Promise<string | undefined> {
  if (ref.messageId) {
    const { rows } = await sql.query<{ id: string }>('SELECT id FROM messages WHERE id = $1', [ref.messageId]);
    if (rows[0]) return rows[0].id;
  }
  if (ref.providerMessageId) {
    // A batched launch names several messages: each row of its result is the one sent to its profile.
    const { rows } = await sql.query<{ id: string; recipient: string | null }>(
      'SELECT id, recipient FROM messages WHERE provider = $1 AND provider_message_id = $2 LIMIT 50',
      [options.provider, ref.providerMessageId],
    );
    if (rows.length === 1 && rows[0]) return rows[0].id;
    if (rows.length > 1) {
      const to = ref.from?.linkedinUrl;
      return to ? rows.find((row) => row.recipient === to)?.id : undefined;
    }
  }
  const ids = ref.rfcMessageIds ?? [];
  if (ids.length > 0) {
    const { rows } = await sql.query<{ id: string; rfc: string }>(
      `SELECT id, rfc_message_id AS rfc FROM messages WHERE rfc_message_id = ANY ($1::text[])`,
      [ids],
    );
    for (const id of ids) {
      const found = rows.find((row) => row.rfc === id);
      if (found) return found.id;
    }
  }
  if (ref.providerThreadId && options.byThread) {
    const { rows } = await sql.query<{ id: string }>(
      `SELECT id FROM messages WHERE provider = $1 AND provider_thread_id = $2 ORDER BY step DESC LIMIT 1`,
      [options.provider, ref.providerThreadId],
    );
    if (rows[0]) return rows[0].id;
  }
  const from = ref.from?.phone ?? ref.from?.email ?? ref.from?.linkedinUrl;
  if (from && ref.channel) {
    // Sent from the number the person wrote to first (several numbers may write to one person).
    const { rows } = await sql.query<{ id: string }>(
      `SELECT m.id FROM messages m LEFT JOIN senders s ON s.id = m.sender_id
        WHERE m.provider = $1 AND m.channel = $2 AND m.recipient = $3
          AND m.status IN ('sent', 'delivered', 'unknown', 'failed', 'bounced')
        ORDER BY (s.from_phone IS NOT NULL AND s.from_phone = $4) DESC, m.reserved_at DESC, m.step DESC LIMIT 1`,
      [options.provider, ref.channel, from, ref.to?.phone ?? null],
    );
    if (rows[0]) return rows[0].id;
  }
  return undefined;
}

/** Which of `workspaceIds` (any, when `anyWorkspace`) has a message with this provider id. System scope. */
export async function ownerOfProviderMessage(
  sql: Sql,
  input: { provider: string; providerMessageId: string; workspaceIds: readonly string[]; anyWorkspace: boolean },
): Promise<string | undefined> {
  const { rows } = await sql.query<{ workspaceId: string }>(
    `SELECT workspace_id AS "workspaceId" FROM messages
      WHERE provider = $1 AND provider_message_id = $2 AND ($3 OR workspace_id = ANY ($4::uuid[])) LIMIT 1`,
    [input.provider, input.providerMessageId, input.anyWorkspace, input.workspaceIds],
  );
  return rows[0]?.workspaceId;
}
