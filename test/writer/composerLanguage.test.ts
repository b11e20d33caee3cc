// Issue 18: messages a seasoned SDR would send unedited. The examples the issue quotes, turned into
// checks on the composer's output over many seeds.
import { describe, expect, it } from 'vitest';
import { composeMessage } from '../../src/writer/composer.ts';
import { repeatedLines } from '../../src/writer/repeatedLines.ts';
import { PRESETS } from '../../src/core/presets.ts';
import type { PreviousMessage, WriterChannel, WriterContact, WriterInput } from '../../src/writer/types.ts';

const SEEDS = Array.from({ length: 16 }, (_, index) => `seed-${index}`);
const MARTA: WriterContact = {
  id: 'marta',
  email: 'marta@silvacosta.pt',
  firstName: 'Marta',
  lastName: 'Silva',
  title: 'CFO',
  company: 'Silva, Costa & Filhos',
  tags: [],
  custom: {},
  enrichment: {
    painPoints: ['manual route planning', 'carrier invoices are reconciled by hand'],
    techStack: ['SAP', 'Excel'],
    recentNews: 'raised a €12M Series A in June',
  },
};
const OFFER = 'An AI assistant that reconciles invoices and reports automatically.';

function write(overrides: Partial<WriterInput> = {}) {
  return composeMessage({
    contact: MARTA,
    channel: 'email',
    purpose: 'intro',
    sender: { fromName: 'Sam Rivera' },
    workspace: { name: 'Northbeam', offer: OFFER, postalAddress: '1 Main St' },
    previous: [],
    seed: 'marta',
    ...overrides,
  });
}

describe('facts become language', () => {
  it('never pastes the news or a pain point raw, and speaks of the pain the offer solves', () => {
    for (const seed of SEEDS) {
      const { body, factsUsed } = write({ seed });
      expect(body).not.toMatch(/Raised a €12M|\(raised|: raised|news \(/);
      expect(body).toMatch(/carrier invoices/);
      expect(body).not.toMatch(/route planning|routes by hand/);
      expect(body).toMatch(/we built an AI assistant that reconciles invoices and reports automatically\./);
      expect(factsUsed).toContain('enrichment.painPoints[1]');
      expect(factsUsed).not.toContain('enrichment.painPoints[0]');
    }
  });

  it('ties the fact to the offer in one line of reasoning', () => {
    const bodies = SEEDS.map((seed) => write({ seed }).body);
    for (const body of bodies)
      expect(body).toMatch(
        /(That's the problem we work on at Northbeam|It's the reason I'm writing|That's why I'm reaching out): we built/,
      );
  });

  it('is honest when no fact bears on the offer', () => {
    const contact = {
      ...MARTA,
      enrichment: { painPoints: ['manual route planning'], recentNews: 'Expanding to Guadalajara' },
    };
    for (const seed of SEEDS) {
      const { body } = write({ contact, seed });
      expect(body).not.toMatch(/problem we work on|reason I'm writing:|route planning/);
      expect(body).toMatch(/expanding to Guadalajara/i);
    }
  });

  it('writes company names without broken possessives or legal suffixes, and never names them twice in a row', () => {
    for (const seed of SEEDS) {
      for (const company of ['Silva, Costa & Filhos', 'Acme Inc.', 'Kovář s.r.o.']) {
        const contact = { ...MARTA, company, enrichment: {} };
        for (const purpose of ['intro', 'followup_1', 'discovery_call']) {
          const { body } = write({ contact, seed, purpose });
          expect(body).not.toMatch(/Filhos's|Inc\.|s\.r\.o\./);
          expect(body).not.toMatch(/(Filhos|Acme|Kovář)[^\n]{0,60}\bfor (Silva, Costa & Filhos|Acme|Kovář)\b/);
        }
      }
    }
  });

  it('makes a stack of two tools agree ("How do SAP and Excel fit")', () => {
    const { body } = write({ channel: 'call', purpose: 'discovery_call' });
    expect(body).toContain('How do SAP and Excel fit into that workflow?');
    expect(body).not.toMatch(/does SAP and Excel|today: /);
  });

  it('does not claim lastName when the surname only appears inside the company name', () => {
    for (const seed of SEEDS) expect(write({ seed }).factsUsed).not.toContain('lastName');
  });

  it('asks one question in a first touch', () => {
    for (const seed of SEEDS) expect((write({ seed }).body.match(/\?/g) ?? []).length).toBeLessThanOrEqual(1);
  });
});

describe('no placeholder identity', () => {
  it('never names "Default workspace" nor signs "The … team"', () => {
    for (const seed of SEEDS) {
      for (const channel of ['email', 'linkedin', 'whatsapp', 'sms', 'call'] as const) {
        const { body, subject } = write({
          seed,
          channel,
          sender: {},
          workspace: { name: 'Default workspace', offer: OFFER },
        });
        expect(`${subject ?? ''}\n${body}`).not.toMatch(/Default workspace|\bthe [\w ]* team\s*$/im);
      }
    }
  });
});

describe('every channel in its own voice', () => {
  it('WhatsApp: two or three short lines, the first says who is writing', () => {
    for (const seed of SEEDS) {
      for (const purpose of ['intro', 'casual_checkin', 'followup_1', 'breakup']) {
        const lines = write({ seed, channel: 'whatsapp', purpose }).body.split('\n');
        expect(lines.length).toBeGreaterThanOrEqual(2);
        expect(lines.length).toBeLessThanOrEqual(3);
        expect(lines[0]).toMatch(/Sam (from|here|Rivera)|Sam from Northbeam/);
      }
    }
  });

  it("emails are signed by the sending account's person", () => {
    for (const seed of SEEDS) expect(write({ seed }).body.trim().endsWith('\nSam Rivera')).toBe(true);
  });

  it('each follow-up brings something new and never repeats an earlier line', () => {
    for (const [index, seed] of SEEDS.entries()) {
      for (const preset of Object.values(PRESETS)) {
        const previous: PreviousMessage[] = [];
        for (const [step, template] of preset.steps.entries()) {
          const channel = template.channel as WriterChannel;
          const message = write({
            seed: `${seed}:${step}`,
            channel,
            purpose: template.template,
            previous: [...previous],
            variant: index % 2,
          });
          if (channel !== 'call') expect(repeatedLines(message.body, previous), message.body).toEqual([]);
          expect(message.checks.passed, JSON.stringify(message.checks.failures)).toBe(true);
          previous.push({ channel, purpose: template.template, subject: message.subject, body: message.body });
        }
      }
    }
  });
});
