// Which account sends a step: the contact's sticky account for the channel, else the one with the
// most room left; then its caps (daily with warm-up, hourly, weekly, minimum gap, recipient domain)
// checked under a row lock so concurrent workers never overshoot. No account at all: the sandbox.
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
  type SenderLimits,
} from '../core/quota.ts';
import type { Sql } from '../db/database.ts';
import { domainUsage } from '../db/messages.ts';
import { getSenderRow, listSenderRows, senderUsage, type SenderRow } from '../db/senders.ts';

export type SenderChoice =
  | { kind: 'sandbox' }
  | { kind: 'sender'; sender: SenderRow }
  | { kind: 'defer'; until: Date; reason: string; senderId?: string };

const UNUSABLE_RETRY_MS = 60 * 60 * 1000;

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

function purposeFilter(sender: SenderRow, template: string) {
  if (sender.channel !== 'linkedin') return undefined;
  return template === 'connection_request' ? { only: 'connection_request' } : { except: 'connection_request' };
}

export async function usageOf(sql: Sql, sender: SenderRow, template: string, now: Date) {
  const windows = counterWindows(now, sender.timezone);
  const usage = await senderUsage(sql, sender.id, windows, purposeFilter(sender, template));
  const warmupDay = warmupDayFor({ warmupStartedAt: sender.warmupStartedAt, now, zone: sender.timezone });
  const cap = effectiveDailyCap(limitsOf(sender, template), warmupDay);
  return { windows, usage, warmupDay, cap, remaining: Math.max(0, cap - usage.today) };
}

export async function chooseSender(
  sql: Sql,
  input: { channel: Channel; template: string; stickySenderId?: string; recipientEmail: string | null; now: Date },
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
  // The sticky account, or the only one, is picked whatever its room: count usage only to rank several.
  const only = sticky ?? (usable.length === 1 ? usable[0] : undefined);
  const picked = only ? { id: only.id, sender: only } : pickSender(await rank(sql, usable, template, now), sticky?.id);
  if (!picked) return { kind: 'sandbox' };

  // Re-read under lock: the quota decision must not race with another worker's reservation.
  const locked = await getSenderRow(sql, picked.id, { lock: true });
  if (!locked || locked.status !== 'active') {
    return {
      kind: 'defer',
      until: new Date(now.getTime() + 60_000),
      reason: `${describe(picked.sender)} changed meanwhile`,
    };
  }
  const { usage, warmupDay, windows } = await usageOf(sql, locked, template, now);
  const domain = channel === 'email' && input.recipientEmail ? recipientDomain(input.recipientEmail) : undefined;
  const decision = quotaDecision({
    limits: limitsOf(locked, template),
    usage,
    now,
    zone: locked.timezone,
    warmupDay,
    ...(domain
      ? { domain: { today: await domainUsage(sql, domain, windows.dayStart), cap: DEFAULT_DOMAIN_DAILY_CAP } }
      : {}),
  });
  if (!decision.ok) {
    return {
      kind: 'defer',
      until: decision.retryAt,
      reason: `${describe(locked)}: ${REASONS[decision.reason]}`,
      senderId: locked.id,
    };
  }
  return { kind: 'sender', sender: locked };
}

async function rank(sql: Sql, senders: SenderRow[], template: string, now: Date) {
  const ranked: { id: string; sender: SenderRow; remaining: number }[] = [];
  // Sequential: one connection runs one query at a time.
  for (const sender of senders)
    ranked.push({ id: sender.id, sender, remaining: (await usageOf(sql, sender, template, now)).remaining });
  return ranked;
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
