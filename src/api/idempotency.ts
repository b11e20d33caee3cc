// Idempotency-Key (docs/api.md) on the POST routes that create or start things: a retry with the
// same key and the same request gets the first answer again (Idempotent-Replayed: true) instead of
// a second import, sequence, enrollment, account or execution; while the first is still being
// answered a retry gets 409 with Retry-After; the same key with another request gets 422. Keys
// belong to one workspace and last 24 hours. An answer of 5xx is not kept: the retry runs again.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/database.ts';
import { claimIdempotencyKey, releaseIdempotencyKey, saveIdempotentAnswer } from '../db/idempotencyKeys.ts';
import { ApiError } from './errors.ts';

/** The routes that honour the header (method and route pattern). */
export const IDEMPOTENT_ROUTES = [
  'POST /v1/contacts',
  'POST /v1/sequences',
  'POST /v1/sequences/{id}/enrollments',
  'POST /v1/senders',
  'POST /v1/plans/{id}/execute',
] as const;

const ROUTES = new Set<string>(IDEMPOTENT_ROUTES.map((r) => r.replace(/\{(\w+)\}/g, ':$1')));
const KEY = /^[\x21-\x7e]{1,255}$/;
const KEPT_MS = 24 * 3_600_000;
/** A first request still "running" after this long died with its process: the key is free again. */
const LEASE_MS = 10 * 60_000;

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyKey?: string | undefined;
  }
}

/** What makes two requests "the same": route, path parameters and body (a streamed CSV: its type and length). */
function fingerprintOf(request: FastifyRequest): string {
  const body =
    request.body !== null && typeof request.body === 'object' && 'pipe' in request.body
      ? { stream: request.headers['content-type'], length: request.headers['content-length'] }
      : request.body;
  return createHash('sha256')
    .update(JSON.stringify([request.method, request.routeOptions.url, request.params, body ?? null]))
    .digest('base64url');
}

export function registerIdempotency(app: FastifyInstance, db: Db, now: () => Date): void {
  app.addHook('preHandler', async (request, reply) => {
    if (!ROUTES.has(`${request.method} ${request.routeOptions.url ?? ''}`)) return;
    const key = request.headers['idempotency-key'];
    if (key === undefined) return;
    if (typeof key !== 'string' || !KEY.test(key))
      throw new ApiError(400, 'invalid_request', 'Idempotency-Key: 1 to 255 printable ASCII characters, no spaces');
    const fingerprint = fingerprintOf(request);
    const at = now();
    const claim = await db.tenant(request.workspaceId, (sql) =>
      claimIdempotencyKey(sql, {
        workspaceId: request.workspaceId,
        key,
        fingerprint,
        now: at,
        expiresAt: new Date(at.getTime() + KEPT_MS),
        staleBefore: new Date(at.getTime() - LEASE_MS),
      }),
    );
    if (claim.kind === 'claimed') {
      request.idempotencyKey = key;
      return;
    }
    if (claim.fingerprint !== fingerprint)
      throw new ApiError(
        422,
        'idempotency_key_reused',
        'Idempotency-Key: this key was used with another request (route or body) in the last 24 hours; use a new key',
      );
    if (claim.kind === 'running') {
      void reply.header('retry-after', '1');
      throw new ApiError(
        409,
        'idempotency_key_in_use',
        'Idempotency-Key: the first request with this key is still being answered; retry after Retry-After seconds',
      );
    }
    return reply
      .code(claim.answer.status)
      .header('idempotent-replayed', 'true')
      .type(claim.answer.type ?? 'application/json')
      .send(claim.answer.body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const key = request.idempotencyKey;
    if (!key) return payload;
    request.idempotencyKey = undefined;
    await db.tenant(request.workspaceId, (sql) =>
      reply.statusCode >= 500 || typeof payload !== 'string'
        ? releaseIdempotencyKey(sql, key)
        : saveIdempotentAnswer(sql, key, {
            status: reply.statusCode,
            type: String(reply.getHeader('content-type') ?? 'application/json'),
            body: payload,
          }),
    );
    return payload;
  });
}
