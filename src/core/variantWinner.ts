// Which writer variant of a step wins: the one with the best positive-reply rate, once every
// variant has enough sends and the leader's lower 95% Wilson bound is above every other variant's
// rate. Reply rates, not opens: privacy proxies make opens unreliable.

export const MIN_SENDS_PER_VARIANT = 100;
const Z = 1.96;

export type VariantStats = { variant: number; sent: number; positiveReplies: number };

export type VariantVerdict = { winner: number; rate: number; reason: string } | { winner: null; reason: string };

/** Lower bound of the 95% Wilson score interval for successes / trials. */
export function wilsonLower(successes: number, trials: number): number {
  if (trials === 0) return 0;
  const p = successes / trials;
  const denominator = 1 + (Z * Z) / trials;
  const centre = p + (Z * Z) / (2 * trials);
  const margin = Z * Math.sqrt((p * (1 - p)) / trials + (Z * Z) / (4 * trials * trials));
  return (centre - margin) / denominator;
}

export function chooseVariantWinner(
  variants: readonly VariantStats[],
  minSends = MIN_SENDS_PER_VARIANT,
): VariantVerdict {
  if (variants.length < 2) return { winner: null, reason: 'only one variant' };
  const short = variants.filter((v) => v.sent < minSends);
  if (short.length > 0) {
    return {
      winner: null,
      reason: `needs ${minSends} sends per variant (variant ${short.map((v) => v.variant).join(', ')} has fewer)`,
    };
  }
  const rate = (v: VariantStats) => v.positiveReplies / v.sent;
  const sorted = [...variants].sort((a, b) => rate(b) - rate(a) || a.variant - b.variant);
  const [leader, ...others] = sorted as [VariantStats, ...VariantStats[]];
  const lower = wilsonLower(leader.positiveReplies, leader.sent);
  if (others.every((v) => lower > rate(v))) {
    return {
      winner: leader.variant,
      rate: rate(leader),
      reason: `variant ${leader.variant}: ${(rate(leader) * 100).toFixed(1)}% positive replies, clearly ahead`,
    };
  }
  return { winner: null, reason: 'no variant is clearly ahead yet' };
}
