import { describe, expect, it } from 'vitest';
import { acceptanceDailyCap, judgeAcceptance } from '../../src/core/linkedinAcceptance.ts';

const now = new Date('2026-03-02T09:00:00Z');

describe('LinkedIn acceptance health', () => {
  it.each([
    [{ requests: 9, accepted: 0 }, null, false, 20],
    [{ requests: 10, accepted: 1 }, 0.1, true, 10],
    [{ requests: 50, accepted: 9 }, 0.18, true, 10],
    [{ requests: 50, accepted: 10 }, 0.2, false, 20],
  ])('%o → rate %s, halved %s, cap %s of 20', (sample, rate, halved, cap) => {
    const judged = judgeAcceptance(sample, now);
    expect(judged).toMatchObject({ rate, halved });
    expect(acceptanceDailyCap(20, judged)).toBe(cap);
  });

  it('never halves below one request a day, and a cap of 0 stays 0', () => {
    const bad = judgeAcceptance({ requests: 20, accepted: 0 }, now);
    expect(acceptanceDailyCap(1, bad)).toBe(1);
    expect(acceptanceDailyCap(0, bad)).toBe(0);
    expect(acceptanceDailyCap(20, null)).toBe(20);
  });
});

describe('LinkedIn request priority', () => {
  it('counts enrichment facts and retries the best-known first', async () => {
    const { enrichmentFacts, priorityDelaySeconds } = await import('../../src/core/linkedinPriority.ts');
    expect(enrichmentFacts({ painPoints: ['a', 'b', ''], techStack: [], industry: 'SaaS', recentNews: null })).toBe(3);
    expect(enrichmentFacts(null)).toBe(0);
    expect(priorityDelaySeconds(30)).toBe(0);
    expect(priorityDelaySeconds(0)).toBeGreaterThan(priorityDelaySeconds(3));
    expect(priorityDelaySeconds(0)).toBeLessThan(120);
  });
});
