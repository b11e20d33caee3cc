// Bounce and complaint rates over an account's (or a sequence's) latest sends, for the health
// pause (src/engine/accounts/health.ts), and the pauses themselves.
import type { Sql } from './database.ts';

export type Rates = { sends: number; bounces: number; complaints: number; since: Date | null };

/**
 * Over the last `window` sends reserved since the owner's health_since: how many, how many hard
 * bounces, how many complaints. A sequence counts only the sends of `providers` (those the health
 * screen applies to); an account counts all of its own.
 */
export async function healthRates(
  sql: Sql,
  input: { owner: 'senders' | 'sequences'; id: string; window: number; providers: readonly string[] },
): Promise<Rates> {
  const column = input.owner === 'senders' ? 'sender_id' : 'sequence_id';
  const { rows } = await sql.query<Rates>(
    `WITH owner AS (SELECT health_since FROM ${input.owner} WHERE id = $1),
     recent AS (SELECT id FROM messages WHERE ${column} = $1 AND provider = ANY ($3::text[])
                   AND status IN ('sent', 'delivered', 'bounced')
                   AND reserved_at >= coalesce((SELECT health_since FROM owner), '-infinity')
                 ORDER BY reserved_at DESC LIMIT $2)
     SELECT count(*)::int AS sends,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = r.id
              AND e.event_type = 'bounced' AND coalesce(e.metadata->>'type', 'hard') = 'hard'))::int AS bounces,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = r.id
              AND e.event_type = 'complained'))::int AS complaints,
            (SELECT health_since FROM owner) AS since
       FROM recent r`,
    [input.id, input.window, input.providers],
  );
  return rows[0] ?? { sends: 0, bounces: 0, complaints: 0, since: null };
}

/** Pauses an active account for its health; its display name when it was paused now. */
export async function pauseSenderForHealth(sql: Sql, id: string, reason: string): Promise<string | undefined> {
  const { rows } = await sql.query<{ name: string }>(
    `UPDATE senders SET status = 'paused', status_reason = $2, updated_at = now()
      WHERE id = $1 AND status = 'active' RETURNING coalesce(name, from_email, id::text) AS name`,
    [id, reason],
  );
  return rows[0]?.name;
}

/** Pauses an active sequence for its health; true when it was paused now. */
export async function pauseSequenceForHealth(sql: Sql, id: string, reason: string): Promise<boolean> {
  const { rowCount } = await sql.query(
    `UPDATE sequences SET status = 'paused', status_reason = $2 WHERE id = $1 AND status = 'active'`,
    [id, reason],
  );
  return rowCount === 1;
}

/** Lifts a health (or manual) pause of an account or sequence and restarts its health window at `now`. */
export async function restartHealthWindow(
  sql: Sql,
  owner: 'senders' | 'sequences',
  id: string,
  now: Date,
): Promise<void> {
  await sql.query(`UPDATE ${owner} SET health_since = $2 WHERE id = $1`, [id, now]);
}
