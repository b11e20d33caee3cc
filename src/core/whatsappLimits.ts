// WhatsApp's own limits per number (PROVIDERS.md, Meta): messages per second (80 by default), the
// messaging tier — unique people reached by business-initiated conversations (a message outside
// their 24-hour window) per moving 24 h: 250, then 2,000 / 10,000 / 100,000 / unlimited as Meta
// raises it (1,000 was the tier before October 2025) — and the pair limit (about one message to one
// person every 6 s, error 131056). The reservation checks them under the account's lock (migration
// 051); this says why a step did not fit and when it will. Pure: `now` is an argument.
export const WHATSAPP_PER_SECOND = 80;
export const WHATSAPP_DEFAULT_TIER = 250;
/** The tiers Meta grants; `null` (shown `unlimited`) has no cap. */
export const WHATSAPP_TIERS = [250, 1000, 2000, 10_000, 100_000] as const;
export const WHATSAPP_PAIR_GAP_SECONDS = 6;
const DAY_MS = 24 * 3600 * 1000;

export type WhatsAppLimits = { perSecond: number; tier: number | null; pairGap: number };

/** An account's WhatsApp usage at a moment, for one more message to one person (qh_whatsapp_usage). */
export type WhatsAppUsage = {
  /** Messages reserved in the last second, and the oldest of them. */
  second: number;
  secondOldest: Date | null;
  /** People reached by conversations the account started in the moving 24 h. */
  reached: number;
  /** This person is among them (writing again takes no new slot). */
  reachedRecipient: boolean;
  /** When the earliest of those leaves the 24 h (the first slot that frees). */
  reachedFrees: Date | null;
  /** The last message to this person (the pair limit). */
  pairLast: Date | null;
  /** This message starts a conversation (the person's window is closed): the tier applies. */
  initiates: boolean;
};

export type WhatsAppReason = 'per_second' | 'messaging_tier' | 'pair_rate';
export type WhatsAppDecision = { ok: true } | { ok: false; reason: WhatsAppReason; retryAt: Date };

export const WHATSAPP_REASONS: Readonly<Record<WhatsAppReason, string>> = {
  per_second: 'WhatsApp messages-per-second limit reached',
  messaging_tier: 'WhatsApp messaging tier reached (people reached by new conversations in 24 h)',
  pair_rate: 'WhatsApp pair limit: the last message to this person went a few seconds ago',
};

/**
 * Whether one more message fits, and otherwise the moment every refusing limit has cleared (the
 * latest of them), so retrying then is never early and does not bounce off another known limit.
 */
export function whatsappDecision(input: { limits: WhatsAppLimits; usage: WhatsAppUsage; now: Date }): WhatsAppDecision {
  const { limits, usage, now } = input;
  const refusals: { reason: WhatsAppReason; retryAt: Date }[] = [];
  if (usage.second >= limits.perSecond) {
    const oldest = usage.secondOldest?.getTime() ?? now.getTime();
    refusals.push({ reason: 'per_second', retryAt: new Date(Math.max(oldest + 1000, now.getTime() + 1)) });
  }
  if (usage.initiates && limits.tier !== null && !usage.reachedRecipient && usage.reached >= limits.tier) {
    const frees = usage.reachedFrees?.getTime() ?? now.getTime();
    refusals.push({ reason: 'messaging_tier', retryAt: new Date(Math.max(frees + DAY_MS, now.getTime() + 1)) });
  }
  if (usage.pairLast && usage.pairLast.getTime() + limits.pairGap * 1000 > now.getTime()) {
    refusals.push({ reason: 'pair_rate', retryAt: new Date(usage.pairLast.getTime() + limits.pairGap * 1000) });
  }
  let latest: { reason: WhatsAppReason; retryAt: Date } | undefined;
  for (const refusal of refusals) if (!latest || refusal.retryAt > latest.retryAt) latest = refusal;
  return latest ? { ok: false, ...latest } : { ok: true };
}

/** The tier as the API shows and takes it. */
export type MessagingTier = (typeof WHATSAPP_TIERS)[number] | 'unlimited';

export function tierLabel(tier: number | null): number | 'unlimited' {
  return tier === null ? 'unlimited' : tier;
}

export function tierValue(tier: MessagingTier): number | null {
  return tier === 'unlimited' ? null : tier;
}
