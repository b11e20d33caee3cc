// LinkedIn connection requests nobody answered: a request still pending `days` after it went out
// counts as declined. At each poll of a LinkedIn account the requests that crossed that age become
// `connection` events (state declined), stored and applied like any event the provider reported, so
// the message's history and the contact's timeline say so. They are not withdrawn: the phantoms
// QuotaHit drives have no withdraw action (PROVIDERS.md), and a withdrawn invitation blocks a new
// one to that person for up to three weeks. A message step waiting for the acceptance stops waiting
// at the same age (core/decideNextStep.ts) and takes the sequence's fallback.
import type { KeyedEvent } from '../../core/events.ts';
import type { Sql } from '../../db/database.ts';

/** At most this many requests are marked per poll; the rest at the next. */
const BATCH = 100;
const DAY_MS = 24 * 3600 * 1000;

/** The account's requests pending for `days` or more, not accepted and not yet marked declined. */
export async function expiredRequestEvents(
  sql: Sql,
  input: { senderId: string; now: Date; days: number },
): Promise<KeyedEvent[]> {
  const before = new Date(input.now.getTime() - input.days * DAY_MS);
  const { rows } = await sql.query<{ id: string; url: string | null }>(
    `SELECT m.id, c.linkedin_url AS url FROM messages m JOIN contacts c ON c.id = m.contact_id
      WHERE m.sender_id = $1 AND m.channel = 'linkedin' AND m.purpose = 'connection_request'
        AND m.status IN ('sent', 'delivered') AND m.sent_at <= $2 AND c.linkedin_connected_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = m.id AND e.event_type = 'connection'
                          AND e.metadata ->> 'state' = 'declined')
      ORDER BY m.sent_at LIMIT ${BATCH}`,
    [input.senderId, before],
  );
  return rows.map((row) => ({
    key: `expired:${row.id}`,
    event: {
      type: 'connection',
      state: 'declined',
      via: `no acceptance in ${input.days} days`,
      at: input.now.toISOString(),
      ref: { messageId: row.id, channel: 'linkedin', ...(row.url ? { from: { linkedinUrl: row.url } } : {}) },
    },
  }));
}
