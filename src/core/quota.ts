// Sender quotas: daily, hourly and weekly caps, warm-up ramps, a minimum gap between two sends of
// one account, and a per-recipient-domain daily cap. A refusal always says when to retry: limits
// defer a step, they never drop it. Counters are calendar buckets in the sender's zone (local day,
// local clock hour, ISO week from Monday 00:00); the engine counts with counterWindows(). LinkedIn
// invitations count their weekly cap over a rolling 7 days instead (`rollingWeek`).
import { z } from 'zod';
import { DateTime } from 'luxon';
import { zoneOrName } from './timezone.ts';
import { CONNECTION_REQUEST, type Channel } from './channels.ts';
import { seededRandom } from './random.ts';

export const Warmup = z.strictObject({
  start: z.number().int().min(1),
  increment: z.number().int().min(0),
  ceiling: z.number().int().min(1),
});
export type Warmup = z.infer<typeof Warmup>;

export const SenderLimits = z.strictObject({
  dailyLimit: z.number().int().min(0),
  hourlyLimit: z.number().int().min(0).optional(),
  weeklyLimit: z.number().int().min(0).optional(),
  warmup: Warmup.optional(),
  minGapSeconds: z.number().int().min(0).default(0),
  /** The weekly cap counts the last 7 days (LinkedIn's invitation limit), not the calendar week. */
  rollingWeek: z.boolean().optional(),
});
export type SenderLimits = z.infer<typeof SenderLimits>;

/** What a send counts against: LinkedIn invitations and LinkedIn messages have separate limits. */
export type QuotaKind = 'email' | 'linkedin_connection' | 'linkedin_message' | 'whatsapp' | 'sms' | 'call';

export function quotaKindFor(channel: Channel, template: string): QuotaKind {
  if (channel === 'linkedin') return template === CONNECTION_REQUEST ? 'linkedin_connection' : 'linkedin_message';
  return channel;
}

/**
 * The usage counter a send counts in (sender_usage.quota): LinkedIn invitations and LinkedIn
 * messages apart, everything else together. Migration 006's counter trigger computes the same from
 * a message's channel and purpose; test/db/usageCounters.test.ts holds the two to one rule.
 */
export type QuotaClass = 'all' | 'invite' | 'message';

export function quotaClassFor(channel: Channel, template: string): QuotaClass {
  const kind = quotaKindFor(channel, template);
  return kind === 'linkedin_connection' ? 'invite' : kind === 'linkedin_message' ? 'message' : 'all';
}

/**
 * Defaults per account. Email: 50/day reached by a warm-up of 10 on day 1, +5 a day. LinkedIn: 20
 * invitations a day and 100 a week (LinkedIn's own weekly invitation limit), 20 messages a day
 * (Phantombuster's recommendation for an account that stays unrestricted; docs/linkedin.md).
 * WhatsApp: no calendar cap of its own (100,000 a day, the most an account takes) and no gap between
 * two sends: Meta's own limits — 80 a second, the messaging tier per moving 24 h, one message to one
 * person every 6 s — are the account's (core/whatsappLimits.ts).
 * SMS: 200 a day per number (carrier filtering on long codes). Calls: 50 a day (a person dials).
 */
export const DEFAULT_LIMITS: Readonly<Record<QuotaKind, SenderLimits>> = {
  email: { dailyLimit: 50, hourlyLimit: 20, warmup: { start: 10, increment: 5, ceiling: 50 }, minGapSeconds: 60 },
  linkedin_connection: { dailyLimit: 20, weeklyLimit: 100, minGapSeconds: 120, rollingWeek: true },
  linkedin_message: { dailyLimit: 20, minGapSeconds: 60 },
  whatsapp: { dailyLimit: 100_000, minGapSeconds: 0 },
  sms: { dailyLimit: 200, minGapSeconds: 5 },
  call: { dailyLimit: 50, minGapSeconds: 0 },
};

/** Emails a day to one recipient domain (e.g. acme.com) across all of a workspace's senders. */
export const DEFAULT_DOMAIN_DAILY_CAP = 50;

/** The part after the last "@", lower-cased; undefined when there is none. */
export function recipientDomain(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  const domain =
    at >= 0
      ? email
          .slice(at + 1)
          .trim()
          .toLowerCase()
      : '';
  return domain === '' ? undefined : domain;
}

/** Day 1 of the warm-up allows `start`, each later day `increment` more, never above ceiling or dailyLimit. */
export function effectiveDailyCap(limits: SenderLimits, warmupDay: number): number {
  if (!limits.warmup) return limits.dailyLimit;
  const { start, increment, ceiling } = limits.warmup;
  const day = Math.max(1, Math.floor(warmupDay));
  return Math.min(limits.dailyLimit, ceiling, start + increment * (day - 1));
}

/** Warm-up day number (1 on the day the warm-up started) counted in local calendar days. */
export function warmupDayFor(input: { warmupStartedAt: Date; now: Date; zone: string }): number {
  const zone = zoneOrName(input.zone);
  const started = DateTime.fromJSDate(input.warmupStartedAt, { zone }).startOf('day');
  const today = DateTime.fromJSDate(input.now, { zone }).startOf('day');
  return Math.max(1, Math.round(today.diff(started, 'days').days) + 1);
}

export type CounterWindows = {
  dayStart: Date;
  nextDay: Date;
  hourStart: Date;
  nextHour: Date;
  weekStart: Date;
  nextWeek: Date;
};

/** The buckets usage is counted in: count sends with dayStart <= sentAt < nextDay, and so on. */
export function counterWindows(now: Date, zone: string): CounterWindows {
  const local = DateTime.fromJSDate(now, { zone: zoneOrName(zone) });
  const day = local.startOf('day');
  const hour = local.startOf('hour');
  const week = local.startOf('week');
  return {
    dayStart: day.toJSDate(),
    nextDay: day.plus({ days: 1 }).toJSDate(),
    hourStart: hour.toJSDate(),
    nextHour: hour.plus({ hours: 1 }).toJSDate(),
    weekStart: week.toJSDate(),
    nextWeek: week.plus({ weeks: 1 }).toJSDate(),
  };
}

export type QuotaUsage = {
  today: number;
  thisHour: number;
  /** The calendar week's sends, or with a rolling week those of the last 7 days (inRollingWeek). */
  thisWeek: number;
  lastSentAt?: Date | null;
  /** With a rolling week: the oldest send of the last 7 days, whose leaving frees the next room. */
  oldestThisWeek?: Date | null;
};

export const ROLLING_WEEK_MS = 7 * 24 * 3600 * 1000;

/** Whether a send counts in the rolling week ending at `now`: sent less than 7 days before it. */
export function inRollingWeek(sentAt: Date, now: Date): boolean {
  return sentAt.getTime() > now.getTime() - ROLLING_WEEK_MS;
}

/**
 * When a full week has room again: the next calendar week, or, with a rolling week, the moment the
 * oldest send of the last 7 days leaves it (7 days after it; unknown: tomorrow, looked at again).
 */
function weekFreesAt(limits: SenderLimits, usage: QuotaUsage, windows: CounterWindows): Date {
  if (!limits.rollingWeek) return windows.nextWeek;
  const oldest = usage.oldestThisWeek;
  return oldest ? new Date(oldest.getTime() + ROLLING_WEEK_MS) : windows.nextDay;
}
export type QuotaReason = 'daily_cap' | 'hourly_cap' | 'weekly_cap' | 'min_gap' | 'domain_cap';
export type QuotaDecision = { ok: true } | { ok: false; reason: QuotaReason; retryAt: Date };

/**
 * Whether one more send fits now. When several limits refuse, the answer is the one that clears
 * last, so retrying at retryAt does not bounce off another limit that was already known.
 * `warmupDay` is required when limits.warmup is set (pass warmupDayFor(...)); without it day 1 is
 * assumed, which is safe for the account. `domain` is the recipient domain's usage today.
 */
export function quotaDecision(input: {
  limits: SenderLimits;
  usage: QuotaUsage;
  now: Date;
  zone: string;
  warmupDay?: number;
  domain?: { today: number; cap: number };
}): QuotaDecision {
  const { limits, usage, now, zone } = input;
  const windows = counterWindows(now, zone);
  const refusals: { reason: QuotaReason; retryAt: Date }[] = [];
  if (limits.weeklyLimit !== undefined && usage.thisWeek >= limits.weeklyLimit) {
    refusals.push({ reason: 'weekly_cap', retryAt: weekFreesAt(limits, usage, windows) });
  }
  if (usage.today >= effectiveDailyCap(limits, input.warmupDay ?? 1)) {
    refusals.push({ reason: 'daily_cap', retryAt: windows.nextDay });
  }
  if (input.domain && input.domain.today >= input.domain.cap) {
    refusals.push({ reason: 'domain_cap', retryAt: windows.nextDay });
  }
  if (limits.hourlyLimit !== undefined && usage.thisHour >= limits.hourlyLimit) {
    refusals.push({ reason: 'hourly_cap', retryAt: windows.nextHour });
  }
  if (usage.lastSentAt && limits.minGapSeconds > 0) {
    const gapEnds = usage.lastSentAt.getTime() + limits.minGapSeconds * 1000;
    if (gapEnds > now.getTime()) refusals.push({ reason: 'min_gap', retryAt: new Date(gapEnds) });
  }
  let latest: { reason: QuotaReason; retryAt: Date } | undefined;
  for (const refusal of refusals) {
    if (!latest || refusal.retryAt.getTime() > latest.retryAt.getTime()) latest = refusal;
  }
  return latest ? { ok: false, ...latest } : { ok: true };
}

/**
 * The account for a step. The contact's sticky account wins whenever it is still a candidate, even
 * when it is full (follow-ups come from the same mailbox; the step waits for its quota instead).
 * Otherwise the one with the most remaining capacity, ties broken by id. Null when there is none.
 */
export function pickSender<T extends { id: string; remaining: number }>(
  candidates: readonly T[],
  stickySenderId?: string | null,
  /**
   * Spread for concurrent reservations: accounts within `band` sends of the most remaining room
   * count as equally good, and `seed` (the enrollment) picks among them by rendezvous hashing, so
   * workers reserving at the same moment do not all queue on one account. Without it: the most
   * remaining room, ties by id.
   */
  spread?: { seed: string; band: number },
): T | null {
  if (stickySenderId) {
    const sticky = candidates.find((candidate) => candidate.id === stickySenderId);
    if (sticky) return sticky;
  }
  let best: T | null = null;
  for (const candidate of candidates) {
    if (
      !best ||
      candidate.remaining > best.remaining ||
      (candidate.remaining === best.remaining && candidate.id < best.id)
    ) {
      best = candidate;
    }
  }
  if (!best || !spread || best.remaining <= 0) return best;
  const floor = Math.max(1, best.remaining - spread.band);
  let chosen = best;
  let chosenScore = -1;
  for (const candidate of candidates) {
    if (candidate.remaining < floor) continue;
    const score = seededRandom(`${spread.seed}:${candidate.id}`)();
    if (score > chosenScore || (score === chosenScore && candidate.id < chosen.id)) {
      chosen = candidate;
      chosenScore = score;
    }
  }
  return chosen;
}
