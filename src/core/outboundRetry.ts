// What happens after one outbound delivery attempt (a webhook, a notification, a CRM call), as
// data: delivered, retried later with exponential back-off and jitter (about three days in all,
// a receiver's Retry-After honoured), or given up. A 410 Gone tells us the receiver is gone for
// good: the target is disabled (Standard Webhooks' recommendation).

/** Attempts in all: 10 s doubling to an 8-hour ceiling reaches about three days at the 20th. */
export const MAX_ATTEMPTS = 20;
const FIRST_DELAY_MS = 10_000;
const CEILING_MS = 8 * 3_600_000;
/** A Retry-After is honoured up to a day; longer ones are read as a day. */
const RETRY_AFTER_CAP_MS = 24 * 3_600_000;

export type AttemptResult =
  | { kind: 'delivered'; status?: number }
  | { kind: 'failed'; status?: number; error: string; retryAfterMs?: number; permanent?: boolean };

export type AttemptDecision =
  { status: 'succeeded' } | { status: 'pending'; nextAttemptAt: Date } | { status: 'failed'; disableTarget: boolean };

/** The wait before attempt `attempt + 1`: 10 s · 2^(attempt-1), capped at 8 h, ±20 % jitter. */
export function retryDelayMs(input: { attempt: number; random: number; retryAfterMs?: number }): number {
  const base = Math.min(FIRST_DELAY_MS * 2 ** Math.max(0, input.attempt - 1), CEILING_MS);
  const jittered = Math.round(base * (0.8 + 0.4 * input.random));
  return Math.max(jittered, Math.min(input.retryAfterMs ?? 0, RETRY_AFTER_CAP_MS));
}

export function decideAfterAttempt(input: {
  result: AttemptResult;
  /** The attempt just made (1 for the first). */
  attempt: number;
  now: Date;
  random: number;
}): AttemptDecision {
  const { result } = input;
  if (result.kind === 'delivered') return { status: 'succeeded' };
  if (result.status === 410) return { status: 'failed', disableTarget: true };
  if (result.permanent || input.attempt >= MAX_ATTEMPTS) return { status: 'failed', disableTarget: false };
  const delay = retryDelayMs({
    attempt: input.attempt,
    random: input.random,
    ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }),
  });
  return { status: 'pending', nextAttemptAt: new Date(input.now.getTime() + delay) };
}

/** A Retry-After header (seconds, or an HTTP date) as milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
