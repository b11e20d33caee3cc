import { describe, it, expect } from 'vitest';
import { hasUnresolved, joinNatural, personalizeTemplate } from '../../src/core/personalize.ts';

const contact = {
  id: 'c1',
  firstName: 'Dana',
  company: 'Northwind',
  tags: ['icp', 'q3'],
  enrichment: {
    industry: 'Logistics',
    techStack: ['HubSpot', 'Salesforce', 'Gong'],
    painPoints: ['slow reporting'],
    companySize: 250,
  },
  custom: { plan: 'enterprise', empty: '' },
};

describe('personalizeTemplate variables', () => {
  const cases: { template: string; text: string; unresolved: string[] }[] = [
    { template: 'Hi {{firstName}}', text: 'Hi Dana', unresolved: [] },
    { template: 'Hi {{ firstName | there }}', text: 'Hi Dana', unresolved: [] },
    { template: 'Hi {{lastName|there}}', text: 'Hi there', unresolved: [] },
    { template: 'Hi {{lastName|}}!', text: 'Hi !', unresolved: [] },
    { template: 'Hi {{lastName}}', text: 'Hi {{lastName}}', unresolved: ['lastName'] },
    { template: '{{enrichment.industry}} teams', text: 'Logistics teams', unresolved: [] },
    { template: 'Using {{enrichment.techStack}}', text: 'Using HubSpot, Salesforce and Gong', unresolved: [] },
    { template: '{{enrichment.painPoints[0]}}', text: 'slow reporting', unresolved: [] },
    { template: '{{enrichment.painPoints.0}}', text: 'slow reporting', unresolved: [] },
    { template: '{{enrichment.painPoints[3]|growth}}', text: 'growth', unresolved: [] },
    { template: '{{custom.plan}} plan', text: 'enterprise plan', unresolved: [] },
    { template: '{{plan}} via custom', text: 'enterprise via custom', unresolved: [] },
    { template: '{{industry}} via enrichment', text: 'Logistics via enrichment', unresolved: [] },
    { template: '{{custom.empty}}', text: '{{custom.empty}}', unresolved: ['custom.empty'] },
    { template: '{{enrichment.companySize}} people', text: '250 people', unresolved: [] },
    { template: '{{sender.fromName}}', text: 'Sam', unresolved: [] },
    { template: '{{a}} {{b}} {{a}}', text: '{{a}} {{b}} {{a}}', unresolved: ['a', 'b'] },
  ];
  for (const testCase of cases) {
    it(testCase.template, () => {
      const result = personalizeTemplate(testCase.template, contact, {
        seed: 's',
        context: { sender: { fromName: 'Sam' } },
      });
      expect(result).toEqual({ text: testCase.text, unresolved: testCase.unresolved });
      expect(hasUnresolved(result)).toBe(testCase.unresolved.length > 0);
    });
  }
});

describe('spintax', () => {
  it('is deterministic for a seed and varies across seeds', () => {
    const template = '{Hi|Hello|Hey} {{firstName}}, {quick|short} {question|note}';
    const first = personalizeTemplate(template, contact, { seed: 'contact-1' }).text;
    expect(personalizeTemplate(template, contact, { seed: 'contact-1' }).text).toBe(first);
    const all = new Set(
      Array.from({ length: 40 }, (_, index) => personalizeTemplate(template, contact, { seed: `c${index}` }).text),
    );
    expect(all.size).toBeGreaterThan(6);
    for (const text of all) expect(text).toMatch(/^(Hi|Hello|Hey) Dana, (quick|short) (question|note)$/);
  });

  it('supports nesting and variables inside options', () => {
    const seen = new Set<string>();
    for (let index = 0; index < 60; index++) {
      seen.add(personalizeTemplate('{Hi {{firstName|there}}|{Hello|Hey} team}', contact, { seed: `n${index}` }).text);
    }
    expect([...seen].sort()).toEqual(['Hello team', 'Hey team', 'Hi Dana']);
  });

  it('leaves unbalanced braces for the guardrail to catch', () => {
    const result = personalizeTemplate('{Hi|Hello Dana', contact, { seed: 'x' });
    expect(result.text).toBe('{Hi|Hello Dana');
    expect(hasUnresolved(result.text)).toBe(false);
    expect(hasUnresolved('{Hi|Hello}')).toBe(true);
  });
});

describe('joinNatural', () => {
  it.each([
    [[], ''],
    [['a'], 'a'],
    [['a', 'b'], 'a and b'],
    [['a', 'b', 'c'], 'a, b and c'],
  ])('%j', (items, expected) => {
    expect(joinNatural(items)).toBe(expected);
  });
});
