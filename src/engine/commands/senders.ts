// Sending accounts as the API and CLI handle them: register, list (caps, today's usage, warm-up
// day, health, status), change, remove, resume. Credentials are merged and validated by the
// account's adapter (accounts/credentials.ts), sealed before they are stored and never shown.
import type { RegisteredAdapter } from '../../channels/register.ts';
import type { AccountAddress } from '../../channels/types.ts';
import { FALLBACK_PROVIDER, type ProviderId } from '../../channels/registry.ts';
import type { Channel } from '../../core/channels.ts';
import { senderIdentityGaps } from '../../core/identityGaps.ts';
import { DEFAULT_LIMITS, quotaKindFor, type Warmup } from '../../core/quota.ts';
import { WHATSAPP_PAIR_GAP_SECONDS, tierLabel, tierValue, type MessagingTier } from '../../core/whatsappLimits.ts';
import type { Sql } from '../../db/database.ts';
import {
  deleteSender,
  getSenderRow,
  insertSender,
  listSenderRows,
  senderLimit,
  setInboundKey,
  updateSender,
  type SenderPatch,
  type SenderRow,
} from '../../db/senders.ts';
import { whatsappUsage } from '../../db/senderUsage.ts';
import { senderSecret } from '../accounts/secrets.ts';
import { randomUUID } from 'node:crypto';
import { mergeCredentials, sealCredentials, storedCredentials, type CredentialBody } from '../accounts/credentials.ts';
import { senderHealth } from '../accounts/health.ts';
import { releaseStepsHeldBySender, releaseStepsHeldForName, resumeSender } from '../accounts/resume.ts';
import type { EngineDeps, EnrollmentRef } from '../ports.ts';
import { usageOf } from '../steps/senderChoice.ts';

export type SenderInput = {
  channel: Channel;
  provider: ProviderId;
  name?: string;
  fromEmail?: string;
  fromName?: string;
  fromPhone?: string;
  linkedinFree?: boolean;
  dailyLimit?: number;
  hourlyLimit?: number | null;
  weeklyLimit?: number | null;
  minGapSeconds?: number;
  /** WhatsApp only: Meta's messaging tier and messages per second (core/whatsappLimits.ts). */
  messagingTier?: MessagingTier;
  perSecondLimit?: number;
  warmup?: Warmup | null;
  timezone?: string;
  /** `credentials` and the alias keys adapters declare (`smtp`, `imap`, `resend` …). */
  credentialBody: CredentialBody;
};

export type SenderChange = Omit<SenderPatch, 'credentials' | 'messagingTier'> & {
  messagingTier?: MessagingTier;
  credentialBody: CredentialBody;
};

export type Refused = { kind: 'invalid'; message: string } | { kind: 'not_found' };

/** An account as shown: limits, usage, health and status; never its credentials. */
export async function senderView(deps: EngineDeps, sql: Sql, s: SenderRow) {
  const now = deps.clock.now();
  const template = s.channel === 'linkedin' ? 'connection_request' : 'intro';
  const { usage, warmupDay, cap, windows } = await usageOf(sql, s, template, now);
  const adapter = deps.adapters[s.provider];
  return {
    id: s.id,
    channel: s.channel,
    provider: s.provider,
    name: s.name,
    fromEmail: s.fromEmail,
    fromName: s.fromName,
    fromPhone: s.fromPhone,
    dailyLimit: s.dailyLimit,
    hourlyLimit: s.hourlyLimit,
    weeklyLimit: s.weeklyLimit,
    minGapSeconds: s.minGapSeconds,
    warmup: s.warmup,
    warmupDay: s.warmup ? warmupDay : null,
    todayCap: cap,
    sentToday: usage.today,
    sentThisHour: usage.thisHour,
    sentThisWeek: usage.thisWeek,
    lastResetAt: windows.dayStart.toISOString(),
    timezone: s.timezone,
    status: s.status,
    statusReason: s.statusReason,
    /** What holds this account's real sends (an email account without a person name to sign with). */
    identityGaps: s.provider === FALLBACK_PROVIDER ? [] : senderIdentityGaps(s, s.channel),
    /** LinkedIn: the acceptance rate of its requests and whether it halved the daily cap. */
    linkedinAcceptance: s.channel === 'linkedin' ? s.linkedinAcceptance : null,
    sendingLimit: await sendingLimitOf(sql, s.id, now),
    /** WhatsApp: Meta's limits for the number and its usage against each (null for other channels). */
    whatsappLimits: s.channel === 'whatsapp' ? await whatsappUsageView(sql, s, now) : null,
    health: (adapter.screens ?? []).includes('health') ? await senderHealth(sql, s.id) : null,
    hasCredentials: s.credentials !== null,
    /** Where the provider should deliver its webhooks, for providers that send them. */
    webhookUrl: adapter.webhook ? `${deps.links.publicUrl}/webhooks/${s.provider}` : null,
    createdAt: s.createdAt.toISOString(),
  };
}

/** The provider's own sending limit, while it lasts: nothing goes out through the account until then. */
async function sendingLimitOf(sql: Sql, id: string, now: Date) {
  const limit = await senderLimit(sql, id, now);
  if (!limit) return null;
  const until = limit.until.toISOString();
  return { until, message: `sending limit reached until ${until}`, reason: limit.reason };
}

async function whatsappUsageView(sql: Sql, s: SenderRow, now: Date) {
  const usage = await whatsappUsage(sql, s.id, now);
  return {
    perSecondLimit: s.perSecondLimit,
    sentLastSecond: usage.second,
    messagingTier: tierLabel(s.messagingTier),
    reachedLast24h: usage.reached,
    pairGapSeconds: WHATSAPP_PAIR_GAP_SECONDS,
  };
}

/** Limits only WhatsApp accounts have, refused for the others. */
function whatsappOnly(channel: Channel, b: { messagingTier?: unknown; perSecondLimit?: unknown }): Refused | null {
  if (channel === 'whatsapp') return null;
  const key =
    b.messagingTier !== undefined ? 'messagingTier' : b.perSecondLimit !== undefined ? 'perSecondLimit' : null;
  return key ? { kind: 'invalid', message: `body.${key}: only WhatsApp accounts have this limit` } : null;
}

export type SenderView = Awaited<ReturnType<typeof senderView>>;

export async function listSenders(deps: EngineDeps, workspaceId: string): Promise<SenderView[]> {
  return deps.db.tenant(workspaceId, async (sql) => {
    const views: SenderView[] = [];
    // One after another: the views share the transaction's one connection.
    for (const row of await listSenderRows(sql)) views.push(await senderView(deps, sql, row));
    return views;
  });
}

function seal(
  deps: EngineDeps,
  adapter: RegisteredAdapter,
  row: { id: string; workspaceId: string; stored: Record<string, unknown> },
  body: CredentialBody,
  account: AccountAddress,
): { ok: true; sealed: Buffer | null; inboundKey: string | null } | Refused {
  const merged = mergeCredentials(adapter, row.stored, body);
  if (!merged.ok) return { kind: 'invalid', message: merged.message };
  const sealed = sealCredentials(adapter, deps, senderSecret(row), merged.merged);
  if (!sealed.ok) return { kind: 'invalid', message: sealed.message };
  return {
    ok: true,
    sealed: sealed.sealed,
    inboundKey: adapter.webhook?.accountKeyOf?.(merged.merged, account) ?? null,
  };
}

export async function createSender(
  deps: EngineDeps,
  workspaceId: string,
  b: SenderInput,
): Promise<{ kind: 'created'; view: SenderView } | Refused> {
  const adapter = deps.adapters[b.provider];
  if (!adapter.channels.includes(b.channel))
    return { kind: 'invalid', message: `provider ${b.provider} does not send on ${b.channel}` };
  if (b.channel === 'email' && !b.fromEmail)
    return { kind: 'invalid', message: 'body.fromEmail: required for an email account' };
  const defaults = DEFAULT_LIMITS[quotaKindFor(b.channel, b.channel === 'linkedin' ? 'connection_request' : 'intro')];
  const notHere = whatsappOnly(b.channel, b);
  if (notHere) return notHere;
  const id = randomUUID();
  const sealed = seal(deps, adapter, { id, workspaceId, stored: {} }, b.credentialBody, {
    channel: b.channel,
    fromPhone: b.fromPhone ?? null,
  });
  if (!('ok' in sealed)) return sealed;
  const view = await deps.db.tenant(workspaceId, async (sql) => {
    const inserted = await insertSender(sql, workspaceId, {
      id,
      channel: b.channel,
      provider: b.provider,
      name: b.name ?? null,
      fromEmail: b.fromEmail?.toLowerCase() ?? null,
      fromName: b.fromName ?? null,
      fromPhone: b.fromPhone ?? null,
      linkedinFree: b.linkedinFree ?? false,
      credentials: sealed.sealed,
      dailyLimit: b.dailyLimit ?? defaults.dailyLimit,
      hourlyLimit: b.hourlyLimit === undefined ? (defaults.hourlyLimit ?? null) : b.hourlyLimit,
      weeklyLimit: b.weeklyLimit === undefined ? (defaults.weeklyLimit ?? null) : b.weeklyLimit,
      minGapSeconds: b.minGapSeconds ?? defaults.minGapSeconds,
      warmup: b.warmup === undefined ? (defaults.warmup ?? null) : b.warmup,
      warmupStartedAt: deps.clock.now(),
      timezone: b.timezone ?? 'UTC',
      ...(b.messagingTier !== undefined ? { messagingTier: tierValue(b.messagingTier) } : {}),
      ...(b.perSecondLimit !== undefined ? { perSecondLimit: b.perSecondLimit } : {}),
    });
    if (sealed.inboundKey) await setInboundKey(sql, inserted.id, sealed.inboundKey);
    return senderView(deps, sql, inserted);
  });
  return { kind: 'created', view };
}

/**
 * Changes limits, warm-up, status or credentials. Locked: a token refresh re-sealing the
 * credentials meanwhile must not be lost, nor this merge. Reactivating an account (paused, or
 * disconnected and fixed) releases the steps it held; so does naming an email account that had no
 * name (the steps its missing name held).
 */
export async function changeSender(
  deps: EngineDeps,
  workspaceId: string,
  id: string,
  change: SenderChange,
): Promise<{ kind: 'changed'; view: SenderView } | Refused> {
  const { credentialBody, messagingTier, ...rest } = change;
  let released: EnrollmentRef[] = [];
  const outcome = await deps.db.tenant(
    workspaceId,
    async (sql): Promise<{ kind: 'changed'; view: SenderView } | Refused> => {
      const existing = await getSenderRow(sql, id, { lock: true });
      if (!existing) return { kind: 'not_found' };
      const notHere = whatsappOnly(existing.channel, change);
      if (notHere) return notHere;
      let credentials: Buffer | null | undefined;
      if (Object.values(credentialBody).some((part) => part !== undefined)) {
        const stored = storedCredentials(deps, existing);
        const sealed = seal(deps, deps.adapters[existing.provider], { ...existing, stored }, credentialBody, existing);
        if (!('ok' in sealed)) return sealed;
        credentials = sealed.sealed;
        await setInboundKey(sql, existing.id, sealed.inboundKey);
      }
      await updateSender(sql, existing.id, {
        ...rest,
        ...(credentials !== undefined ? { credentials } : {}),
        ...(messagingTier !== undefined ? { messagingTier: tierValue(messagingTier) } : {}),
      });
      if (rest.status === 'active' && existing.status !== 'active')
        released = await releaseStepsHeldBySender(sql, existing, deps.clock.now());
      if (named(rest.fromName) && !named(existing.fromName))
        released.push(...(await releaseStepsHeldForName(sql, existing, deps.clock.now())));
      const updated = await getSenderRow(sql, existing.id);
      return updated ? { kind: 'changed', view: await senderView(deps, sql, updated) } : { kind: 'not_found' };
    },
  );
  await deps.schedule(released.map((ref) => ({ ref, at: deps.clock.now() })));
  return outcome;
}

const named = (value: string | null | undefined) => (value ?? '').trim().length > 0;

export async function removeSender(deps: EngineDeps, workspaceId: string, id: string): Promise<boolean> {
  return deps.db.tenant(workspaceId, (sql) => deleteSender(sql, id));
}

/** Lifts a pause (by hand or by health): the view with the number of steps released; 409 unless paused. */
export async function resumeSenderView(deps: EngineDeps, workspaceId: string, id: string) {
  const outcome = await resumeSender(deps, { workspaceId, senderId: id });
  if (outcome.kind !== 'resumed') return outcome;
  const view = await deps.db.tenant(workspaceId, (sql) => senderView(deps, sql, outcome.record));
  return { kind: 'resumed' as const, view, releasedSteps: outcome.releasedSteps };
}
