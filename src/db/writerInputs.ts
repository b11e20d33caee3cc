// What the writer needs to know beyond the contact: what already went out to this person.
import type { Sql } from './database.ts';

export type SentMessage = { channel: string; purpose: string; subject: string | null; body: string };

/** Messages that (may have) reached the contact, oldest first, across every sequence. */
export async function sentToContact(sql: Sql, contactId: string): Promise<SentMessage[]> {
  const { rows } = await sql.query<SentMessage>(
    `SELECT channel, purpose, subject, body FROM messages
      WHERE contact_id = $1 AND status IN ('sent', 'delivered', 'unknown')
      ORDER BY reserved_at, id`,
    [contactId],
  );
  return rows;
}
