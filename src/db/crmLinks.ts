// The ids a CRM gave a contact (its person/contact and its deal), per CRM target: written once the
// CRM has answered, read before every call so nothing is created twice. A row whose person_id is
// empty is a reservation: one delivery is creating the person; the others wait for it (until the
// reservation is stale, when a crashed worker left it).
import type { Sql } from './database.ts';

export type CrmLink = { personId: string; dealId: string | null };

export async function getCrmLink(
  sql: Sql,
  input: { targetId: string; contactId: string },
): Promise<(CrmLink & { updatedAt: Date }) | undefined> {
  const { rows } = await sql.query<CrmLink & { updatedAt: Date }>(
    `SELECT person_id AS "personId", deal_id AS "dealId", updated_at AS "updatedAt"
       FROM crm_links WHERE target_id = $1 AND contact_id = $2`,
    [input.targetId, input.contactId],
  );
  return rows[0];
}

/** Reserves the creation of the contact's person; false while another delivery's fresh reservation or a link exists. */
export async function reserveCrmLink(
  sql: Sql,
  input: { workspaceId: string; targetId: string; contactId: string; now: Date; staleBefore: Date },
): Promise<boolean> {
  const { rowCount } = await sql.query(
    `INSERT INTO crm_links (workspace_id, target_id, contact_id, person_id, updated_at) VALUES ($1, $2, $3, '', $4)
     ON CONFLICT (target_id, contact_id) DO UPDATE SET updated_at = $4
      WHERE crm_links.person_id = '' AND crm_links.updated_at < $5`,
    [input.workspaceId, input.targetId, input.contactId, input.now, input.staleBefore],
  );
  return (rowCount ?? 0) > 0;
}

export async function saveCrmLink(
  sql: Sql,
  input: { workspaceId: string; targetId: string; contactId: string; personId: string; dealId?: string; now: Date },
): Promise<void> {
  await sql.query(
    `INSERT INTO crm_links (workspace_id, target_id, contact_id, person_id, deal_id, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (target_id, contact_id) DO UPDATE
        SET person_id = excluded.person_id, deal_id = coalesce(excluded.deal_id, crm_links.deal_id),
            updated_at = excluded.updated_at`,
    [input.workspaceId, input.targetId, input.contactId, input.personId, input.dealId ?? null, input.now],
  );
}

/** The text of a message we sent (a CRM note logs it). */
export async function getMessageText(
  sql: Sql,
  messageId: string,
): Promise<{ subject: string | null; body: string | null; sentAt: Date | null } | undefined> {
  const { rows } = await sql.query<{ subject: string | null; body: string | null; sentAt: Date | null }>(
    `SELECT subject, body, sent_at AS "sentAt" FROM messages WHERE id = $1`,
    [messageId],
  );
  return rows[0];
}

/** Drops a reservation whose person could not be created (the next delivery tries again). */
export async function releaseCrmLink(sql: Sql, input: { targetId: string; contactId: string }): Promise<void> {
  await sql.query(`DELETE FROM crm_links WHERE target_id = $1 AND contact_id = $2 AND person_id = ''`, [
    input.targetId,
    input.contactId,
  ]);
}

/** The contact's stage now (a stage sync writes the latest, whatever order its events arrive in). */
export async function getContactStage(sql: Sql, contactId: string): Promise<string | undefined> {
  const { rows } = await sql.query<{ status: string }>(`SELECT status FROM contacts WHERE id = $1`, [contactId]);
  return rows[0]?.status;
}
