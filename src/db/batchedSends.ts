// The messages of batched sends (engine/accounts/batchedSends.ts; LinkedIn launches today). A
// message waiting for its launch is recorded `sent` with the provider id `queued:<message id>`;
// while its launch is under way the id is `launching:<ms>:<batch>` (so a crash mid-launch is seen,
// and never launched again); once the provider answers, its id for the batch (Phantombuster's
// container id), shared by the batch.
import type { Sql } from './database.ts';

export const QUEUED = 'queued:';
const LAUNCHING = 'launching:';
/** What a result row of a launch records (channels/phantombuster/results.ts). */
const ROW_EVENTS = `('delivered', 'connection', 'failed', 'replied')`;

export type BatchMessage = { id: string; purpose: string; recipient: string | null; body: string };

export const queuedId = (messageId: string) => `${QUEUED}${messageId}`;

/** The purposes of the account's queued messages, oldest first (each goes in batches of its own). */
export async function queuedPurposes(sql: Sql, senderId: string): Promise<string[]> {
  const { rows } = await sql.query<{ purpose: string }>(
    `SELECT purpose FROM messages
      WHERE sender_id = $1 AND status = 'sent' AND provider_message_id LIKE '${QUEUED}%'
      GROUP BY purpose ORDER BY min(reserved_at)`,
    [senderId],
  );
  return rows.map((row) => row.purpose);
}

/** Takes up to `limit` queued messages of the account and of one purpose, oldest first, for one launch. */
export async function takeQueued(
  sql: Sql,
  input: { senderId: string; purpose: string; limit: number; now: Date; batchId: string },
): Promise<{ marker: string; messages: BatchMessage[] }> {
  const marker = `${LAUNCHING}${input.now.getTime()}:${input.batchId}`;
  const { rows } = await sql.query<BatchMessage>(
    // A CTE runs once: an IN (… LIMIT … FOR UPDATE) subquery may be rescanned and take more than the limit.
    `WITH picked AS (SELECT id FROM messages
                      WHERE sender_id = $1 AND status = 'sent' AND provider_message_id LIKE '${QUEUED}%'
                        AND purpose = $2
                      ORDER BY reserved_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
     UPDATE messages m SET provider_message_id = $4 FROM picked WHERE m.id = picked.id
     RETURNING m.id, m.purpose, m.recipient, m.body`,
    [input.senderId, input.purpose, input.limit, marker],
  );
  return { marker, messages: rows };
}

/**
 * When the account's latest launch went out (a batch's launch, or a send of its own) among its
 * messages reserved in the last `within` ms. Read through the sender-usage index: a launch whose
 * messages all failed since does not count (the next one may come sooner, never twice at once).
 */
export async function lastLaunchAt(sql: Sql, input: { senderId: string; since: Date }): Promise<Date | null> {
  const { rows } = await sql.query<{ at: Date | null }>(
    `SELECT max(sent_at) AS at FROM messages
      WHERE sender_id = $1 AND status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown')
        AND reserved_at > $2 AND sent_at IS NOT NULL
        AND provider_message_id NOT LIKE '${QUEUED}%' AND provider_message_id NOT LIKE '${LAUNCHING}%'`,
    [input.senderId, input.since],
  );
  return rows[0]?.at ?? null;
}

/** The launch answered: the batch's messages carry its container id (or go back to the queue). */
export async function settleLaunch(
  sql: Sql,
  input: { marker: string; containerId?: string; failed?: string; now?: Date },
): Promise<void> {
  if (input.containerId)
    await sql.query(`UPDATE messages SET provider_message_id = $2, sent_at = $3 WHERE provider_message_id = $1`, [
      input.marker,
      input.containerId,
      input.now ?? new Date(),
    ]);
  else if (input.failed)
    await sql.query(
      `UPDATE messages SET status = 'failed', error = $2, provider_message_id = NULL WHERE provider_message_id = $1`,
      [input.marker, input.failed],
    );
  else
    await sql.query(`UPDATE messages SET provider_message_id = '${QUEUED}' || id WHERE provider_message_id = $1`, [
      input.marker,
    ]);
}

/** Launches whose answer was lost (a crash mid-call): Phantombuster cannot tell whether they ran. */
export async function abandonLostLaunches(sql: Sql, input: { senderId: string; before: Date }): Promise<number> {
  const { rowCount } = await sql.query(
    `UPDATE messages SET status = 'unknown',
            error = 'the batched launch was under way when the worker stopped: Phantombuster cannot tell whether it ran'
      WHERE sender_id = $1 AND status = 'sent' AND provider_message_id LIKE '${LAUNCHING}%'
        AND split_part(provider_message_id, ':', 2)::bigint < $2`,
    [input.senderId, input.before.getTime()],
  );
  return rowCount ?? 0;
}

/** The rows a batch's spreadsheet lists: its messages, in the token's order, of this workspace only. */
export async function batchRows(
  sql: Sql,
  messageIds: readonly string[],
): Promise<{ profileUrl: string; message: string }[]> {
  const { rows } = await sql.query<{ profileUrl: string; message: string }>(
    `SELECT recipient AS "profileUrl", body AS message FROM messages
      WHERE id = ANY ($1::uuid[]) AND channel = 'linkedin' AND recipient IS NOT NULL
      ORDER BY array_position($1::uuid[], id)`,
    [messageIds],
  );
  return rows;
}

/** Every message a provider id names (a batched launch names several). */
export async function messagesOfProviderId(sql: Sql, provider: string, providerMessageId: string): Promise<string[]> {
  const { rows } = await sql.query<{ id: string }>(
    `SELECT id FROM messages WHERE provider = $1 AND provider_message_id = $2 ORDER BY reserved_at, id`,
    [provider, providerMessageId],
  );
  return rows.map((row) => row.id);
}

/** The messages a provider id names that have no outcome of their own yet (a batch that ended without them). */
export async function unsettledOfProviderId(sql: Sql, provider: string, providerMessageId: string): Promise<string[]> {
  const { rows } = await sql.query<{ id: string }>(
    `SELECT m.id FROM messages m
      WHERE m.provider = $1 AND m.provider_message_id = $2 AND m.status = 'sent'
        AND NOT EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = m.id AND e.event_type IN ${ROW_EVENTS})
      ORDER BY m.reserved_at, m.id LIMIT 100`,
    [provider, providerMessageId],
  );
  return rows.map((row) => row.id);
}

/**
 * Messages of a batched launch whose container was read (another message of the launch has a
 * result) and that have no result row of their own: the phantom finished without reaching them.
 */
export async function unreportedBatchMessages(sql: Sql, senderId: string): Promise<string[]> {
  const { rows } = await sql.query<{ id: string }>(
    `SELECT m.id FROM messages m
      WHERE m.sender_id = $1 AND m.status = 'sent'
        AND m.provider_message_id NOT LIKE '${QUEUED}%' AND m.provider_message_id NOT LIKE '${LAUNCHING}%'
        AND NOT EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = m.id AND e.event_type IN ${ROW_EVENTS})
        AND EXISTS (SELECT 1 FROM messages s JOIN message_events e ON e.message_id = s.id
                     WHERE s.sender_id = m.sender_id AND s.provider = m.provider
                       AND s.provider_message_id = m.provider_message_id AND s.id <> m.id
                       AND e.event_type IN ${ROW_EVENTS})
      ORDER BY m.reserved_at LIMIT 100`,
    [senderId],
  );
  return rows.map((row) => row.id);
}
