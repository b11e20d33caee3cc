// Idempotency keys (migration 078): claimed by the first request, answered once, replayed after.
import type { Sql } from './database.ts';

export type StoredAnswer = { status: number; type: string | null; body: string };

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'running'; fingerprint: string }
  | { kind: 'done'; fingerprint: string; answer: StoredAnswer };

/**
 * Claims `key` for a request: a new key, one past its expiry, or one whose first request has run
 * longer than `staleBefore` allows (its process died) is taken; otherwise what the key holds.
 */
export async function claimIdempotencyKey(
  sql: Sql,
  input: { workspaceId: string; key: string; fingerprint: string; now: Date; expiresAt: Date; staleBefore: Date },
): Promise<Claim> {
  const claimed = await sql.query(
    `INSERT INTO idempotency_keys (workspace_id, key, fingerprint, started_at, expires_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (workspace_id, key) DO UPDATE
       SET fingerprint = EXCLUDED.fingerprint, status = 'running', response_status = NULL,
           response_type = NULL, response_body = NULL, started_at = EXCLUDED.started_at,
           expires_at = EXCLUDED.expires_at
       WHERE idempotency_keys.expires_at <= $4
          OR (idempotency_keys.status = 'running' AND idempotency_keys.started_at < $6)
     RETURNING 1`,
    [input.workspaceId, input.key, input.fingerprint, input.now, input.expiresAt, input.staleBefore],
  );
  if (claimed.rows.length > 0) return { kind: 'claimed' };
  const { rows } = await sql.query<{
    fingerprint: string;
    status: string;
    responseStatus: number | null;
    responseType: string | null;
    responseBody: string | null;
  }>(
    `SELECT fingerprint, status, response_status AS "responseStatus", response_type AS "responseType",
            response_body AS "responseBody"
       FROM idempotency_keys WHERE key = $1`,
    [input.key],
  );
  const row = rows[0];
  if (!row || row.status !== 'done') return { kind: 'running', fingerprint: row?.fingerprint ?? input.fingerprint };
  return {
    kind: 'done',
    fingerprint: row.fingerprint,
    answer: { status: row.responseStatus ?? 200, type: row.responseType, body: row.responseBody ?? '' },
  };
}

export async function saveIdempotentAnswer(sql: Sql, key: string, answer: StoredAnswer): Promise<void> {
  await sql.query(
    `UPDATE idempotency_keys SET status = 'done', response_status = $2, response_type = $3, response_body = $4
      WHERE key = $1`,
    [key, answer.status, answer.type, answer.body],
  );
}

/** Frees a key whose request failed on our side (5xx): a retry runs again. */
export async function releaseIdempotencyKey(sql: Sql, key: string): Promise<void> {
  await sql.query('DELETE FROM idempotency_keys WHERE key = $1', [key]);
}

/** Keys past their 24 hours (all workspaces). */
export async function deleteExpiredIdempotencyKeys(sql: Sql, now: Date): Promise<number> {
  return (await sql.query('DELETE FROM idempotency_keys WHERE expires_at <= $1', [now])).rowCount ?? 0;
}
