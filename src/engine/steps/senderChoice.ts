// Which account sends a step, in two moves. chooseSender (while deciding, no lock): the contact's
// sticky account for the channel, else one of those with the most room left, spread across
// accounts so concurrent reservations do not all queue on one. Then capsFor gives the account's
// caps (daily with warm-up, hourly, weekly, minimum gap, recipient domain) to claimAndReserve
// (db/reservations.ts), which checks them under the account's row lock in the same statement that
// reserves the message, so concurrent workers never overshoot a cap and the lock is held for one
// statement only. No account at all: the sandbox.
import type { Channel } from '../../core/channels.ts';
import {
  counterWindows,
  DEFAULT_DOMAIN_DAILY_CAP,
  DEFAULT_LIMITS,
  effectiveDailyCap,
  quotaDecision,
  quotaKindFor,
  recipientDomain,
  pickSender,
  quotaClassFor,
  ROLLING_WEEK_MS,
  warmupDayFor,
  type QuotaUsage,
  type SenderLimits,
} from '../../core/quota.ts';
import type { Sql } from '../../db/database.ts';
import type { QuotaCaps } from '../../db/reservations.ts';
import type { Hold } from './types.ts';
import { acceptanceDailyCap } from '../../core/linkedinAcceptance.ts';
import type { SenderRow } from '../../db/senders.ts';
import { oldestRequestSince, senderUsage, type SenderUsage } from '../../db/senderUsage.ts';
import {
  whatsappDecision,
  WHATSAPP_PAIR_GAP_SECONDS,
  WHATSAPP_REASONS,
  type WhatsAppLimits,
  type WhatsAppUsage,
} from '../../core/whatsappLimits.ts';

export type SenderChoice =
  | { kind: 'sandbox' }
  | { kind: 'sender'; sender: SenderRow }
  | { kind: 'defer'; until: Date; reason: string; hold: Hold };

const UNUSABLE_RETRY_MS = 60 * 60 * 1000;
/** Accounts within this many sends of the most room left are equally good (see pickSender). */
export const SPREAD_BAND = 25;

export function limitsOf(sender: SenderRow, template: string): SenderLimits {
  // LinkedIn messages have their own cap; the account's own limits are its invitation caps.
  const kind = quotaKindFor(sender.channel as Channel, template);
  if (kind === 'linkedin_message') return DEFAULT_LIMITS.linkedin_message;
  return {
    // Requests that go unanswered halve the daily request cap (core/linkedinAcceptance.ts).
    dailyLimit:
      kind === 'linkedin_connection'
        ? acceptanceDailyCap(sender.dailyLimit, sender.linkedinAcceptance)
        : sender.dailyLimit,
    ...(sender.hourlyLimit !== null ? { hourlyLimit: sender.hourlyLimit } : {}),
    ...(sender.weeklyLimit !== null ? { weeklyLimit: sender.weeklyLimit } : {}),
    ...(sender.warmup ? { warmup: sender.warmup } : {}),
    minGapSeconds: sender.minGapSeconds,
    // LinkedIn's weekly invitation limit is a rolling 7 days (migration 061 counts it so).
    ...(kind === 'linkedin_connection' ? { rollingWeek: true } : {}),
  };
}

/**
 * The usage as read by the claim, with what a full rolling week needs to say when it frees: the
 * oldest request of the last 7 days (read only then).
 */
export async function withRollingWeek(
  sql: Sql,
  sender: SenderRow,
  template: string,
  usage: SenderUsage,
  now: Date,
): Promise<QuotaUsage> {
  const limits = limitsOf(sender, template);
  if (!limits.rollingWeek || limits.weeklyLimit === undefined || usage.thisWeek < limits.weeklyLimit) return usage;
  return {
    ...usage,
    oldestThisWeek: await oldestRequestSince(sql, sender.id, new Date(now.getTime() - ROLLING_WEEK_MS)),
  };
}

function standing(sender: SenderRow, template: string, usage: SenderUsage, now: Date) {
  const windows = counterWindows(now, sender.timezone);
  const warmupDay = warmupDayFor({ warmupStartedAt: sender.warmupStartedAt, now, zone: sender.timezone });
  const cap = effectiveDailyCap(limitsOf(sender, template), warmupDay);
  return { windows, usage, warmupDay, cap, remaining: Math.max(0, cap - usage.today) };
}

/**
 * The effective daily cap for one more send. The warm-up day (a calendar computation in the
 * account's zone) only matters with a warm-up: without one the cap is the daily limit.
 */
function dailyCap(sender: SenderRow, template: string, now: Date): number {
  const limits = limitsOf(sender, template);
  if (!limits.warmup) return limits.dailyLimit;
  return effectiveDailyCap(
    limits,
    warmupDayFor({ warmupStartedAt: sender.warmupStartedAt, now, zone: sender.timezone }),
  );
}

/** An account's usage, cap and room for a step of this template (the senders API's view). */
export async function usageOf(sql: Sql, sender: SenderRow, template: string, now: Date) {
  const usage = await senderUsage(sql, [sender], quotaClassFor(sender.channel, template), now);
  return standing(sender, template, usage.get(sender.id) ?? EMPTY, now);
}

const EMPTY: SenderUsage = { today: 0, thisHour: 0, thisWeek: 0, lastSentAt: null };

export async function chooseSender(
  sql: Sql,
  /** The workspace's accounts (every channel), as loaded with the step. */
  accounts: readonly SenderRow[],
  input: {
    channel: Channel;
    template: string;
    stickySenderId?: string;
    now: Date;
    seed: string;
    /** Deciding without a transaction: an identical usage read in flight may answer (senderUsage). */
    peeking?: boolean;
  },
): Promise<SenderChoice> {
  const { channel, template, now } = input;
  const all = accounts.filter((s) => s.channel === channel);
  if (all.length === 0) return { kind: 'sandbox' };
  const sticky = input.stickySenderId ? all.find((s) => s.id === input.stickySenderId) : undefined;
  if (sticky && sticky.status !== 'active') {
    return {
      kind: 'defer',
      until: new Date(now.getTime() + UNUSABLE_RETRY_MS),
      reason: `${describe(sticky)} is ${sticky.status}${sticky.statusReason ? `: ${sticky.statusReason}` : ''}`,
      hold: { by: 'account', ref: sticky.id },
    };
  }
  const usable = all.filter((s) => s.status === 'active');
  if (usable.length === 0) {
    const why = all.map((s) => `${describe(s)} ${s.status}${s.statusReason ? ` (${s.statusReason})` : ''}`).join('; ');
    return {
      kind: 'defer',
      until: new Date(now.getTime() + UNUSABLE_RETRY_MS),
      reason: `no usable ${channel} account: ${why}`,
      hold: { by: 'accounts', ref: channel },
    };
  }
  // The sticky account, or the only one, is picked whatever its room (claimQuota decides).
  const only = sticky ?? (usable.length === 1 ? usable[0] : undefined);
  if (only) return { kind: 'sender', sender: only };
  const usage = await senderUsage(sql, usable, quotaClassFor(channel, template), now, {
    shared: input.peeking === true,
  });
  const ranked = usable.map((sender) => ({
    id: sender.id,
    sender,
    remaining: Math.max(0, dailyCap(sender, template, now) - (usage.get(sender.id) ?? EMPTY).today),
  }));
  const picked = pickSender(ranked, undefined, { seed: input.seed, band: SPREAD_BAND });
  return picked ? { kind: 'sender', sender: picked.sender } : { kind: 'sandbox' };
}

/** The caps one more send on this account must fit (claimAndReserve checks them under the account's lock). */
export function capsFor(sender: SenderRow, template: string, recipientEmail: string | null, now: Date): QuotaCaps {
  const limits = limitsOf(sender, template);
  const domain = sender.channel === 'email' && recipientEmail ? recipientDomain(recipientEmail) : undefined;
  return {
    senderId: sender.id,
    quota: quotaClassFor(sender.channel, template),
    daily: dailyCap(sender, template, now),
    hourly: limits.hourlyLimit ?? null,
    weekly: limits.weeklyLimit ?? null,
    minGapSeconds: limits.minGapSeconds,
    domainCap: domain ? DEFAULT_DOMAIN_DAILY_CAP : null,
    whatsapp: whatsappLimitsOf(sender),
  };
}

/** A WhatsApp account's own limits (core/whatsappLimits.ts); null for other channels. */
export function whatsappLimitsOf(sender: SenderRow): WhatsAppLimits | null {
  if (sender.channel !== 'whatsapp') return null;
  return { perSecond: sender.perSecondLimit, tier: sender.messagingTier, pairGap: WHATSAPP_PAIR_GAP_SECONDS };
}

/** Why an account refused a send (its usage as read under the lock), and when to try again. */
export function explainRefusal(
  sender: SenderRow,
  input: {
    template: string;
    status: string | null;
    usage: QuotaUsage;
    domainToday: number;
    capped: QuotaCaps;
    now: Date;
    whatsapp?: WhatsAppUsage | undefined;
  },
): { until: Date; reason: string } {
  const { now } = input;
  if (input.status !== 'active')
    return { until: new Date(now.getTime() + 60_000), reason: `${describe(sender)} changed meanwhile` };
  if (input.whatsapp && input.capped.whatsapp) {
    const refused = whatsappDecision({ limits: input.capped.whatsapp, usage: input.whatsapp, now });
    if (refused.ok) return { until: new Date(now.getTime() + 1000), reason: `${describe(sender)} changed meanwhile` };
    return { until: refused.retryAt, reason: `${describe(sender)}: ${WHATSAPP_REASONS[refused.reason]}` };
  }
  const decision = quotaDecision({
    limits: limitsOf(sender, input.template),
    usage: input.usage,
    now,
    zone: sender.timezone,
    warmupDay: warmupDayFor({ warmupStartedAt: sender.warmupStartedAt, now, zone: sender.timezone }),
    ...(input.capped.domainCap !== null ? { domain: { today: input.domainToday, cap: input.capped.domainCap } } : {}),
  });
  // The account's limits changed between the decision and the claim: look again in a minute.
  if (decision.ok) return { until: new Date(now.getTime() + 60_000), reason: `${describe(sender)} changed meanwhile` };
  return { until: decision.retryAt, reason: `${describe(sender)}: ${REASONS[decision.reason]}` };
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
