// Sending accounts (the spec's outreach_channels): caps, warm-up, status; credentials encrypted.
import type { ProviderId } from '../channels/registry.ts';
import type { Channel } from '../core/channels.ts';
import type { LinkedinAcceptance } from '../core/linkedinAcceptance.ts';
import type { Warmup } from '../core/quota.ts';
import { WHATSAPP_DEFAULT_TIER, WHATSAPP_PER_SECOND } from '../core/whatsappLimits.ts';
import type { Sql } from './database.ts';
import { rebuildSenderUsage } from './senderUsage.ts';

export type SenderStatus = 'active' | 'paused' | 'failing' | 'disconnected';

export type SenderRow = {
  id: string;
  workspaceId: string;
  channel: Channel;
  provider: ProviderId;
  name: string | null;
  fromEmail: string | null;
  fromName: string | null;
  fromPhone: string | null;
  linkedinFree: boolean;
  credentials: Buffer | null;
  dailyLimit: number;
  hourlyLimit: number | null;
  weeklyLimit: number | null;
  minGapSeconds: number;
  /** WhatsApp: people reached by new conversations per moving 24 h (null: unlimited; migration 051). */
  messagingTier: number | null;
  /** WhatsApp: messages per second. */
  perSecondLimit: number;
  warmup: Warmup | null;
  warmupStartedAt: Date;
  timezone: string;
  status: SenderStatus;
  statusReason: string | null;
  /** LinkedIn accounts: the acceptance health of their requests (migration 060); null until judged. */
  linkedinAcceptance: LinkedinAcceptance | null;
  createdAt: Date;
};

export type SenderInput = Omit<
  SenderRow,
  | 'id'
  | 'workspaceId'
  | 'warmupStartedAt'
  | 'status'
  | 'statusReason'
  | 'createdAt'
  | 'linkedinAcceptance'
  | 'messagingTier'
  | 'perSecondLimit'
> & {
  warmupStartedAt: Date;
  /** WhatsApp limits; Meta's entry tier and 80 a second unless given. */
  messagingTier?: number | null;
  perSecondLimit?: number;
  /** Chosen by the caller when the credentials are sealed for this row before it exists. */
  id?: string;
};

export const SENDER_COLUMNS = `id, workspace_id AS "workspaceId", channel, provider, name, from_email AS "fromEmail",
  from_name AS "fromName", from_phone AS "fromPhone", linkedin_free AS "linkedinFree", credentials,
  daily_limit AS "dailyLimit", hourly_limit AS "hourlyLimit", weekly_limit AS "weeklyLimit",
  min_gap_seconds AS "minGapSeconds", messaging_tier AS "messagingTier", per_second_limit AS "perSecondLimit", warmup, warmup_started_at AS "warmupStartedAt", timezone, status,
  status_reason AS "statusReason", linkedin_acceptance AS "linkedinAcceptance", created_at AS "createdAt"`;

export async function insertSender(sql: Sql, workspaceId: string, s: SenderInput): Promise<SenderRow> {
  const { rows } = await sql.query<SenderRow>(
    `INSERT INTO senders (workspace_id, channel, provider, name, from_email, from_name, from_phone, linkedin_free,
       credentials, daily_limit, hourly_limit, weekly_limit, min_gap_seconds, warmup, warmup_started_at, timezone,
       messaging_tier, per_second_limit, id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
       COALESCE($19::uuid, gen_random_uuid()))
     RETURNING ${SENDER_COLUMNS}`,
    [
      workspaceId,
      s.channel,
      s.provider,
      s.name,
      s.fromEmail,
      s.fromName,
      s.fromPhone,
      s.linkedinFree,
      s.credentials,
      s.dailyLimit,
      s.hourlyLimit,
      s.weeklyLimit,
      s.minGapSeconds,
      s.warmup ? JSON.stringify(s.warmup) : null,
      s.warmupStartedAt,
      s.timezone,
      s.messagingTier === undefined ? WHATSAPP_DEFAULT_TIER : s.messagingTier,
      s.perSecondLimit ?? WHATSAPP_PER_SECOND,
      s.id ?? null,
    ],
  );
  return rows[0] as SenderRow;
}

export async function listSenderRows(sql: Sql, filter: { channel?: string } = {}): Promise<SenderRow[]> {
  const { rows } = await sql.query<SenderRow>(
    `SELECT ${SENDER_COLUMNS} FROM senders WHERE deleted_at IS NULL AND ($1::text IS NULL OR channel = $1) ORDER BY created_at, id`,
    [filter.channel ?? null],
  );
  return rows;
}

export async function getSenderRow(
  sql: Sql,
  id: string,
  options: { lock?: boolean } = {},
): Promise<SenderRow | undefined> {
  const { rows } = await sql.query<SenderRow>(
    `SELECT ${SENDER_COLUMNS} FROM senders WHERE id = $1 AND deleted_at IS NULL${options.lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0];
}

export type SenderPatch = Partial<
  Pick<
    SenderRow,
    | 'name'
    | 'fromName'
    | 'dailyLimit'
    | 'hourlyLimit'
    | 'weeklyLimit'
    | 'minGapSeconds'
    | 'messagingTier'
    | 'perSecondLimit'
    | 'warmup'
    | 'timezone'
    | 'credentials'
  >
> & { status?: 'active' | 'paused' };

export async function updateSender(sql: Sql, id: string, patch: SenderPatch): Promise<boolean> {
  const sets: string[] = [];
  const values: unknown[] = [id];
  const columns: Record<string, string> = {
    name: 'name',
    fromName: 'from_name',
    dailyLimit: 'daily_limit',
    hourlyLimit: 'hourly_limit',
    weeklyLimit: 'weekly_limit',
    minGapSeconds: 'min_gap_seconds',
    messagingTier: 'messaging_tier',
    perSecondLimit: 'per_second_limit',
    warmup: 'warmup',
    timezone: 'timezone',
    credentials: 'credentials',
    status: 'status',
  };
  for (const [key, value] of Object.entries(patch)) {
    const column = columns[key];
    if (!column || value === undefined) continue;
    values.push(key === 'warmup' && value !== null ? JSON.stringify(value) : value);
    sets.push(`${column} = $${values.length}`);
  }
  if (patch.status === 'active') sets.push('status_reason = NULL');
  if (patch.status === 'paused') sets.push(`status_reason = 'paused by hand'`);
  sets.push('updated_at = now()');
  const { rowCount } = await sql.query(
    `UPDATE senders SET ${sets.join(', ')} WHERE id = $1 AND deleted_at IS NULL`,
    values,
  );
  // The counters' windows are the account's local day, hour and week: a new timezone moves them.
  if (rowCount === 1 && patch.timezone !== undefined) await rebuildSenderUsage(sql, id);
  return rowCount === 1;
}

/** Marks an account unusable (auth failure, health pause) with the reason people will read. */
export async function setSenderStatus(
  sql: Sql,
  id: string,
  status: SenderStatus,
  reason: string | null,
): Promise<void> {
  await sql.query('UPDATE senders SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1', [
    id,
    status,
    reason,
  ]);
}

/** The provider's own sending limit is reached: the account sends nothing until `until`. */
export async function setSenderLimit(sql: Sql, id: string, until: Date, reason: string): Promise<void> {
  await sql.query(
    `UPDATE senders SET limited_until = $2, limited_reason = $3, updated_at = now()
      WHERE id = $1 AND (limited_until IS NULL OR limited_until <= $2)`,
    [id, until, reason],
  );
}

/** The sending limit in force at `now`, if any. */
export async function senderLimit(
  sql: Sql,
  id: string,
  now: Date,
): Promise<{ until: Date; reason: string | null } | undefined> {
  const { rows } = await sql.query<{ until: Date; reason: string | null }>(
    `SELECT limited_until AS until, limited_reason AS reason FROM senders WHERE id = $1 AND limited_until > $2`,
    [id, now],
  );
  return rows[0];
}

/** Soft delete: messages keep pointing at the account that sent them. */
export async function deleteSender(sql: Sql, id: string): Promise<boolean> {
  const { rowCount } = await sql.query(
    'UPDATE senders SET deleted_at = now(), credentials = NULL WHERE id = $1 AND deleted_at IS NULL',
    [id],
  );
  return rowCount === 1;
}

export type ProviderAccount = { id: string; workspaceId: string; credentials: Buffer };

/**
 * The accounts of a provider that have credentials, across workspaces (system scope): every one,
 * or only those answering to one of `inboundKeys` (the account a webhook request names).
 */
export async function providerAccounts(
  sql: Sql,
  input: { provider: string; inboundKeys?: readonly string[]; statuses?: readonly SenderStatus[] },
): Promise<ProviderAccount[]> {
  const { rows } = await sql.query<ProviderAccount>(
    `SELECT id, workspace_id AS "workspaceId", credentials FROM senders
      WHERE provider = $1 AND deleted_at IS NULL AND credentials IS NOT NULL
        AND ($2::text[] IS NULL OR inbound_key = ANY ($2::text[]))
        AND ($3::text[] IS NULL OR status = ANY ($3::text[]))
      ORDER BY created_at, id`,
    [input.provider, input.inboundKeys ?? null, input.statuses ?? null],
  );
  return rows;
}

/** Stores the key an account's webhooks name it by (see migration 011). */
export async function setInboundKey(sql: Sql, id: string, key: string | null): Promise<void> {
  await sql.query('UPDATE senders SET inbound_key = $2 WHERE id = $1', [id, key]);
}

export async function readPollCursor(sql: Sql, id: string): Promise<Record<string, unknown>> {
  const { rows } = await sql.query<{ cursor: Record<string, unknown> }>(
    'SELECT inbound_cursor AS cursor FROM senders WHERE id = $1',
    [id],
  );
  return rows[0]?.cursor ?? {};
}

export async function savePollCursor(sql: Sql, id: string, cursor: Record<string, unknown>, at: Date): Promise<void> {
  await sql.query(`UPDATE senders SET inbound_cursor = $2, inbound_polled_at = $3 WHERE id = $1`, [
    id,
    JSON.stringify(cursor),
    at,
  ]);
}

/** New credentials from a reconnection: a disconnected account becomes active; a paused one stays paused. */
export async function reconnectSender(sql: Sql, id: string, credentials: Buffer): Promise<void> {
  await sql.query(
    `UPDATE senders SET credentials = $2, updated_at = now(),
            status = CASE WHEN status = 'disconnected' THEN 'active' ELSE status END,
            status_reason = CASE WHEN status = 'disconnected' THEN NULL ELSE status_reason END
      WHERE id = $1`,
    [id, credentials],
  );
}

/** Back to active, its reason cleared (a resume). */
export async function activateSender(sql: Sql, id: string): Promise<void> {
  await sql.query(`UPDATE senders SET status = 'active', status_reason = NULL, updated_at = now() WHERE id = $1`, [id]);
}

/** The account's last `limit` connection requests that went out before `before`: how many were accepted. */
export async function linkedinAcceptanceSample(
  sql: Sql,
  input: { senderId: string; before: Date; limit: number },
): Promise<{ requests: number; accepted: number }> {
  const { rows } = await sql.query<{ requests: number; accepted: number }>(
    `SELECT count(*)::int AS requests, count(c.linkedin_connected_at)::int AS accepted
       FROM (SELECT contact_id FROM messages
              WHERE sender_id = $1 AND channel = 'linkedin' AND purpose = 'connection_request'
                AND status IN ('sent', 'delivered') AND sent_at <= $2
              ORDER BY sent_at DESC LIMIT $3) r
       JOIN contacts c ON c.id = r.contact_id`,
    [input.senderId, input.before, input.limit],
  );
  return rows[0] ?? { requests: 0, accepted: 0 };
}

export async function setLinkedinAcceptance(sql: Sql, id: string, acceptance: LinkedinAcceptance): Promise<void> {
  await sql.query('UPDATE senders SET linkedin_acceptance = $2 WHERE id = $1', [id, JSON.stringify(acceptance)]);
}
