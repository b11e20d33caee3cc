// What preparing a message needs to know of its conversation, in one statement: the workspace's
// name and postal address, the sequence's settings, the earlier messages of this enrollment on this
// channel from the same account that went out, and the contact's last inbound message there.
import type { Conversation } from '../channels/types.ts';
import type { Sql } from './database.ts';
import type { MessageRow } from './messages.ts';

export type ConversationRow = {
  name: string;
  postalAddress: string | null;
  offer: string | null;
  settings: Record<string, unknown>;
  earlier: Conversation['earlier'];
  lastInboundAt: Date | null;
};

export async function conversationOf(
  sql: Sql,
  message: Pick<
    MessageRow,
    'workspaceId' | 'enrollmentId' | 'step' | 'senderId' | 'sequenceId' | 'channel' | 'contactId'
  >,
): Promise<ConversationRow | undefined> {
  const { rows } = await sql.query<ConversationRow>(
    `SELECT w.name, w.postal_address AS "postalAddress", w.offer, s.settings,
            coalesce((SELECT json_agg(json_build_object('messageId', m.id, 'rfcMessageId', m.rfc_message_id,
                        'subject', m.subject, 'providerMessageId', m.provider_message_id,
                        'providerThreadId', m.provider_thread_id) ORDER BY m.step)
                        FROM messages m
                       WHERE m.enrollment_id = $2 AND m.channel = $6 AND m.step < $3
                         AND m.sender_id IS NOT DISTINCT FROM $4 AND m.status IN ('sent', 'delivered')), '[]') AS earlier,
            (SELECT max(r.received_at) FROM replies r JOIN messages m ON m.id = r.message_id
              WHERE r.contact_id = $7 AND m.channel = $6) AS "lastInboundAt"
       FROM workspaces w, sequences s WHERE w.id = $1 AND s.id = $5`,
    [
      message.workspaceId,
      message.enrollmentId,
      message.step,
      message.senderId,
      message.sequenceId,
      message.channel,
      message.contactId,
    ],
  );
  return rows[0];
}

/** Stores what preparing decided before the provider is called (so a reply or bounce can be matched). */
export async function recordPrepared(
  sql: Sql,
  messageId: string,
  record: { rfcMessageId?: string; subject?: string; body?: string },
): Promise<void> {
  await sql.query(
    `UPDATE messages SET rfc_message_id = coalesce($2, rfc_message_id), subject = coalesce($3, subject),
            body = coalesce($4, body) WHERE id = $1`,
    [messageId, record.rfcMessageId ?? null, record.subject ?? null, record.body ?? null],
  );
}
