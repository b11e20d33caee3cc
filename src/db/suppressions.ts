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

/** Lifts a contact's suppressions on one channel that were made for these reasons (an SMS START lifts a STOP). */
export async function liftSuppressions(
  sql: Sql,
  workspaceId: string,
  contact: { email: string | null; phone: string | null; linkedinUrl: string | null },
  channel: string,
  reasons: readonly string[],
): Promise<void> {
  const hashes = [contact.email, contact.phone, contact.linkedinUrl]
    .filter((value): value is string => value !== null)
    .map((value) => hashIdentityValue(value));
  if (hashes.length === 0) return;
  await sql.query(
    `DELETE FROM suppressions WHERE workspace_id = $1 AND channel = $2 AND reason = ANY ($3::text[])
        AND value_hash = ANY ($4::text[])`,
    [workspaceId, channel, reasons, hashes],
  );
}

/** Why a contact must not be written to on `channel` (suppressed there or everywhere), or undefined. */
export async function suppressionOf(
  sql: Sql,
  contact: { email: string | null; phone: string | null; linkedinUrl: string | null },
  channel: string,
): Promise<string | undefined> {
  const hashes = [contact.email, contact.phone, contact.linkedinUrl].flatMap((v) => (v ? [hashIdentityValue(v)] : []));
  if (hashes.length === 0) return undefined;
  const { rows } = await sql.query<{ reason: string }>(
    `SELECT reason FROM suppressions WHERE value_hash = ANY($1) AND channel IN ($2, 'all')
      ORDER BY channel = 'all' DESC LIMIT 1`,
    [hashes, channel],
  );
  return rows[0]?.reason;
}
