// Every /v1 request is scoped to one workspace by either a Bearer API key or a dashboard session
// cookie. Cookie-authenticated requests that change state must echo the session's CSRF token in
// X-CSRF-Token (the cookie is SameSite=Lax as well). Neither credential → 401 JSON, never a redirect.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_KEY_PATTERN } from '../core/apiKey.ts';
import type { Db } from '../db/database.ts';
import type { MemberRole } from '../db/members.ts';
import { findSession } from '../db/sessions.ts';
import { authenticateApiKey } from '../db/workspaces.ts';
import { sha256 } from '../engine/memberAccess.ts';
import { ApiError } from './errors.ts';

export const SESSION_COOKIE = 'qh_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Query parameter names that only a credential would use (compared lower-case, `-` as `_`). */
const CREDENTIAL_PARAMS = new Set([
  'apikey',
  'api_key',
  'key',
  'token',
  'access_token',
  'auth',
  'authorization',
  'bearer',
]);
const API_KEY_IN_TEXT = /qh_[A-Za-z0-9_-]{43}/;

/**
 * API keys travel only in the Authorization header: a URL is written to access logs, proxies and
 * browser history. Any query value shaped like an API key (any route), or a credential-named
 * parameter on /v1, is refused with 400 before anything else looks at the request.
 */
export async function rejectKeysInUrl(request: FastifyRequest): Promise<void> {
  const query = request.query;
  if (!query || typeof query !== 'object') return;
  const onApi = request.url.startsWith('/v1/') || request.url.startsWith('/v1?');
  for (const [name, value] of Object.entries(query as Record<string, unknown>)) {
    const values = (Array.isArray(value) ? value : [value]).map(String);
    const named = onApi && CREDENTIAL_PARAMS.has(name.toLowerCase().replaceAll('-', '_'));
    if (named || values.some((v) => API_KEY_IN_TEXT.test(v)))
      throw new ApiError(
        400,
        'api_key_in_query',
        `API keys are accepted only in the Authorization header ("Authorization: Bearer <apiKey>"), never in the URL: remove "${name}" from the query string. A key sent in a URL may have been logged on the way: revoke it and use a new one`,
      );
  }
}

/** Who is asking: an API key (acts with the owner's rights) or a signed-in member. */
export type Principal =
  | { kind: 'key'; keyId: string }
  | { kind: 'member'; memberId: string; role: MemberRole; sessionId: string; csrfToken: string };

declare module 'fastify' {
  interface FastifyRequest {
    workspaceId: string;
    principal: Principal;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return decodeURIComponent(part.slice(index + 1).trim());
  }
  return undefined;
}

export function authenticate(db: Db, now: () => Date = () => new Date()) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match || !match[1])
        throw new ApiError(401, 'unauthorized', 'Authorization header must be "Bearer <apiKey>"');
      const key = match[1];
      const found = API_KEY_PATTERN.test(key) ? await authenticateApiKey(db, key) : undefined;
      if (!found) throw new ApiError(401, 'unauthorized', 'API key is invalid or has been revoked');
      request.workspaceId = found.workspaceId;
      request.principal = { kind: 'key', keyId: found.keyId };
      return;
    }
    const cookie = readCookie(request, SESSION_COOKIE);
    if (!cookie)
      throw new ApiError(401, 'unauthorized', 'Missing Authorization header: send "Authorization: Bearer <apiKey>"');
    const session = await findSession(db, sha256(cookie), now());
    if (!session) throw new ApiError(401, 'unauthorized', 'Your session has ended: sign in again');
    if (!SAFE_METHODS.has(request.method) && !sameToken(request.headers[CSRF_HEADER], session.csrfToken))
      throw new ApiError(403, 'csrf_failed', `Missing or wrong ${CSRF_HEADER} header: reload the page and try again`);
    request.workspaceId = session.workspaceId;
    request.principal = {
      kind: 'member',
      memberId: session.memberId,
      role: session.role,
      sessionId: session.sessionId,
      csrfToken: session.csrfToken,
    };
  };
}

function sameToken(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Members management and API keys: the owner, or an API key (keys are created by owners). */
export function requireOwner(request: FastifyRequest): void {
  if (request.principal.kind === 'member' && request.principal.role !== 'owner')
    throw new ApiError(403, 'forbidden', 'Only the workspace owner can do this');
}

/**
 * Readable by the dashboard's script, holds no secret: it only tells the page a session cookie
 * was set, so a signed-out visit goes straight to sign-in without a request that fails with 401.
 */
export const SIGNED_IN_COOKIE = 'qh_signed_in';

export function setSessionCookie(
  reply: FastifyReply,
  input: { token: string; expiresAt: Date; secure: boolean; now: Date },
): void {
  const maxAge = Math.max(0, Math.floor((input.expiresAt.getTime() - input.now.getTime()) / 1000));
  const flags = `Path=/; SameSite=Lax; Max-Age=${maxAge}${input.secure ? '; Secure' : ''}`;
  void reply.header('set-cookie', [
    `${SESSION_COOKIE}=${input.token}; ${flags.replace('Path=/;', 'Path=/; HttpOnly;')}`,
    `${SIGNED_IN_COOKIE}=1; ${flags}`,
  ]);
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  const flags = `Path=/; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;
  void reply.header('set-cookie', [
    `${SESSION_COOKIE}=; ${flags.replace('Path=/;', 'Path=/; HttpOnly;')}`,
    `${SIGNED_IN_COOKIE}=; ${flags}`,
  ]);
}
