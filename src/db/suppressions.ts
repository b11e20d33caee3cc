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

/** Suppressions that apply to this contact: channel → reason ('all' covers every channel). */
export async function suppressionsFor(
  sql: Sql,
  contact: { email: string | null; phone: string | null; linkedinUrl: string | null },
): Promise<Map<string, string>> {
  const hashes = [contact.email, contact.phone, contact.linkedinUrl]
    .filter((v): v is string => v !== null)
    .map(hashIdentityValue);
  if (hashes.length === 0) return new Map();
  const { rows } = await sql.query<{ channel: string; reason: string }>(
    'SELECT channel, reason FROM suppressions WHERE value_hash = ANY ($1::text[])',
    [hashes],
  );
  return new Map(rows.map((r) => [r.channel, r.reason]));
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
