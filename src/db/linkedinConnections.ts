// Where each contact stands with LinkedIn, for the API: none → requested → accepted | declined.
// Read from what the engine already keeps: the contact's accepted connection (linkedin_connected_at,
// set by an Auto Connect "Already in network", the Connections Export, a Message Sender success or
// by hand), its latest connection request that went out (or is going out), and whether that request
// was judged declined (a `connection` event with state declined: no acceptance in time).
import { connectionState, type LinkedinConnection } from '../core/linkedin.ts';
import type { Sql } from './database.ts';

/** Each contact's LinkedIn connection (contacts without a request and not connected: none). */
export async function linkedinConnections<C extends { id: string; linkedinConnectedAt: string | null }>(
  sql: Sql,
  contacts: readonly C[],
): Promise<(C & { linkedinConnection: LinkedinConnection })[]> {
  if (contacts.length === 0) return [];
  // Through enrollments (indexed by contact) to their messages (indexed by enrollment).
  const { rows } = await sql.query<{ contactId: string; requestedAt: string; declinedAt: string | null }>(
    `SELECT DISTINCT ON (e.contact_id) e.contact_id AS "contactId",
            to_json(coalesce(m.sent_at, m.reserved_at)) #>> '{}' AS "requestedAt",
            (SELECT to_json(max(x.occurred_at)) #>> '{}' FROM message_events x
              WHERE x.message_id = m.id AND x.event_type = 'connection' AND x.metadata ->> 'state' = 'declined')
              AS "declinedAt"
       FROM enrollments e JOIN messages m ON m.enrollment_id = e.id
      WHERE e.contact_id = ANY ($1::uuid[]) AND m.channel = 'linkedin' AND m.purpose = 'connection_request'
        AND m.status IN ('sending', 'sent', 'delivered', 'unknown')
      ORDER BY e.contact_id, coalesce(m.sent_at, m.reserved_at) DESC`,
    [contacts.map((c) => c.id)],
  );
  const latest = new Map(rows.map((row) => [row.contactId, row]));
  return contacts.map((c) => ({ ...c, linkedinConnection: connectionState(c.linkedinConnectedAt, latest.get(c.id)) }));
}
