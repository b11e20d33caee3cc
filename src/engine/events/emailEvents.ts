// What an email event does to our records, whatever told us (tracking pixel, click redirect,
// unsubscribe page, Resend webhook, a bounce found in the mailbox). Every function is idempotent
// and order-independent: events dedupe on their key, opened_at/clicked_at keep the earliest human
// hit, statuses only move forward, suppressions are unique. Machine hits are stored, flagged, and
// never touch opened_at/clicked_at (which sequence conditions read).
import { addActivity } from '../../db/activities.ts';
import { getContact, type Contact } from '../../db/contacts.ts';
import type { Sql } from '../../db/database.ts';
import { getEnrollment, updateEnrollment } from '../../db/enrollments.ts';
import { addMessageEvent, getMessage, type MessageRow } from '../../db/messages.ts';
import { suppressContact } from '../../db/suppressions.ts';
import { checkSenderHealth } from '../accounts/health.ts';

export type EmailEvent =
  | { type: 'delivered' }
  | { type: 'opened' | 'clicked'; machine: boolean; machineReason?: string; url?: string; userAgent?: string }
  | { type: 'bounced'; bounceType: 'hard' | 'soft'; reason?: string; via: string }
  | { type: 'complained'; via: string }
  | { type: 'unsubscribed'; everywhere: boolean; via: string };

export type EventApplied = 'applied' | 'duplicate' | 'unknown_message';

/** Applies one event to one of our messages (by id) inside the caller's tenant transaction. */
export async function applyEmailEvent(
  sql: Sql,
  input: { messageId: string; event: EmailEvent; occurredAt: Date; now: Date; eventKey?: string },
): Promise<EventApplied> {
  const { event, occurredAt, now } = input;
  const found = await getMessage(sql, input.messageId);
  if (!found) return 'unknown_message';
  // Lock order: the enrollment first, as everywhere else.
  const enrollment = await getEnrollment(sql, found.enrollmentId, { lock: true });
  const message = (await getMessage(sql, input.messageId)) ?? found;
  const contact = await getContact(sql, message.contactId);
  if (!enrollment || !contact) return 'unknown_message';
  const ws = message.workspaceId;
  const key =
    input.eventKey ?? (event.type === 'unsubscribed' ? `unsubscribe:${message.id}:${event.everywhere}` : undefined);
  const recorded = await addMessageEvent(sql, {
    workspaceId: ws,
    messageId: message.id,
    type: event.type,
    occurredAt,
    machine: 'machine' in event ? event.machine : false,
    ...(key ? { providerEventId: key } : {}),
    metadata: metadataOf(event),
  });
  if (!recorded) return 'duplicate';
  const note = (type: string, summary: string, data: Record<string, unknown> = {}) =>
    addActivity(sql, {
      workspaceId: ws,
      contactId: contact.id,
      type,
      summary,
      data: { enrollmentId: enrollment.id, messageId: message.id, step: message.step, ...data },
      occurredAt: now,
    });
  const stop = async (reason: 'unsubscribed' | 'bounced', summary: string) => {
    if (enrollment.status !== 'active' && enrollment.status !== 'paused') return;
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
    await note('stopped', summary, { reason });
  };

  switch (event.type) {
    case 'delivered':
      await sql.query(`UPDATE messages SET status = 'delivered' WHERE id = $1 AND status = 'sent'`, [message.id]);
      return 'applied';
    case 'opened':
    case 'clicked':
      if (event.machine) return 'applied';
      await sql.query(
        `UPDATE messages SET opened_at = least(coalesce(opened_at, $2), $2),
            clicked_at = CASE WHEN $3 THEN least(coalesce(clicked_at, $2), $2) ELSE clicked_at END
          WHERE id = $1`,
        [message.id, occurredAt, event.type === 'clicked'],
      );
      if (event.type === 'clicked') await note('clicked', `Clicked ${event.url ?? 'a link'} in step ${message.step}`);
      else if (message.openedAt === null) await note('opened', `Opened step ${message.step}`);
      return 'applied';
    case 'bounced':
      if (event.bounceType === 'soft') {
        await note(
          'bounced',
          `Step ${message.step} bounced softly (${event.reason ?? 'temporary'}); nothing suppressed`,
          {
            bounceType: 'soft',
          },
        );
        return 'applied';
      }
      await sql.query(
        `UPDATE messages SET status = 'bounced' WHERE id = $1 AND status IN ('sent', 'delivered', 'unknown')`,
        [message.id],
      );
      await suppressContact(sql, ws, emailOnly(contact), 'email', 'hard_bounce');
      await sql.query(`UPDATE contacts SET status = 'bounced', updated_at = now() WHERE id = $1`, [contact.id]);
      await note(
        'bounced',
        `Step ${message.step} bounced (${event.reason ?? 'hard bounce'}): the address is suppressed`,
        {
          bounceType: 'hard',
          via: event.via,
        },
      );
      await stop('bounced', 'Sequence stopped: the email address bounced');
      await checkSenderHealth(sql, { message: healthRef(message), contactId: contact.id, now });
      return 'applied';
    case 'complained':
      await suppressContact(sql, ws, emailOnly(contact), 'email', 'complaint');
      await sql.query(`UPDATE contacts SET status = 'unsubscribed', updated_at = now() WHERE id = $1`, [contact.id]);
      await note('complained', `Marked step ${message.step} as spam: suppressed for email`, { via: event.via });
      await stop('unsubscribed', 'Sequence stopped: the contact complained');
      await checkSenderHealth(sql, { message: healthRef(message), contactId: contact.id, now });
      return 'applied';
    case 'unsubscribed':
      await suppressContact(
        sql,
        ws,
        event.everywhere ? contact : emailOnly(contact),
        event.everywhere ? 'all' : 'email',
        'unsubscribe_link',
      );
      await sql.query(`UPDATE contacts SET status = 'unsubscribed', updated_at = now() WHERE id = $1`, [contact.id]);
      await note(
        'unsubscribed',
        event.everywhere ? 'Unsubscribed from everything: suppressed on every channel' : 'Unsubscribed from email',
        { via: event.via, everywhere: event.everywhere },
      );
      await stop('unsubscribed', 'Sequence stopped: the contact unsubscribed');
      return 'applied';
  }
}

function emailOnly(contact: Contact) {
  return { email: contact.email, phone: null, linkedinUrl: null };
}

function healthRef(message: MessageRow) {
  return {
    workspaceId: message.workspaceId,
    senderId: message.senderId,
    sequenceId: message.sequenceId,
    enrollmentId: message.enrollmentId,
  };
}

function metadataOf(event: EmailEvent): Record<string, unknown> {
  switch (event.type) {
    case 'delivered':
      return {};
    case 'opened':
    case 'clicked':
      return {
        ...(event.machineReason ? { machineReason: event.machineReason } : {}),
        ...(event.url ? { url: event.url } : {}),
        ...(event.userAgent ? { userAgent: event.userAgent.slice(0, 300) } : {}),
      };
    case 'bounced':
      return {
        type: event.bounceType,
        via: event.via,
        ...(event.reason ? { reason: event.reason.slice(0, 500) } : {}),
      };
    case 'complained':
      return { via: event.via };
    case 'unsubscribed':
      return { via: event.via, everywhere: event.everywhere };
  }
}

/** The workspace of a message id (tokens and provider ids name messages, not workspaces). */
export async function workspaceOfMessage(sql: Sql, messageId: string): Promise<string | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(messageId)) return undefined;
  const { rows } = await sql.query<{ workspaceId: string }>(
    'SELECT workspace_id AS "workspaceId" FROM messages WHERE id = $1',
    [messageId],
  );
  return rows[0]?.workspaceId;
}
