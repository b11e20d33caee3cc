// Connecting an account through its provider's OAuth (the adapter's `oauth`: Gmail's is Google's):
// the consent URL with a signed `state` naming the workspace and the provider (valid 15 minutes),
// and the callback that exchanges the code and stores the credentials encrypted as an account. A
// reconnect of the same address updates the existing account and, if it was disconnected, makes it
// active again and releases the steps it held; it does not lift a pause (a health pause is lifted
// by POST /v1/senders/:id/resume, which restarts the health window).
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { PROVIDER_IDS, type ProviderId } from '../../channels/registry.ts';
import type { RegisteredAdapter } from '../../channels/register.ts';
import { DEFAULT_LIMITS, quotaKindFor } from '../../core/quota.ts';
import { getSenderRow, insertSender, listSenderRows, reconnectSender } from '../../db/senders.ts';
import type { EngineDeps, EnrollmentRef } from '../ports.ts';
import { releaseStepsHeldBySender } from './resume.ts';
import { sealJson, senderSecret } from './secrets.ts';

const STATE_TTL_MS = 15 * 60 * 1000;
const State = z.object({ w: z.uuid(), p: z.string().optional(), e: z.number(), n: z.string() });

export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 404 | 503,
    message: string,
  ) {
    super(message);
  }
}

type Connector = { provider: ProviderId; adapter: RegisteredAdapter; oauth: NonNullable<RegisteredAdapter['oauth']> };

/** The provider that connects accounts through `/oauth/<name>/…`. */
export function connectorFor(deps: Pick<EngineDeps, 'adapters'>, name: string): Connector {
  for (const provider of PROVIDER_IDS) {
    const adapter = deps.adapters[provider];
    if (adapter.oauth?.name === name) return { provider, adapter, oauth: adapter.oauth };
  }
  throw new OAuthError(404, `no provider connects accounts through "${name}"`);
}

export const callbackPath = (name: string) => `/oauth/${name}/callback`;

function sign(deps: EngineDeps, body: string): string {
  return createHmac('sha256', deps.links.trackingSecret).update(`oauth-state:${body}`).digest('base64url');
}

export function consentUrl(deps: EngineDeps, input: { name: string; workspaceId: string; loginHint?: string }): string {
  const { oauth } = connectorFor(deps, input.name);
  const why = oauth.notConfigured();
  if (why) throw new OAuthError(503, why);
  const body = Buffer.from(
    JSON.stringify({
      w: input.workspaceId,
      p: input.name,
      e: deps.clock.now().getTime() + STATE_TTL_MS,
      n: randomBytes(8).toString('hex'),
    }),
  ).toString('base64url');
  return oauth.authorizeUrl({
    state: `${body}.${sign(deps, body)}`,
    redirectUri: `${deps.links.publicUrl}${callbackPath(input.name)}`,
    ...(input.loginHint ? { loginHint: input.loginHint } : {}),
  });
}

function readState(deps: EngineDeps, name: string, state: string): string {
  const [body, mac, ...rest] = state.split('.');
  const expected = body ? Buffer.from(sign(deps, body)) : Buffer.alloc(0);
  const given = Buffer.from(mac ?? '');
  if (!body || rest.length > 0 || given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new OAuthError(400, `The OAuth state is not valid: start again from /v1/oauth/${name}/start`);
  const parsed = State.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  if (!parsed.success || (parsed.data.p !== undefined && parsed.data.p !== name))
    throw new OAuthError(400, 'The OAuth state is not valid');
  if (parsed.data.e < deps.clock.now().getTime())
    throw new OAuthError(400, 'The OAuth state has expired (15 minutes): start again');
  return parsed.data.w;
}

export type Connected = { senderId: string; emailAddress: string; reconnected: boolean; label: string };

export async function completeConnection(
  deps: EngineDeps,
  name: string,
  input: { code?: string; state?: string; error?: string },
): Promise<Connected> {
  const { provider, adapter, oauth } = connectorFor(deps, name);
  if (input.error) throw new OAuthError(400, `${oauth.label} did not grant access (${input.error})`);
  if (!input.code || !input.state) throw new OAuthError(400, 'The callback needs code and state');
  const workspaceId = readState(deps, name, input.state);
  const why = oauth.notConfigured();
  if (why) throw new OAuthError(503, why);
  const now = deps.clock.now();
  const exchanged = await oauth.exchange(
    { code: input.code, redirectUri: `${deps.links.publicUrl}${callbackPath(name)}` },
    { now },
  );
  if (!exchanged.ok) throw new OAuthError(400, `Connecting the ${oauth.label} account failed: ${exchanged.message}`);
  const email = exchanged.account.fromEmail.toLowerCase();
  const channel = adapter.channels[0] ?? 'email';
  let wake: EnrollmentRef[] = [];
  const connected = await deps.db.tenant(workspaceId, async (sql) => {
    const existing = (await listSenderRows(sql, { channel })).find(
      (s) => s.provider === provider && s.fromEmail === email,
    );
    if (existing) {
      const before = (await getSenderRow(sql, existing.id, { lock: true })) ?? existing;
      await reconnectSender(sql, existing.id, sealJson(deps, senderSecret(existing), exchanged.credentials));
      if (before.status === 'disconnected') wake = await releaseStepsHeldBySender(sql, before, now);
      return { senderId: existing.id, emailAddress: email, reconnected: true, label: adapter.label ?? provider };
    }
    const limits = DEFAULT_LIMITS[quotaKindFor(channel, 'intro')];
    const id = randomUUID();
    const row = await insertSender(sql, workspaceId, {
      id,
      channel,
      provider,
      name: exchanged.account.name ?? email,
      fromEmail: email,
      fromName: null,
      fromPhone: null,
      linkedinFree: false,
      credentials: sealJson(deps, senderSecret({ id, workspaceId }), exchanged.credentials),
      dailyLimit: limits.dailyLimit,
      hourlyLimit: limits.hourlyLimit ?? null,
      weeklyLimit: limits.weeklyLimit ?? null,
      minGapSeconds: limits.minGapSeconds,
      warmup: limits.warmup ?? null,
      warmupStartedAt: now,
      timezone: 'UTC',
    });
    return { senderId: row.id, emailAddress: email, reconnected: false, label: adapter.label ?? provider };
  });
  await deps.schedule(wake.map((ref) => ({ ref, at: now })));
  return connected;
}
