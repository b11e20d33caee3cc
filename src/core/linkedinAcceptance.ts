// LinkedIn restricts accounts whose invitations go unanswered. The account's acceptance rate is
// judged over its last 50 connection requests sent at least 7 days ago (younger ones have not had
// the time to be accepted); below 20 % its daily request cap halves, and it recovers as soon as the
// rate does. Fewer than 10 such requests judge nothing.
export const ACCEPTANCE_SAMPLE = 50;
export const ACCEPTANCE_MIN_AGE_DAYS = 7;
export const ACCEPTANCE_FLOOR = 0.2;
export const ACCEPTANCE_MIN_SAMPLE = 10;

export type LinkedinAcceptance = {
  requests: number;
  accepted: number;
  /** accepted / requests; null under ACCEPTANCE_MIN_SAMPLE requests. */
  rate: number | null;
  halved: boolean;
  judgedAt: string;
};

/** The oldest a request may be sent to count: `now` minus 7 days. */
export function acceptanceSampleBefore(now: Date): Date {
  return new Date(now.getTime() - ACCEPTANCE_MIN_AGE_DAYS * 86_400_000);
}

export function judgeAcceptance(sample: { requests: number; accepted: number }, now: Date): LinkedinAcceptance {
  const rate = sample.requests >= ACCEPTANCE_MIN_SAMPLE ? sample.accepted / sample.requests : null;
  return { ...sample, rate, halved: rate !== null && rate < ACCEPTANCE_FLOOR, judgedAt: now.toISOString() };
}

/** The daily request cap under the account's acceptance health (at least one request a day). */
export function acceptanceDailyCap(dailyLimit: number, acceptance: LinkedinAcceptance | null): number {
  if (!acceptance?.halved || dailyLimit === 0) return dailyLimit;
  return Math.max(1, Math.floor(dailyLimit / 2));
}
