import { describe, expect, it } from 'vitest';
import { chooseVariantWinner, wilsonLower } from '../../src/core/variantWinner.ts';

describe('choosing a winning variant', () => {
  it.each([
    [[{ variant: 0, sent: 500, positiveReplies: 10 }], null, 'only one variant'],
    [
      [
        { variant: 0, sent: 99, positiveReplies: 30 },
        { variant: 1, sent: 500, positiveReplies: 5 },
      ],
      null,
      'needs 100 sends per variant (variant 0 has fewer)',
    ],
    [
      [
        { variant: 0, sent: 400, positiveReplies: 40 },
        { variant: 1, sent: 400, positiveReplies: 8 },
      ],
      0,
      'variant 0: 10.0% positive replies, clearly ahead',
    ],
    [
      [
        { variant: 0, sent: 200, positiveReplies: 10 },
        { variant: 1, sent: 200, positiveReplies: 12 },
      ],
      null,
      'no variant is clearly ahead yet',
    ],
  ])('%j → %s', (variants, winner, reason) => {
    const verdict = chooseVariantWinner(variants);
    expect(verdict.winner).toBe(winner);
    expect(verdict.reason).toBe(reason);
  });

  it('computes the Wilson lower bound', () => {
    expect(wilsonLower(0, 0)).toBe(0);
    expect(wilsonLower(40, 400)).toBeCloseTo(0.0744, 3);
  });
});
