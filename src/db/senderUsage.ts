// What a sending account has used: its sends in the windows its caps count (the counters migration
// 006 keeps), its LinkedIn requests, its WhatsApp second and reach, and its pacing slots.
import type { QuotaClass } from '../core/quota.ts';
import { execute, prepare, type Sql } from './database.ts';

export type SenderUsage = { today: number; thisHour: number; thisWeek: number; lastSentAt: Date | null };

// $1 accounts, $2 their timezones, $3 quota class, $4 now.
const SENDER_USAGE = prepare(
  ['uuid[]', 'text[]', 'text', 'timestamptz'],
  `SELECT s.id, q.today, q.hour, q.week, q.last
     FROM unnest($1, $2) AS s (id, zone)
    CROSS JOIN LATERAL qh_sender_usage(s.id, s.zone, $3, $4) AS q`,
);

/**
 * Sends counted against accounts' caps in the windows around `now` (the account's local day, hour
 * and week), read from the counters migration 006 keeps; one query for any number of accounts.
 */
export async function senderUsage(
  sql: Sql,
  senders: readonly { id: string; timezone: string }[],
  quota: QuotaClass,
  now: Date,
  options: { shared?: boolean } = {},
): Promise<Map<string, SenderUsage>> {
  const usage = new Map<string, SenderUsage>();
  if (senders.length === 0) return usage;
  // Counter windows start on whole minutes (the offsets zones use are whole quarter hours), so the
  // minute `now` falls in names the same windows as `now` itself.
  const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const text = execute(SENDER_USAGE, [senders.map((s) => s.id), senders.map((s) => s.timezone), quota, minute]);
  const rows = await (options.shared ? sharedRead(sql, text) : readUsage(sql, text));
  for (const row of rows)
    usage.set(row.id, { today: row.today, thisHour: row.hour, thisWeek: row.week, lastSentAt: row.last });
  return usage;
}

/** When the account's oldest LinkedIn connection request still counted after `since` was reserved (null: none). */
export async function oldestRequestSince(sql: Sql, senderId: string, since: Date): Promise<Date | null> {
  const { rows } = await sql.query<{ at: Date | null }>(
    `SELECT min(reserved_at) AS at FROM messages
      WHERE sender_id = $1 AND reserved_at > $2 AND status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown')
        AND channel = 'linkedin' AND purpose = 'connection_request'`,
    [senderId, since],
  );
  return rows[0]?.at ?? null;
}

type UsageRow = { id: string; today: number; hour: number; week: number; last: Date | null };

async function readUsage(sql: Sql, text: string): Promise<UsageRow[]> {
  const [result] = await sql.batch(text, [SENDER_USAGE]);
  return (result?.rows ?? []) as UsageRow[];
}

/** Usage reads in flight, by statement (the statement names the accounts and the minute). */
const inFlight = new Map<string, Promise<UsageRow[]>>();

/**
 * A read outside any transaction (a peeking decision ranking accounts) that an identical read
 * already in flight answers: under load, every new contact of a minute asks the same question of
 * the same accounts. The answer is as fresh as a read started a moment earlier, which ranking
 * accounts can afford; caps are checked by the reservation itself.
 */
function sharedRead(sql: Sql, text: string): Promise<UsageRow[]> {
  const running = inFlight.get(text);
  if (running) return running;
  const read = readUsage(sql, text).finally(() => inFlight.delete(text));
  inFlight.set(text, read);
  return read;
}

/** Recounts an account's usage counters from its messages (after its timezone, and so its windows, changed). */
export async function rebuildSenderUsage(sql: Sql, id: string): Promise<void> {
  await sql.query('SELECT qh_rebuild_sender_usage($1)', [id]);
}

/**
 * Takes the account's next pacing slot (migration 056) for work that costs `costMs` of its rate:
 * free now, the slot moves on by the cost. Taken, the answer says when to come back: with `reserve`,
 * a slot of its own after those already promised (migration 081), so n waiting steps wake one at a
 * time rather than all at paced_until; without, paced_until (a caller that may never come back).
 * The row is locked first, so workers racing for one account each get their own slot.
 */
export async function takePace(
  sql: Sql,
  id: string,
  input: { now: Date; costMs: number; reserve?: boolean },
): Promise<{ ok: true } | { ok: false; retryAt: Date }> {
  const { rows } = await sql.query<{ pacedUntil: Date | null; queuedUntil: Date | null }>(
    `SELECT paced_until AS "pacedUntil", pace_queued_until AS "queuedUntil" FROM senders WHERE id = $1 FOR UPDATE`,
    [id],
  );
  const row = rows[0];
  if (!row) return { ok: true };
  const { pacedUntil, queuedUntil } = row;
  const now = input.now.getTime();
  if (!pacedUntil || pacedUntil.getTime() <= now) {
    await sql.query('UPDATE senders SET paced_until = $2 WHERE id = $1', [id, new Date(now + input.costMs)]);
    return { ok: true };
  }
  if (!input.reserve) return { ok: false, retryAt: pacedUntil };
  // The slot starts where the last promised one ends (or at paced_until when none is pending).
  const slot = Math.max(pacedUntil.getTime(), queuedUntil?.getTime() ?? 0);
  await sql.query('UPDATE senders SET pace_queued_until = $2 WHERE id = $1', [id, new Date(slot + input.costMs)]);
  return { ok: false, retryAt: new Date(slot) };
}

/** A WhatsApp account's sends in the last second and the people its conversations reached in 24 h (migration 051). */
export async function whatsappUsage(sql: Sql, id: string, now: Date): Promise<{ second: number; reached: number }> {
  const { rows } = await sql.query<{ second: number; reached: number }>(
    'SELECT second, reached FROM qh_whatsapp_usage($1, NULL, $2)',
    [id, now],
  );
  return rows[0] ?? { second: 0, reached: 0 };
}
