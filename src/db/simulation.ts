// What a simulation reads: the contacts it runs (by ids or tag, in pages) and the accounts' recent
// sends (their usage at the start).
import type { Sql } from './database.ts';

export type SimulatedContact = {
  id: string;
  email?: string | null;
  phone?: string | null;
  linkedinUrl?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  timezone?: string | null;
  country?: string | null;
  city?: string | null;
  whatsappOptIn?: boolean | null;
  smsOptIn?: boolean | null;
  [field: string]: unknown;
};

/** One page of the contacts to simulate, after `afterId` in id order. */
export async function simulationContacts(
  sql: Sql,
  input: { ids?: string[]; tag?: string; afterId?: string; limit: number },
): Promise<SimulatedContact[]> {
  const { rows } = await sql.query<SimulatedContact>(
    `SELECT id, email, phone, linkedin_url AS "linkedinUrl", first_name AS "firstName", last_name AS "lastName", timezone,
            country, city, whatsapp_opt_in AS "whatsappOptIn", sms_opt_in AS "smsOptIn", company, title, tags, enrichment, custom,
            linkedin_connected_at AS "linkedinConnectedAt"
       FROM contacts WHERE ($1::uuid[] IS NULL OR id = ANY ($1::uuid[])) AND ($2::text IS NULL OR $2 = ANY (tags))
        AND ($3::uuid IS NULL OR id > $3)
       ORDER BY id LIMIT $4`,
    [input.ids ?? null, input.tag ?? null, input.afterId ?? null, input.limit],
  );
  return rows;
}

/** Each account's sends of the last eight days before `start` (what its caps count at the start). */
export async function recentSends(sql: Sql, senderIds: readonly string[], start: Date): Promise<Map<string, Date[]>> {
  const { rows } = await sql.query<{ senderId: string; at: Date }>(
    `SELECT sender_id AS "senderId", reserved_at AS at FROM messages WHERE sender_id = ANY ($1::uuid[]) AND reserved_at >= $2
        AND status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown') ORDER BY reserved_at`,
    [senderIds, new Date(start.getTime() - 8 * 86_400_000)],
  );
  const usage = new Map<string, Date[]>(senderIds.map((id) => [id, []]));
  for (const row of rows) usage.get(row.senderId)?.push(row.at);
  return usage;
}
