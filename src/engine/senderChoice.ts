// Which account sends a step, in two moves. chooseSender (early, no lock): the contact's sticky
// account for the channel, else one of those with the most room left, spread across accounts so
// concurrent reservations do not all queue on one. claimQuota (last, just before the message row is
// inserted): lock that account's row, re-read its counters and the recipient domain's sends, and
// check every cap (daily with warm-up, hourly, weekly, minimum gap, recipient domain). The lock is
// held only from there to the commit, so concurrent workers never overshoot a cap and one account
// is not serialized behind anyone's writing. No account at all: the sandbox.
import type { Channel } from '../core/channels.ts';
import {
  counterWindows,
  DEFAULT_DOMAIN_DAILY_CAP,
  DEFAULT_LIMITS,
  effectiveDailyCap,
  quotaDecision,
  quotaKindFor,
  recipientDomain,
  pickSender,
  warmupDayFor,
  type QuotaDecision,
  type SenderLimits,
} from '../core/quota.ts';
import type { Sql } from '../db/database.ts';
import {
  listSenderRows,
  lockSenderWithUsage,
  quotaClass,
  senderUsage,
  type SenderRow,
  type SenderUsage,
} from '../db/senders.ts';

export type SenderChoice =
  | { kind: 'sandbox' }
  | { kind: 'sender'; sender: SenderRow }
  | { kind: 'defer'; until: Date; reason: string; senderId?: string };

const UNUSABLE_RETRY_MS = 60 * 60 * 1000;
/** Accounts within this many sends of the most room left are equally good (see pickSender). */
export const SPREAD_BAND = 25;

export function limitsOf(sender: SenderRow, template: string): SenderLimits {
  // LinkedIn messages have their own cap; the account's own limits are its invitation caps.
  if (quotaKindFor(sender.channel as Channel, template) === 'linkedin_message') return DEFAULT_LIMITS.linkedin_message;
  return {
    dailyLimit: sender.dailyLimit,
    ...(sender.hourlyLimit !== null ? { hourlyLimit: sender.hourlyLimit } : {}),
    ...(sender.weeklyLimit !== null ? { weeklyLimit: sender.weeklyLimit } : {}),
    ...(sender.warmup ? { warmup: sender.warmup } : {}),
    minGapSeconds: sender.minGapSeconds,
  };
}

function standing(sender: SenderRow, template: string, usage: SenderUsage, now: Date) {
  const windows = counterWindows(now, sender.timezone);
  const warmupDay = warmupDayFor({ warmupStartedAt: sender.warmupStartedAt, now, zone: sender.timezone });
  const cap = effectiveDailyCap(limitsOf(sender, template), warmupDay);
  return { windows, usage, warmupDay, cap, remaining: Math.max(0, cap - usage.today) };
}

/** An account's usage, cap and room for a step of this template (the senders API's view). */
export async function usageOf(sql: Sql, sender: SenderRow, template: string, now: Date) {
  const usage = await senderUsage(sql, [sender], quotaClass(sender.channel, template), now);
  return standing(sender, template, usage.get(sender.id) ?? EMPTY, now);
}

const EMPTY: SenderUsage = { today: 0, thisHour: 0, thisWeek: 0, lastSentAt: null };

export async function chooseSender(
  sql: Sql,
  input: { channel: Channel; template: string; stickySenderId?: string; now: Date; seed: string },
): Promise<SenderChoice> {
  const { channel, template, now } = input;
  const all = await listSenderRows(sql, { channel });
  if (all.length === 0) return { kind: 'sandbox' };
  const sticky = input.stickySenderId ? all.find((s) => s.id === input.stickySenderId) : undefined;
  if (sticky && sticky.status !== 'active') {
    return {
      kind: 'defer',
      until: new Date(now.getTime() + UNUSABLE_RETRY_MS),
      reason: `${describe(sticky)} is ${sticky.status}${sticky.statusReason ? `: ${sticky.statusReason}` : ''}`,
      senderId: sticky.id,
    };
  }
  const usable = all.filter((s) => s.status === 'active');
  if (usable.length === 0) {
    const why = all.map((s) => `${describe(s)} ${s.status}${s.statusReason ? ` (${s.statusReason})` : ''}`).join('; ');
    return {
      kind: 'defer',
      until: new Date(now.getTime() + UNUSABLE_RETRY_MS),
      reason: `no usable ${channel} account: ${why}`,
    };
  }
  // The sticky account, or the only one, is picked whatever its room (claimQuota decides).
  const only = sticky ?? (usable.length === 1 ? usable[0] : undefined);
  if (only) return { kind: 'sender', sender: only };
  const usage = await senderUsage(sql, usable, quotaClass(channel, template), now);
  const ranked = usable.map((sender) => ({
    id: sender.id,
    sender,
    ...standing(sender, template, usage.get(sender.id) ?? EMPTY, now),
  }));
  const picked = pickSender(ranked, undefined, { seed: input.seed, band: SPREAD_BAND });
  return picked ? { kind: 'sender', sender: picked.sender } : { kind: 'sandbox' };
}

/**
 * The authoritative quota check, under the account's row lock, which stays held until the caller's
 * transaction commits: call it last, right before reserving the message.
 */
export async function claimQuota(
  sql: Sql,
  input: { sender: SenderRow; template: string; recipientEmail: string | null; now: Date },
): Promise<SenderChoice> {
  const { sender, template, now } = input;
  const domain = sender.channel === 'email' && input.recipientEmail ? recipientDomain(input.recipientEmail) : undefined;
  const locked = await lockSenderWithUsage(sql, sender.id, {
    quota: quotaClass(sender.channel, template),
    now,
    domain: domain ?? null,
  });
  if (!locked || locked.sender.status !== 'active') {
    return { kind: 'defer', until: new Date(now.getTime() + 60_000), reason: `${describe(sender)} changed meanwhile` };
  }
  const { usage, warmupDay } = standing(locked.sender, template, locked.usage, now);
  const decision: QuotaDecision = quotaDecision({
    limits: limitsOf(locked.sender, template),
    usage,
    now,
    zone: locked.sender.timezone,
    warmupDay,
    ...(domain ? { domain: { today: locked.domainToday, cap: DEFAULT_DOMAIN_DAILY_CAP } } : {}),
  });
  if (!decision.ok) {
    return {
      kind: 'defer',
      until: decision.retryAt,
      reason: `${describe(locked.sender)}: ${REASONS[decision.reason]}`,
      senderId: locked.sender.id,
    };
  }
  return { kind: 'sender', sender: locked.sender };
}

const REASONS = {
  daily_cap: 'daily limit reached',
  hourly_cap: 'hourly limit reached',
  weekly_cap: 'weekly limit reached',
  min_gap: 'minimum gap between two sends',
  domain_cap: 'daily limit for this recipient domain reached',
} as const;

function describe(sender: SenderRow): string {
  return `account ${sender.name ?? sender.fromEmail ?? sender.fromPhone ?? sender.id}`;
}
