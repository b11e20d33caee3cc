import { describe, it, expect } from 'vitest';
import { checkMessage } from '../../src/writer/guardrails.ts';
import { smsSegments } from '../../src/core/smsSegments.ts';
import { makeInput, richContact, sparseContact } from './contacts.ts';
import type { CheckMessageInput } from '../../src/writer/guardrails.ts';

const base = makeInput(richContact(0));
function check(overrides: Partial<CheckMessageInput>) {
  return checkMessage({
    channel: 'email',
    subject: 'Idea for Northwind Logistics',
    body: 'Hi Dana,\n\nQuick question.\n\nBest,\nSam Rivera',
    contact: base.contact,
    workspace: base.workspace,
    sender: base.sender,
    ...overrides,
  });
}
const rules = (report: ReturnType<typeof check>) => report.failures.map((failure) => failure.rule);

describe('length limits', () => {
  const cases: { name: string; input: Partial<CheckMessageInput>; fails: boolean }[] = [
    {
      name: 'connection note at 300',
      input: { channel: 'linkedin', purpose: 'connection_request', body: 'a'.repeat(300) },
      fails: false,
    },
    {
      name: 'connection note at 301',
      input: { channel: 'linkedin', purpose: 'connection_request', body: 'a'.repeat(301) },
      fails: true,
    },
    {
      name: 'free account note at 201',
      input: { channel: 'linkedin', purpose: 'connection_request', body: 'a'.repeat(201), linkedinFree: true },
      fails: true,
    },
    {
      name: 'free account note at 200',
      input: { channel: 'linkedin', purpose: 'connection_request', body: 'a'.repeat(200), linkedinFree: true },
      fails: false,
    },
    {
      name: 'linkedin DM at 8000',
      input: { channel: 'linkedin', purpose: 'linkedin_dm', body: 'a'.repeat(8000) },
      fails: false,
    },
    {
      name: 'linkedin DM at 8001',
      input: { channel: 'linkedin', purpose: 'linkedin_dm', body: 'a'.repeat(8001) },
      fails: true,
    },
    { name: 'whatsapp at 1025', input: { channel: 'whatsapp', body: 'a'.repeat(1025) }, fails: true },
    { name: 'sms of 3 GSM segments', input: { channel: 'sms', body: 'a'.repeat(459) }, fails: false },
    { name: 'sms of 4 GSM segments', input: { channel: 'sms', body: 'a'.repeat(460) }, fails: true },
    {
      name: 'sms of 4 UCS-2 segments',
      input: { channel: 'sms', body: `ü${'é'.repeat(50)}😀${'a'.repeat(200)}` },
      fails: true,
    },
    { name: 'email body at 5001', input: { body: 'a '.repeat(2501) }, fails: true },
    { name: 'call script of any length', input: { channel: 'call', body: 'a '.repeat(10000) }, fails: false },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      expect(rules(check(testCase.input)).includes('length')).toBe(testCase.fails);
    });
  }
});

describe('subject, braces, spam', () => {
  it('requires a non-empty email subject of at most 120 characters', () => {
    expect(rules(check({ subject: '' }))).toContain('subject');
    expect(rules(check({ subject: undefined }))).toContain('subject');
    expect(rules(check({ subject: 'a'.repeat(121) }))).toContain('subject');
    expect(rules(check({ channel: 'whatsapp', subject: undefined }))).not.toContain('subject');
  });
  for (const body of ['Hi {{firstName}},', 'Hi {{firstName|there}}', '{Hi|Hello} Dana', 'Hi Dana }}']) {
    it(`flags unresolved template text: ${body}`, () => {
      expect(rules(check({ body }))).toContain('unresolved');
    });
  }
  it('blocks email over the spam threshold and reports the score', () => {
    const report = check({
      subject: 'ACT NOW!!!',
      body: 'Click here for FREE MONEY, 100% guaranteed, limited time offer! https://bit.ly/x',
    });
    expect(rules(report)).toContain('spam');
    expect(report.spam?.score).toBeGreaterThanOrEqual(5);
    expect(check({ channel: 'sms', body: 'act now' }).spam).toBeNull();
  });
});

describe('no invented facts', () => {
  const cases: { body: string; invented: string[] }[] = [
    {
      body: 'Hi Dana,\n\nCongrats on the news: Northwind Logistics raised a $40M Series B in January.\n\nBest,\nSam Rivera',
      invented: [],
    },
    { body: 'Hi Dana, teams like Globex cut research time in half with us.', invented: ['Globex'] },
    { body: 'Hi Dana, we helped 37 logistics companies last year.', invented: ['37'] },
    { body: 'Hi Dana, saw that Northwind Logistics raised $55M.', invented: ['55M'] },
    { body: 'Hi Dana, your HubSpot and Marketo setup looks solid.', invented: ['Marketo'] },
    { body: 'Hi Dana, Jennifer from our team will reach out on Monday.', invented: ['Jennifer'] },
    { body: 'Hi Dana, see https://example0.com and dana@example0.com.', invented: [] },
    { body: 'Hi Dana, details at https://acme-deals.com/offer.', invented: ['https://acme-deals.com/offer.'] },
    { body: 'Thanks for reading. Happy Friday, and I hope March is kind to you.', invented: [] },
    { body: "Dana's talk at SaaStr 2025 on outbound hiring caught my attention.", invented: [] },
    { body: 'Since you use Salesforce, our Salesforce-native sync helps.', invented: [] },
    { body: 'Apple, Stripe and Shopify already use QuotaHit.', invented: ['Apple', 'Stripe', 'Shopify'] },
  ];
  for (const testCase of cases) {
    it(testCase.body.slice(0, 60), () => {
      const report = check({ channel: 'linkedin', purpose: 'linkedin_dm', body: testCase.body });
      const tokens = report.failures
        .filter((failure) => failure.rule === 'invented_fact')
        .map((failure) => failure.token);
      expect(tokens).toEqual(testCase.invented);
    });
  }
  it('a sparse contact cannot borrow facts from elsewhere', () => {
    const sparse = sparseContact(0);
    const report = checkMessage({
      channel: 'email',
      subject: 'Northwind Logistics',
      body: 'Hi Dana',
      contact: sparse,
      workspace: base.workspace,
      sender: base.sender,
    });
    expect(report.failures.map((failure) => failure.token)).toEqual(['Northwind', 'Logistics']);
  });
});

describe('smsSegments', () => {
  const cases: { text: string; encoding: 'GSM-7' | 'UCS-2'; units: number; segments: number }[] = [
    { text: '', encoding: 'GSM-7', units: 0, segments: 0 },
    { text: 'a'.repeat(160), encoding: 'GSM-7', units: 160, segments: 1 },
    { text: 'a'.repeat(161), encoding: 'GSM-7', units: 161, segments: 2 },
    { text: 'a'.repeat(306), encoding: 'GSM-7', units: 306, segments: 2 },
    { text: 'a'.repeat(307), encoding: 'GSM-7', units: 307, segments: 3 },
    { text: '€'.repeat(80), encoding: 'GSM-7', units: 160, segments: 1 },
    { text: `${'a'.repeat(152)}€${'a'.repeat(10)}`, encoding: 'GSM-7', units: 164, segments: 2 },
    { text: 'Grüße aus München, ça va? ñ', encoding: 'UCS-2', units: 27, segments: 1 },
    { text: 'é'.repeat(10), encoding: 'GSM-7', units: 10, segments: 1 },
    { text: 'ê'.repeat(70), encoding: 'UCS-2', units: 70, segments: 1 },
    { text: 'ê'.repeat(71), encoding: 'UCS-2', units: 71, segments: 2 },
    { text: 'Hi “Dana”', encoding: 'UCS-2', units: 9, segments: 1 },
    { text: '😀'.repeat(35), encoding: 'UCS-2', units: 70, segments: 1 },
    { text: `${'a'.repeat(66)}😀`, encoding: 'UCS-2', units: 68, segments: 1 },
    { text: `${'a'.repeat(66)}😀${'a'.repeat(3)}`, encoding: 'UCS-2', units: 71, segments: 2 },
  ];
  for (const testCase of cases) {
    it(`${testCase.encoding} ${testCase.units} units → ${testCase.segments}`, () => {
      const info = smsSegments(testCase.text);
      expect({ encoding: info.encoding, units: info.units, segments: info.segments }).toEqual({
        encoding: testCase.encoding,
        units: testCase.units,
        segments: testCase.segments,
      });
    });
  }
});
