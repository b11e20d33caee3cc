// An account's message templates (WhatsApp), as last synced from the provider. A sync replaces
// what the provider lists; a template registered here that the provider no longer lists is kept
// with the status MISSING (never used: only APPROVED templates go out).
import type { ChannelTemplate } from '../channels/types.ts';
import type { Sql } from './database.ts';

export type SenderTemplateRow = ChannelTemplate & { id: string; registered: boolean; syncedAt: Date };

const COLUMNS = `id, name, language, category, body, status, registered, synced_at AS "syncedAt"`;

export async function listSenderTemplates(sql: Sql, senderId: string): Promise<SenderTemplateRow[]> {
  const { rows } = await sql.query<SenderTemplateRow>(
    `SELECT ${COLUMNS} FROM sender_templates WHERE sender_id = $1 ORDER BY name, language`,
    [senderId],
  );
  return rows;
}

/** Replaces the account's templates with the provider's list, in one statement. */
export async function syncSenderTemplates(
  sql: Sql,
  input: { workspaceId: string; senderId: string; templates: readonly ChannelTemplate[]; now: Date },
): Promise<void> {
  await sql.query(
    `WITH listed AS (
       SELECT * FROM jsonb_to_recordset($3::jsonb) AS t(name text, language text, category text, body text, status text)
     ), upserted AS (
       INSERT INTO sender_templates (workspace_id, sender_id, name, language, category, body, status, synced_at)
       SELECT $1, $2, name, language, coalesce(category, ''), coalesce(body, ''), status, $4 FROM listed
       ON CONFLICT (sender_id, name, language) DO UPDATE
         SET category = excluded.category, body = excluded.body, status = excluded.status, synced_at = excluded.synced_at
       RETURNING id
     ), gone AS (
       DELETE FROM sender_templates s
        WHERE s.sender_id = $2 AND NOT s.registered AND s.id NOT IN (SELECT id FROM upserted)
     )
     UPDATE sender_templates s SET status = 'MISSING', synced_at = $4
      WHERE s.sender_id = $2 AND s.registered AND s.id NOT IN (SELECT id FROM upserted)`,
    [input.workspaceId, input.senderId, JSON.stringify(input.templates), input.now],
  );
}

/** Marks a template as registered here (it then stays listed, MISSING, if the provider drops it). */
export async function markRegistered(sql: Sql, senderId: string, name: string, language: string): Promise<void> {
  await sql.query(
    `UPDATE sender_templates SET registered = true WHERE sender_id = $1 AND name = $2 AND language = $3`,
    [senderId, name, language],
  );
}
