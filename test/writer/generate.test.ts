import { describe, expect, it } from 'vitest';
import {
  generateCallScript,
  generateColdEmailVariants,
  generateEmail,
  generateLinkedInDM,
  generateLinkedInNote,
  generateSms,
  generateWhatsApp,
} from '../../src/writer/generate.ts';
import { smsSegments } from '../../src/core/smsSegments.ts';
import { createWriter } from '../../src/writer/writer.ts';

const writer = createWriter();
const base = {
  contact: {
    id: 'c1',
    email: 'ana@acme.example.com',
    firstName: 'Ana',
    company: 'Acme',
    title: 'VP Operations',
    tags: [],
    enrichment: {
      painPoints: ['manual month-end reporting'],
      techStack: ['HubSpot'],
      recentNews: 'Acme opened a Berlin office',
    },
    custom: {},
  },
  sender: { fromName: 'Sam' },
  workspace: { name: 'Ledgerly', offer: 'We automate month-end reporting.' },
  previous: [],
  seed: 'c1:0',
};

describe('the writer by purpose', () => {
  it('writes every channel within its limits, from the lead data, passing the guardrails', async () => {
    const email = await generateEmail(writer, base);
    expect(email.ok && email.subject && email.body.includes('Ana')).toBeTruthy();
    const note = await generateLinkedInNote(writer, { ...base, sender: { fromName: 'Sam', linkedinFree: true } });
    expect(note.ok && [...note.body].length <= 200).toBe(true);
    const dm = await generateLinkedInDM(writer, base);
    const whatsapp = await generateWhatsApp(writer, base);
    const sms = await generateSms(writer, base);
    expect(sms.ok && smsSegments(sms.body).segments <= 3).toBe(true);
    const call = await generateCallScript(writer, base);
    expect(call.ok && call.body.includes('Discovery questions')).toBe(true);
    for (const outcome of [email, note, dm, whatsapp, sms, call]) {
      expect(outcome.ok && outcome.checks.passed).toBe(true);
      expect(outcome.ok && outcome.body).not.toMatch(/\{\{|\}\}/);
    }
  });

  it('writes three cold-email variants that differ', async () => {
    const variants = await generateColdEmailVariants(writer, base);
    expect(variants).toHaveLength(3);
    const bodies = variants.map((v) => (v.ok ? v.body : ''));
    expect(new Set(bodies).size).toBe(3);
    await expect(generateColdEmailVariants(writer, base, 0)).rejects.toThrow(/count must be a whole number/);
  });
});
