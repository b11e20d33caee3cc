import { describe, it, expect } from 'vitest';
import { scoreContent, SPAM_THRESHOLD } from '../../src/core/spamCheck.ts';
import { SPAM_PHRASES } from '../../src/core/spamPhrases.ts';

const rulesOf = (input: Parameters<typeof scoreContent>[0]) => scoreContent(input).reasons.map((reason) => reason.rule);

describe('scoreContent', () => {
  it('has a documented threshold and a phrase list of useful size', () => {
    expect(SPAM_THRESHOLD).toBe(5);
    expect(SPAM_PHRASES.length).toBeGreaterThanOrEqual(80);
  });

  const cases: { name: string; input: Parameters<typeof scoreContent>[0]; rules: string[]; passed: boolean }[] = [
    {
      name: 'a plain personal note',
      input: {
        subject: 'Quick question, Dana',
        text: 'Hi Dana,\n\nIs slow reporting still on your plate? Open to a chat?\n\nBest,\nSam',
      },
      rules: [],
      passed: true,
    },
    {
      name: 'phrases case-insensitively',
      input: { subject: 'Hello', text: 'Please Click Here to get Free Money today, thanks' },
      rules: ['phrase', 'phrase'],
      passed: true,
    },
    {
      name: 'phrases only on word boundaries',
      input: { subject: 'Hi', text: 'The prizefighter and the freemoney app (not urgently needed).' },
      rules: [],
      passed: true,
    },
    {
      name: 'caps subject',
      input: { subject: 'QUICK QUESTION', text: 'Hi there' },
      rules: ['caps_subject'],
      passed: true,
    },
    {
      name: 'shouting words, acronyms excepted',
      input: { subject: 'Hi', text: 'Our CRM and API are GREAT, AMAZING and HUGE' },
      rules: ['caps_words'],
      passed: true,
    },
    {
      name: 'only acronyms',
      input: { subject: 'Hi', text: 'The CEO and CTO asked about the CRM API and SDR ROI' },
      rules: [],
      passed: true,
    },
    {
      name: 'exclamation marks',
      input: { subject: 'Hi!', text: 'Wow!! Great! Really!' },
      rules: ['exclamation', 'exclamation_run', 'exclamation_subject'],
      passed: true,
    },
    { name: 'question runs', input: { subject: 'Hi', text: 'Really??' }, rules: ['question_run'], passed: true },
    {
      name: 'many links',
      input: { subject: 'Links', text: 'https://a.com https://b.com https://c.com https://d.com https://e.com' },
      rules: ['links'],
      passed: true,
    },
    {
      name: 'link shortener',
      input: { subject: 'Link', text: 'See https://bit.ly/abc' },
      rules: ['shortener'],
      passed: true,
    },
    {
      name: 'html without text',
      input: { subject: 'Hi', text: '', html: '<p>Hello <a href="https://a.com">there</a></p>' },
      rules: ['no_text_part'],
      passed: true,
    },
    { name: 'long subject', input: { subject: 'a '.repeat(45), text: 'Hi' }, rules: ['subject_length'], passed: true },
    { name: 'empty subject', input: { subject: ' ', text: 'Hi' }, rules: ['subject_missing'], passed: true },
    {
      name: 'a classic spam message',
      input: {
        subject: 'ACT NOW!!!',
        text: 'FREE MONEY!!! Click here, 100% guaranteed, limited time offer: https://tinyurl.com/x and https://bit.ly/y',
      },
      rules: [
        'phrase',
        'phrase',
        'phrase',
        'phrase',
        'phrase',
        'caps_subject',
        'exclamation',
        'exclamation_run',
        'exclamation_subject',
        'shortener',
      ],
      passed: false,
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const report = scoreContent(testCase.input);
      expect(report.reasons.map((reason) => reason.rule).sort()).toEqual([...testCase.rules].sort());
      expect(report.passed).toBe(testCase.passed);
      expect(report.score).toBe(Math.round(report.reasons.reduce((sum, reason) => sum + reason.points, 0) * 100) / 100);
    });
  }

  it('explains each reason', () => {
    const reasons = scoreContent({ subject: 'Hi', text: 'click here' }).reasons;
    expect(reasons[0]?.detail).toContain('click here');
    expect(rulesOf({ text: 'x' })).toEqual([]);
  });
});
