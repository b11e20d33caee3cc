import { describe, it, expect } from 'vitest';
import { composeMessage, composeVariants } from '../../src/writer/composer.ts';
import { checkMessage } from '../../src/writer/guardrails.ts';
import { smsSegments } from '../../src/core/smsSegments.ts';
import { CHANNEL_PURPOSES, makeInput, richContact, sparseContact } from './contacts.ts';
import type { WriterInput } from '../../src/writer/types.ts';

const SEEDS = Array.from({ length: 12 }, (_, index) => `seed-${index}`);

describe('composeMessage passes guardrails for every channel and purpose', () => {
  for (const [channel, purpose] of CHANNEL_PURPOSES) {
    for (const [shape, build] of [
      ['rich', richContact],
      ['sparse', sparseContact],
    ] as const) {
      it(`${channel} / ${purpose} / ${shape}`, () => {
        SEEDS.forEach((seed, index) => {
          const input = makeInput(build(index), { channel, purpose, seed });
          const message = composeMessage(input);
          expect(message.checks.failures, `${seed}: ${message.body}`).toEqual([]);
          expect(message.body.length).toBeGreaterThan(0);
          if (channel === 'email') expect(message.subject?.length ?? 0).toBeGreaterThan(0);
          else expect(message.subject).toBeUndefined();
        });
      });
    }
  }
});

describe('channel limits', () => {
  it('keeps LinkedIn connection notes within 200 characters for free accounts', () => {
    for (const seed of SEEDS) {
      const input = makeInput(richContact(3), {
        channel: 'linkedin',
        purpose: 'connection_request',
        seed,
        sender: { fromName: 'Sam Rivera', linkedinFree: true },
      });
      expect([...composeMessage(input).body].length).toBeLessThanOrEqual(200);
    }
  });

  it('keeps a first SMS in one GSM-7 segment (160 characters), the opt-out line included', () => {
    for (const seed of SEEDS) {
      for (const build of [richContact, sparseContact]) {
        const body = composeMessage(makeInput(build(1), { channel: 'sms', seed })).body;
        const info = smsSegments(body);
        expect(info.encoding, body).toBe('GSM-7');
        expect(info.segments, body).toBe(1);
        expect(body.endsWith('Reply STOP to opt out.'), body).toBe(true);
      }
    }
  });

  it('writes a call script with every section', () => {
    const body = composeMessage(makeInput(richContact(2), { channel: 'call', purpose: 'discovery_call' })).body;
    for (const heading of ['Opener:', 'Discovery questions:', 'Objection handling:', 'Close:'])
      expect(body).toContain(heading);
    expect(body).toMatch(/pipeline reviews rely on spreadsheets/i);
  });
});

describe('facts', () => {
  it('uses enrichment facts that exist and reports them', () => {
    const message = composeMessage(makeInput(richContact(0)));
    expect(message.factsUsed.some((fact) => fact.startsWith('enrichment.'))).toBe(true);
    expect(message.factsUsed).toContain('firstName');
  });

  it('mentions the workspace offer and signs off with the sender name', () => {
    const message = composeMessage(makeInput(sparseContact(0), { seed: 'offer' }));
    expect(message.body).toMatch(/multi-channel outreach/);
    expect(message.body.trim().endsWith('Sam Rivera')).toBe(true);
  });

  it('never states a number or proper noun that is not in the input', () => {
    for (const [channel, purpose] of CHANNEL_PURPOSES) {
      const input = makeInput(sparseContact(4), { channel, purpose, seed: `nf-${purpose}` });
      const message = composeMessage(input);
      expect(`${message.subject ?? ''} ${message.body}`).not.toMatch(/\d/);
    }
  });

  it('a follow-up does not repeat the fact the previous message used', () => {
    const contact = richContact(0);
    const first = composeMessage(makeInput(contact, { purpose: 'intro', seed: 'fu' }));
    const previous: WriterInput['previous'] = [
      { channel: 'email', purpose: 'intro', subject: first.subject, body: first.body },
    ];
    const followUp = composeMessage(makeInput(contact, { purpose: 'followup_1', seed: 'fu', previous }));
    const repeated = followUp.factsUsed.filter(
      (fact) => fact.startsWith('enrichment.') && first.factsUsed.includes(fact),
    );
    expect(repeated).toEqual([]);
    expect(followUp.subject).toBe(first.subject);
    const second = composeMessage(
      makeInput(contact, {
        purpose: 'followup_2',
        seed: 'fu',
        previous: [
          ...previous,
          { channel: 'email', purpose: 'followup_1', subject: followUp.subject, body: followUp.body },
        ],
      }),
    );
    const again = second.factsUsed.filter(
      (fact) => fact.startsWith('enrichment.') && [...first.factsUsed, ...followUp.factsUsed].includes(fact),
    );
    expect(again).toEqual([]);
  });
});

describe('variety and determinism', () => {
  it('is deterministic for a seed', () => {
    const input = makeInput(richContact(0), { seed: 'same' });
    expect(composeMessage(input)).toEqual(composeMessage(input));
  });

  it('gives at least 80% distinct bodies across 50 contacts with the same data', () => {
    for (const [channel, purpose] of [
      ['email', 'intro'],
      ['email', 'followup_1'],
      ['linkedin', 'linkedin_dm'],
      ['whatsapp', 'intro'],
    ] as const) {
      for (const build of [richContact, sparseContact]) {
        const bodies = Array.from({ length: 50 }, (_, index) => {
          // Same facts for everyone (index 0); only the contact's seed differs.
          const input = makeInput(build(0), { channel, purpose, seed: `contact-${index}:step-1` });
          return composeMessage(input).body;
        });
        expect(new Set(bodies).size / bodies.length, `${channel}/${purpose}`).toBeGreaterThanOrEqual(0.8);
      }
    }
  });

  it('variants lead with different angles and subjects', () => {
    const variants = composeVariants(makeInput(richContact(0), { seed: 'ab' }), 3);
    expect(variants).toHaveLength(3);
    expect(new Set(variants.map((variant) => variant.subject)).size).toBe(3);
    expect(
      new Set(variants.map((variant) => variant.factsUsed.filter((fact) => fact.startsWith('enrichment.'))[0])).size,
    ).toBe(3);
    for (const variant of variants) expect(variant.checks.passed).toBe(true);
  });

  it('reports the guardrail result it computed', () => {
    const input = makeInput(richContact(1), { seed: 'report' });
    const message = composeMessage(input);
    const again = checkMessage({
      channel: 'email',
      subject: message.subject,
      body: message.body,
      contact: input.contact,
      workspace: input.workspace,
      sender: input.sender,
    });
    expect(again.passed).toBe(message.checks.passed);
  });
});
