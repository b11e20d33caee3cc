// Who must never be contacted again, per channel or everywhere. Values are hashed (see 001).
import { hashIdentityValue } from '../core/apiKey.ts';
import type { Sql } from './database.ts';

export type SuppressionKind = 'email' | 'phone' | 'linkedin';

export async function addSuppression(
  sql: Sql,
  s: { workspaceId: string; kind: SuppressionKind; value: string; channel: string; reason: string },
): Promise<void> {
  await sql.query(
    `INSERT INTO suppressions (workspace_id, kind, value_hash, channel, reason) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (workspace_id, kind, value_hash, channel) DO NOTHING`,
    [s.workspaceId, s.kind, hashIdentityValue(s.value), s.channel, s.reason],
  );
}

/** Suppresses every identity of a contact (unsubscribe from everything, complaint). */
export async function suppressContact(
  sql: Sql,
  workspaceId: string,
  contact: { email: string | null; phone: string | null; linkedinUrl: string | null },
  channel: string,
  reason: string,
): Promise<void> {
  const entries: [SuppressionKind, string | null][] = [
    ['email', contact.email],
    ['phone', contact.phone],
    ['linkedin', contact.linkedinUrl],
  ];
  for (const [kind, value] of entries) {
    if (value) await addSuppression(sql, { workspaceId, kind, value, channel, reason });
  }
}
