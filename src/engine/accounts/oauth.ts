// Connecting a Gmail account: the consent URL with a signed `state` naming the workspace (valid 15
// minutes), and the callback that exchanges the code and stores the tokens encrypted as an email
// account (a reconnect of the same address updates the existing account and makes it active).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { buildAuthUrl, exchangeCode } from '../../channels/gmail/oauth.ts';
import { DEFAULT_LIMITS } from '../../core/quota.ts';
import { getSenderRow, insertSender, listSenderRows } from '../../db/senders.ts';
import type { EngineDeps, EnrollmentRef } from '../ports.ts';
import { releaseStepsHeldBySender } from './resume.ts';
import { encryptJson } from './secrets.ts';

const STATE_TTL_MS = 15 * 60 * 1000;
const State = z.object({ w: z.uuid(), e: z.number(), n: z.string() });

export const CALLBACK_PATH = '/oauth/google/callback';

export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 503,
    message: string,
  ) {
    super(message);
  }
}

function client(deps: EngineDeps): { clientId: string; clientSecret: string } {
  const { clientId, clientSecret } = deps.email.google;
  if (!clientId || !clientSecret)
    throw new OAuthError(503, 'Google OAuth is not configured: set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET');
  return { clientId, clientSecret };
}

function sign(deps: EngineDeps, body: string): string {
  return createHmac('sha256', deps.email.trackingSecret).update(`oauth-state:${body}`).digest('base64url');
}

export function googleConsentUrl(deps: EngineDeps, input: { workspaceId: string; loginHint?: string }): string {
  const { clientId } = client(deps);
  const body = Buffer.from(
    JSON.stringify({
      w: input.workspaceId,
      e: deps.clock.now().getTime() + STATE_TTL_MS,
      n: randomBytes(8).toString('hex'),
    }),
  ).toString('base64url');
  return buildAuthUrl({
    clientId,
    redirectUri: `${deps.email.publicUrl}${CALLBACK_PATH}`,
    state: `${body}.${sign(deps, body)}`,
    authBaseUrl: deps.email.google.authUrl,
    ...(input.loginHint ? { loginHint: input.loginHint } : {}),
  });
}

function readState(deps: EngineDeps, state: string): string {
  const [body, mac] = state.split('.');
  const expected = body ? Buffer.from(sign(deps, body)) : Buffer.alloc(0);
  const given = Buffer.from(mac ?? '');
  if (!body || given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new OAuthError(400, 'The OAuth state is not valid: start again from /v1/oauth/google/start');
  const parsed = State.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  if (!parsed.success) throw new OAuthError(400, 'The OAuth state is not valid');
  if (parsed.data.e < deps.clock.now().getTime())
    throw new OAuthError(400, 'The OAuth state has expired (15 minutes): start again');
  return parsed.data.w;
}

export async function completeGoogleConnection(
  deps: EngineDeps,
  input: { code?: string; state?: string; error?: string },
  fetchImpl: typeof fetch = fetch,
): Promise<{ senderId: string; emailAddress: string; reconnected: boolean }> {
  if (input.error) throw new OAuthError(400, `Google did not grant access (${input.error})`);
  if (!input.code || !input.state) throw new OAuthError(400, 'The callback needs code and state');
  const workspaceId = readState(deps, input.state);
  const { clientId, clientSecret } = client(deps);
  const exchanged = await exchangeCode(
    {
      code: input.code,
      redirectUri: `${deps.email.publicUrl}${CALLBACK_PATH}`,
      clientId,
      clientSecret,
      tokenUrl: deps.email.google.tokenUrl,
      apiBaseUrl: deps.email.google.apiBaseUrl,
    },
    fetchImpl,
    deps.clock.now(),
  );
  if (!exchanged.ok) throw new OAuthError(400, `Connecting the Google account failed: ${exchanged.failure.message}`);
  const credentials = {
    ...exchanged.credentials,
    ...(exchanged.scope ? { scopes: exchanged.scope.split(/\s+/).filter(Boolean) } : {}),
  };
  const sealed = encryptJson(deps.encryptionKey, credentials);
  const email = exchanged.credentials.emailAddress.toLowerCase();
  let wake: EnrollmentRef[] = [];
  const connected = await deps.db.tenant(workspaceId, async (sql) => {
    const existing = (await listSenderRows(sql, { channel: 'email' })).find(
      (s) => s.provider === 'gmail' && s.fromEmail === email,
    );
    if (existing) {
      // Reconnecting cures a disconnection, and releases the steps it held; it does not lift a
      // pause (a health pause is lifted by POST /v1/senders/:id/resume, which restarts the window).
      const before = (await getSenderRow(sql, existing.id, { lock: true })) ?? existing;
      await sql.query(
        `UPDATE senders SET credentials = $2, updated_at = now(),
                status = CASE WHEN status = 'disconnected' THEN 'active' ELSE status END,
                status_reason = CASE WHEN status = 'disconnected' THEN NULL ELSE status_reason END
          WHERE id = $1`,
        [existing.id, sealed],
      );
      if (before.status === 'disconnected') wake = await releaseStepsHeldBySender(sql, before, deps.clock.now());
      return { senderId: existing.id, emailAddress: email, reconnected: true };
    }
    const limits = DEFAULT_LIMITS.email;
    const row = await insertSender(sql, workspaceId, {
      channel: 'email',
      provider: 'gmail',
      name: email,
      fromEmail: email,
      fromName: null,
      fromPhone: null,
      linkedinFree: false,
      credentials: sealed,
      dailyLimit: limits.dailyLimit,
      hourlyLimit: limits.hourlyLimit ?? null,
      weeklyLimit: limits.weeklyLimit ?? null,
      minGapSeconds: limits.minGapSeconds,
      warmup: limits.warmup ?? null,
      warmupStartedAt: deps.clock.now(),
      timezone: 'UTC',
    });
    return { senderId: row.id, emailAddress: email, reconnected: false };
  });
  await deps.schedule(wake.map((ref) => ({ ref, at: deps.clock.now() })));
  return connected;
}
