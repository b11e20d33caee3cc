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
    const { enrichmentFacts, priorityDelaySeconds, priorityPoints } =
      await import('../../src/core/linkedinPriority.ts');
    expect(enrichmentFacts({ painPoints: ['a', 'b', ''], techStack: [], industry: 'SaaS', recentNews: null })).toBe(3);
    expect(enrichmentFacts(null)).toBe(0);
    expect(priorityDelaySeconds(priorityPoints({ facts: 30, planScore: 9 }))).toBe(0);
    expect(priorityDelaySeconds(0)).toBeGreaterThan(priorityDelaySeconds(3));
    expect(priorityDelaySeconds(0)).toBeLessThan(120);
  });

  it('weighs the plan score above a few more facts', async () => {
    const { priorityPoints } = await import('../../src/core/linkedinPriority.ts');
    // One shared word with the offer (score 1) outweighs four more facts the offer does not bear on.
    expect(priorityPoints({ facts: 1, planScore: 1 })).toBeGreaterThan(priorityPoints({ facts: 5, planScore: 0 }));
    expect(priorityPoints({ facts: 3, planScore: 1 })).toBeGreaterThan(priorityPoints({ facts: 2, planScore: 1 }));
    expect(priorityPoints({ facts: 0, planScore: 100 })).toBe(priorityPoints({ facts: 0, planScore: 4 }));
    expect(priorityPoints({ facts: -3, planScore: -1 })).toBe(0);
  });

  it('scores a lead by how much the offer bears on its best fact (the plan score)', async () => {
    const { planScore } = await import('../../src/writer/plan.ts');
    const lead = (painPoints: string[]) => ({
      id: 'c1',
      firstName: 'Ana',
      company: 'Acme',
      tags: [],
      custom: {},
      enrichment: { painPoints },
    });
    const offer = 'We automate invoice reconciliation for finance teams.';
    expect(planScore(lead(['Reconciling invoices by hand takes days']), offer)).toBeGreaterThan(
      planScore(lead(['Hiring engineers is slow', 'The office moved', 'Budget season']), offer),
    );
    expect(planScore(lead(['Reconciling invoices by hand takes days']), undefined)).toBe(0);
    expect(planScore(lead([]), offer)).toBe(0);
  });
});
