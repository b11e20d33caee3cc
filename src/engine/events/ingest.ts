// Provider webhooks, never lost, for every provider alike: the adapter named by the path verifies
// the request (against the account the request names, or every account of the provider and the
// installation's own secret), parses it into events, and the request is stored raw with those
// events and the provider's delivery id before it is acknowledged; acting on it is the
// `inbound/event.received` job (process.ts). A redelivery finds its row and changes nothing. The
// delivery id is unique only within who verified the request (db/inboundEvents.ts dedupeScope): a
// workspace signing an event id with its own secret cannot make another's genuine event a duplicate.
import { isProviderId } from '../../channels/registry.ts';
import type { RegisteredAdapter } from '../../channels/register.ts';
import type { KeyedEvent } from '../../core/events.ts';
import { storeInboundEvent } from '../../db/inboundEvents.ts';
import { ownerOfProviderMessage } from '../../db/messages.ts';
import { providerAccounts } from '../../db/senders.ts';
import type { WebhookRequest } from '../../channels/types.ts';
import { openCredentials } from '../accounts/credentials.ts';
import type { EngineDeps } from '../ports.ts';
import { findUnstorableText, parseJsonInput } from '../../core/jsonInput.ts';

export type WebhookReceipt =
  | { status: 200; eventId: string | null; duplicate: boolean; ignored?: string }
  | { status: 400 | 401 | 403 | 404 | 405; code: string; message: string }
  /** A handshake's answer, as the provider expects it (plain text). */
  | { status: number; text: string };

type Webhook = NonNullable<RegisteredAdapter['webhook']>;
type Candidate = { workspaceId: string; credentials: unknown };

export async function receiveWebhook(
  deps: EngineDeps,
  provider: string,
  request: WebhookRequest,
): Promise<WebhookReceipt> {
  const adapter = isProviderId(provider) ? deps.adapters[provider] : undefined;
  const webhook = adapter?.webhook;
  if (!adapter || !webhook)
    return { status: 404, code: 'not_found', message: `no provider "${provider}" receives webhooks here` };
  const label = adapter.label ?? provider;
  if (request.method === 'GET') {
    if (!webhook.handshake) return { status: 405, code: 'method_not_allowed', message: `${label} webhooks are POSTed` };
    const accounts = await candidates(deps, provider, undefined);
    const answer = webhook.handshake(
      request,
      accounts.map((a) => a.credentials),
    );
    return { status: answer.status, text: answer.body };
  }
  const named = webhook.accountKey?.(request);
  const keys = named === undefined ? undefined : typeof named === 'string' ? [named] : named;
  const accounts = await candidates(deps, provider, keys);
  if (keys !== undefined && accounts.length === 0 && !webhook.verifiesWithSettings)
    return { status: 404, code: 'not_found', message: `no ${label} account here answers to ${keys.join(' or ')}` };
  const verified = verifyAll(deps, webhook, request, accounts);
  const refused = webhook.refusalStatus ?? 401;
  if (!verified.configured)
    return {
      status: refused,
      code: 'invalid_signature',
      message: `no ${label} webhook secret is configured${webhook.secretHint ? `: ${webhook.secretHint}` : ''}`,
    };
  if (!verified.ok)
    return {
      status: refused,
      code: 'invalid_signature',
      message: `invalid ${label} webhook signature: ${verified.reason}`,
    };
  const parsed = webhook.parse(request, verified.eventId === undefined ? {} : { eventId: verified.eventId });
  if (parsed.kind === 'invalid') return { status: 400, code: 'invalid_request', message: parsed.reason };
  if (parsed.kind === 'ignored') return { status: 200, eventId: null, duplicate: false, ignored: parsed.reason };
  const unstorable = unstorableEvent(label, parsed.events);
  if (unstorable) return unstorable;
  const payload = payloadOf(request.rawBody);
  if (payload === undefined)
    return {
      status: 400,
      code: 'invalid_request',
      message: `${label} request body contains NUL (U+0000); text must be valid Unicode without NUL`,
    };
  const stored = await deps.db.system(async (sql) => {
    const owner = await ownerOf(sql, provider, parsed.events, verified);
    return storeInboundEvent(sql, {
      workspaceId: owner ?? null,
      provider,
      providerEventId: parsed.deliveryId,
      dedupeScope: dedupeScope(verified),
      payload,
      events: parsed.events,
      receivedAt: deps.clock.now(),
      ownerCandidates: { workspaceIds: [...new Set(verified.workspaceIds)], global: verified.global },
    });
  });
  return { status: 200, eventId: stored ?? null, duplicate: stored === undefined };
}

/** The provider's accounts a request may belong to, with their credentials (unreadable ones skipped). */
async function candidates(
  deps: EngineDeps,
  provider: string,
  keys: readonly string[] | undefined,
): Promise<Candidate[]> {
  const rows = await deps.db.system((sql) =>
    providerAccounts(sql, { provider, ...(keys === undefined ? {} : { inboundKeys: keys }) }),
  );
  return rows.flatMap((row) => {
    try {
      return [{ workspaceId: row.workspaceId, credentials: openCredentials(deps, row) }];
    } catch {
      // Credentials sealed with another key cannot verify anything.
      return [];
    }
  });
}

type Verified = {
  configured: boolean;
  ok: boolean;
  reason: string;
  eventId?: string;
  /** The workspaces whose accounts verified the request. */
  workspaceIds: string[];
  /** The installation's own secret verified it: the request may concern any workspace. */
  global: boolean;
};

/**
 * Every candidate is tried: one provider account (one secret) may be registered in several
 * workspaces, and the event belongs to whichever of them has the message.
 */
function verifyAll(deps: EngineDeps, webhook: Webhook, request: WebhookRequest, accounts: Candidate[]): Verified {
  const now = deps.clock.now();
  const out: Verified = { configured: false, ok: false, reason: '', workspaceIds: [], global: false };
  const judge = (credentials: unknown, workspaceId?: string) => {
    const verdict = webhook.verify(request, credentials, now);
    if (!verdict.ok) {
      if (verdict.unconfigured) return;
      out.configured = true;
      out.reason = verdict.reason;
      return;
    }
    out.configured = out.ok = true;
    if (verdict.eventId !== undefined) out.eventId ??= verdict.eventId;
    if (workspaceId) out.workspaceIds.push(workspaceId);
    else out.global = true;
  };
  for (const account of accounts) judge(account.credentials, account.workspaceId);
  if (webhook.verifiesWithSettings) judge(undefined);
  return out;
}

/** The workspace the request concerns: the one that has the message it names, else the only one that verified it. */
export async function ownerOf(
  sql: Parameters<Parameters<EngineDeps['db']['system']>[0]>[0],
  provider: string,
  events: readonly KeyedEvent[],
  verified: Pick<Verified, 'workspaceIds' | 'global'>,
): Promise<string | undefined> {
  const workspaceIds = [...new Set(verified.workspaceIds)];
  for (const { event } of events) {
    if (!event.ref.providerMessageId) continue;
    const owner = await ownerOfProviderMessage(sql, {
      provider,
      providerMessageId: event.ref.providerMessageId,
      workspaceIds,
      anyWorkspace: verified.global,
    });
    if (owner) return owner;
  }
  return workspaceIds.length === 1 && !verified.global ? workspaceIds[0] : undefined;
}

/**
 * Who vouched for a request, the scope its delivery id is unique in: `installation` when the
 * installation's own secret verified it (only the provider knows that secret), else the workspaces
 * whose accounts verified it (one provider account registered in several workspaces shares one).
 */
function dedupeScope(verified: Verified): string {
  if (verified.global) return 'installation';
  return [...new Set(verified.workspaceIds)].sort().join(',');
}

/**
 * A verified event whose text PostgreSQL cannot store (a lone surrogate, NUL) is refused with 400
 * naming the field: no provider sends one, and storing it would fail the request with a 500.
 */
function unstorableEvent(label: string, events: readonly KeyedEvent[]): WebhookReceipt | undefined {
  const bad = findUnstorableText(
    events.map((e) => e.event),
    'event',
  );
  if (!bad) return undefined;
  const what = bad.codePoint === 'U+0000' ? 'NUL (U+0000)' : `a lone UTF-16 surrogate (${bad.codePoint})`;
  return {
    status: 400,
    code: 'invalid_request',
    message: `${label} ${bad.path} contains ${what}; text must be valid Unicode without NUL`,
  };
}

/**
 * The raw request as stored: JSON as JSON; anything else (a form post), and JSON that PostgreSQL
 * could not store (too deep, or a lone surrogate or NUL escaped in a string), as text. Undefined
 * when the text itself holds a NUL byte (a form field we do not read): PostgreSQL cannot store it.
 */
function payloadOf(rawBody: Buffer): unknown {
  const text = rawBody.toString('utf8');
  if (text.includes('\u0000')) return undefined;
  try {
    const value = parseJsonInput(text);
    return findUnstorableText(value) ? { raw: text } : value;
  } catch {
    return { raw: text };
  }
}
