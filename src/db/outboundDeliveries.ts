// The outbox's deliveries: one per (event, target). Claimed across workspaces with a lease (a
// worker killed mid-delivery leaves it to be claimed again once the lease ends), each attempt
// logged, the result written only by the claim that made it.
import { cursorTimestamp, encodeCursor, type Cursor } from './cursor.ts';
import type { Sql } from './database.ts';

export type ClaimedDelivery = {
  id: string;
  workspaceId: string;
  eventId: string;
  targetId: string;
  attempts: number;
  progress: Record<string, unknown>;
};

/** Takes up to `limit` due deliveries of enabled targets; each attempt counts from here. */
export async function claimDeliveries(
  sql: Sql,
  input: { now: Date; leaseUntil: Date; limit: number },
): Promise<ClaimedDelivery[]> {
  const { rows } = await sql.query<ClaimedDelivery>(
    `UPDATE outbound_deliveries d SET attempts = d.attempts + 1, lease_until = $2, last_attempt_at = $1
      WHERE d.id IN (
        SELECT d2.id FROM outbound_deliveries d2
          JOIN outbound_targets t ON t.id = d2.target_id AND t.status = 'enabled'
         WHERE d2.status = 'pending' AND (d2.next_attempt_at IS NULL OR d2.next_attempt_at <= $1)
           AND (d2.lease_until IS NULL OR d2.lease_until <= $1)
         ORDER BY d2.next_attempt_at NULLS FIRST, d2.created_at
         LIMIT $3
         FOR UPDATE OF d2 SKIP LOCKED)
      RETURNING d.id, d.workspace_id AS "workspaceId", d.event_id AS "eventId", d.target_id AS "targetId",
                d.attempts, d.progress`,
    [input.now, input.leaseUntil, input.limit],
  );
  return rows;
}

export type EventRow = { id: string; type: string; data: Record<string, unknown>; occurredAt: Date };

export async function getOutboundEvent(sql: Sql, id: string): Promise<EventRow | undefined> {
  const { rows } = await sql.query<EventRow>(
    `SELECT id, type, data, occurred_at AS "occurredAt" FROM outbound_events WHERE id = $1`,
    [id],
  );
  return rows[0];
}

/** Saves what a multi-call delivery has done so far (a crash resumes from here). */
export async function saveProgress(
  sql: Sql,
  input: { id: string; attempts: number; progress: Record<string, unknown> },
): Promise<void> {
  await sql.query(`UPDATE outbound_deliveries SET progress = $3 WHERE id = $1 AND attempts = $2`, [
    input.id,
    input.attempts,
    JSON.stringify(input.progress),
  ]);
}

/** The result of the attempt `attempts`; a late result from a claim that lost its lease is dropped. */
export async function recordAttempt(
  sql: Sql,
  input: {
    delivery: ClaimedDelivery;
    attemptedAt: Date;
    durationMs: number;
    statusCode: number | null;
    error: string | null;
    outcome: 'succeeded' | 'pending' | 'failed';
    nextAttemptAt: Date | null;
  },
): Promise<boolean> {
  const { delivery } = input;
  const { rowCount } = await sql.query(
    `UPDATE outbound_deliveries SET status = $3, next_attempt_at = $4, lease_until = NULL, last_status = $5,
            last_error = $6, delivered_at = CASE WHEN $3 = 'succeeded' THEN $7::timestamptz END
      WHERE id = $1 AND attempts = $2 AND status = 'pending'`,
    [
      delivery.id,
      delivery.attempts,
      input.outcome,
      input.nextAttemptAt,
      input.statusCode,
      input.error,
      input.attemptedAt,
    ],
  );
  if (!rowCount) return false;
  await sql.query(
    `INSERT INTO outbound_attempts (workspace_id, delivery_id, attempt, attempted_at, status_code, error, duration_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      delivery.workspaceId,
      delivery.id,
      delivery.attempts,
      input.attemptedAt,
      input.statusCode,
      input.error,
      Math.round(input.durationMs),
    ],
  );
  return true;
}

export type DeliveryView = {
  id: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
  payload: Record<string, unknown>;
};

const iso = (column: string) => `to_json(${column}) #>> '{}'`;

export async function listDeliveries(
  sql: Sql,
  input: { targetId: string; limit: number; cursor?: Cursor; status?: string },
): Promise<{ data: DeliveryView[]; nextCursor: string | null }> {
  const { rows } = await sql.query<DeliveryView & { cursorAt: string }>(
    `SELECT d.id, d.event_id AS "eventId", e.type AS "eventType", d.status, d.attempts, d.last_status AS "lastStatus",
            d.last_error AS "lastError", ${iso('d.last_attempt_at')} AS "lastAttemptAt",
            ${iso('d.next_attempt_at')} AS "nextAttemptAt", ${iso('d.delivered_at')} AS "deliveredAt",
            ${iso('d.created_at')} AS "createdAt",
            jsonb_build_object('type', e.type, 'timestamp', e.occurred_at, 'data', e.data) AS payload,
            ${cursorTimestamp('d.created_at')} AS "cursorAt"
       FROM outbound_deliveries d JOIN outbound_events e ON e.id = d.event_id
      WHERE d.target_id = $1 AND ($2::text IS NULL OR d.status = $2)
        AND ($3::timestamptz IS NULL OR (d.created_at, d.id) < ($3::timestamptz, $4::uuid))
      ORDER BY d.created_at DESC, d.id DESC
      LIMIT $5`,
    [input.targetId, input.status ?? null, input.cursor?.at ?? null, input.cursor?.id ?? null, input.limit + 1],
  );
  const data = rows.slice(0, input.limit);
  const last = data[data.length - 1];
  return {
    data: data.map(({ cursorAt: _, ...row }) => row),
    nextCursor: rows.length > input.limit && last ? encodeCursor({ at: last.cursorAt, id: last.id }) : null,
  };
}

/** A manual retry: the delivery is due at once, whatever it ended as; attempts go on counting. */
export async function retryDelivery(
  sql: Sql,
  input: { targetId: string; deliveryId: string },
): Promise<'retrying' | 'not_found' | 'in_flight'> {
  const { rows } = await sql.query<{ inFlight: boolean }>(
    `SELECT status = 'pending' AND lease_until IS NOT NULL AS "inFlight"
       FROM outbound_deliveries WHERE id = $1 AND target_id = $2 FOR UPDATE`,
    [input.deliveryId, input.targetId],
  );
  const found = rows[0];
  if (!found) return 'not_found';
  if (found.inFlight) return 'in_flight';
  await sql.query(
    `UPDATE outbound_deliveries SET status = 'pending', next_attempt_at = NULL, lease_until = NULL WHERE id = $1`,
    [input.deliveryId],
  );
  return 'retrying';
}
