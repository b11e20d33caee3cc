// Random spacing between an account's batched launches: a batch goes out no sooner than the
// account's gap (minGapSeconds) after the previous launch, plus a random share of that gap again,
// so launches are never evenly spaced (as steps are spread by their schedule's jitter). The
// randomness is seeded by the account and the previous launch: the same history gives the same
// spacing on every worker and in tests.
import { seededRandom } from './random.ts';

/** The earliest instant the account's next batched launch may go out. */
export function nextLaunchAt(input: { senderId: string; lastLaunchAt: Date | null; minGapSeconds: number }): Date {
  if (!input.lastLaunchAt) return new Date(0);
  const last = input.lastLaunchAt.getTime();
  const gapMs = Math.max(0, input.minGapSeconds) * 1000;
  const extra = Math.floor(seededRandom(`launch:${input.senderId}:${last}`)() * (gapMs + 1));
  return new Date(last + gapMs + extra);
}
