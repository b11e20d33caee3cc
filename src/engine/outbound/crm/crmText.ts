// The words a CRM receives: a deal's title, and the note logging a message we sent or a reply we
// received (HTML, as both CRMs render notes), each ending with a reference that finds it again.
import type { Sql } from '../../../db/database.ts';
import { getMessageText } from '../../../db/crmLinks.ts';
import type { EventRow } from '../../../db/outboundDeliveries.ts';

type Data = {
  contact?: { email?: string | null; firstName?: string | null; lastName?: string | null; company?: string | null };
  message?: { id?: string; channel?: string; step?: number };
  reply?: { intent?: string | null; subject?: string | null; body?: string | null };
};

const escapeHtml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
const html = (text: string) => escapeHtml(text.slice(0, 20_000)).replace(/\r?\n/g, '<br>');

/** A single token (HubSpot's CONTAINS_TOKEN search finds it) naming the event. */
export const noteMarker = (eventId: string) => `qhref${eventId.replaceAll('-', '')}`;

export function dealTitle(data: Record<string, unknown>): string {
  const { contact } = data as Data;
  const name = [contact?.firstName, contact?.lastName].filter(Boolean).join(' ') || contact?.email || 'Contact';
  return `${name}${contact?.company ? ` (${contact.company})` : ''} — QuotaHit hand-off`;
}

/** The note for a sent message or a reply; undefined for events that are not logged as notes. */
export async function eventNote(sql: Sql, event: EventRow): Promise<string | undefined> {
  const data = event.data as Data;
  if (event.type === 'contact.replied' && data.reply) {
    const intent = data.reply.intent ? ` (${data.reply.intent.replaceAll('_', ' ')})` : '';
    const subject = data.reply.subject ? `<b>${html(data.reply.subject)}</b><br>` : '';
    return `<b>Reply received${intent}</b><br>${subject}${html(data.reply.body ?? '')}`;
  }
  if (event.type === 'message.sent' && data.message?.id) {
    const message = await getMessageText(sql, data.message.id);
    const subject = message?.subject ? `<b>${html(message.subject)}</b><br>` : '';
    const step = data.message.step === undefined ? '' : `, step ${data.message.step + 1}`;
    return `<b>Sent by QuotaHit (${html(data.message.channel ?? 'message')}${step})</b><br>${subject}${html(message?.body ?? '')}`;
  }
  return undefined;
}
