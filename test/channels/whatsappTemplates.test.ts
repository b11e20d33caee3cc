// The WhatsApp kit: the 24-hour window, choosing the template a step uses, filling and flattening
// its variables within 1,024 characters, and the session-or-template decision of prepare.
import { describe, expect, it } from 'vitest';
import { prepareWhatsApp, waDigits } from '../../src/channels/whatsapp/prepare.ts';
import { chooseTemplate, fillTemplate, flatten } from '../../src/channels/whatsapp/templates.ts';
import type { ChannelTemplate, PrepareContext } from '../../src/channels/types.ts';
import { isWindowOpen } from '../../src/core/whatsappWindow.ts';
import type { Contact } from '../../src/db/contacts.ts';
import { filledTemplateFailure } from '../../src/engine/steps/templateCheck.ts';
import { whatsappMessage } from '../contract/messages.ts';

const now = new Date('2026-03-09T09:00:00Z');
const hours = (h: number) => new Date(now.getTime() - h * 3600_000);
const template = (name: string, body: string, status = 'APPROVED'): ChannelTemplate => ({
  name,
  language: 'en_US',
  category: 'MARKETING',
  body,
  status,
});
const context = (templates: ChannelTemplate[], defaultTemplate?: string) =>
  ({
    now,
    workspace: { name: 'Acme', postalAddress: null },
    sequenceSettings: {},
    links: { publicBaseUrl: '', trackingBaseUrl: '', secret: '' },
    templates,
    credentials: defaultTemplate ? { defaultTemplate } : {},
  }) satisfies PrepareContext & { credentials: { defaultTemplate?: string } };

describe('the 24-hour window', () => {
  it.each([
    [null, false],
    [hours(1), true],
    [hours(23.99), true],
    [hours(24), false],
    [hours(30), false],
  ] as const)('last inbound %s → open %s', (last, open) => {
    expect(isWindowOpen(last, now)).toBe(open);
  });
});

describe('templates', () => {
  it('uses the approved template named like the purpose, else the default; never an unapproved one', () => {
    const list = [template('casual_checkin', 'x', 'PENDING'), template('hello', 'y')];
    expect(chooseTemplate(list, { purpose: 'casual_checkin', defaultTemplate: 'hello' })).toMatchObject({
      ok: true,
      template: { name: 'hello' },
    });
    expect(chooseTemplate(list, { purpose: 'casual_checkin' })).toMatchObject({ ok: false });
    expect(chooseTemplate([template('casual_checkin', 'x')], { purpose: 'casual_checkin' })).toMatchObject({
      ok: true,
    });
  });

  it('fills positional and named variables, each on one line', () => {
    const message = { ...whatsappMessage('t1'), text: 'Line one.\n\nLine\ttwo   spaced.' };
    const positional = fillTemplate(template('a', 'Hi {{1}}, {{2}} — {{3}}'), message);
    expect(positional).toMatchObject({
      ok: true,
      text: 'Hi Ana, Line one. Line two spaced. — Sam',
      send: { parameters: [{ text: 'Ana' }, { text: 'Line one. Line two spaced.' }, { text: 'Sam' }] },
    });
    const named = fillTemplate(template('b', 'Hello {{first_name}}! {{message}}'), message);
    expect(named).toMatchObject({
      ok: true,
      send: { parameters: [{ name: 'first_name', text: 'Ana' }, { name: 'message' }] },
    });
    // Names match without case or separators, and go out spelled as the template writes them.
    const spelled = fillTemplate(template('d', 'Hi {{ContactName}} {{last-name}}, {{Message}} {{AgentName}}'), message);
    expect(spelled).toMatchObject({
      ok: true,
      send: {
        parameters: [
          { name: 'ContactName', text: 'Ana' },
          { name: 'last-name', text: 'Lima' },
          { name: 'Message', text: 'Line one. Line two spaced.' },
          { name: 'AgentName', text: 'Sam' },
        ],
      },
    });
    expect(fillTemplate(template('c', '{{discount_code}}'), message)).toMatchObject({ ok: false });
    expect(flatten(' a\r\n\tb    c ')).toBe('a b c');
  });

  it("fills named variables from the person's facts, and holds with the reason when one is missing", () => {
    const message = {
      ...whatsappMessage('t3'),
      to: { ...whatsappMessage('t3').to, facts: { company: 'Initech', plan_tier: 'Gold\nplus' } },
    };
    const filled = fillTemplate(
      template('f', 'Hi {{first_name}} at {{company_name}} ({{plan_tier}}): {{message}}'),
      message,
    );
    expect(filled).toMatchObject({
      ok: true,
      text: 'Hi Ana at Initech (Gold plus): Hi Ana, a short note about your rollout.',
      send: {
        parameters: [
          { name: 'first_name', text: 'Ana' },
          { name: 'company_name', text: 'Initech' },
          { name: 'plan_tier', text: 'Gold plus' },
          { name: 'message' },
        ],
      },
    });
    expect(fillTemplate(template('g', 'Hi {{1}}, how is {{city}}?'), message)).toEqual({
      ok: false,
      reason: 'template "g" mixes positional and named variables (Meta takes one kind)',
    });
    expect(fillTemplate(template('h', 'Hello {{first_name}}, how is {{city}}?'), message)).toEqual({
      ok: false,
      reason: 'template "h" needs {{city}}: the contact has no city (a contact fact)',
    });
  });

  it('positional variables are checked against their count and sent in their order', () => {
    const message = whatsappMessage('t4');
    expect(fillTemplate(template('a', '{{2}} — {{1}}'), message)).toMatchObject({
      ok: true,
      text: 'Hi Ana, a short note about your rollout. — Ana',
      send: { parameters: [{ text: 'Ana' }, { text: 'Hi Ana, a short note about your rollout.' }] },
    });
    expect(fillTemplate(template('b', 'Hi {{1}}, {{3}}'), message)).toEqual({
      ok: false,
      reason: 'template "b" has variables {{1}}, {{3}}: they must be {{1}} to {{2}}',
    });
    expect(fillTemplate(template('c', '{{1}} {{2}} {{3}} {{4}}'), message)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('has 4 parameters; positional ones are filled as {{1}} first name'),
    });
  });

  it('keeps the filled body within 1,024 characters by shortening the message', () => {
    const message = { ...whatsappMessage('t2'), text: 'word '.repeat(400) };
    const filled = fillTemplate(template('a', 'Hi {{1}}, {{2}}'), message);
    expect(filled.ok).toBe(true);
    if (filled.ok) expect(filled.text.length).toBeLessThanOrEqual(1024);
  });

  it('phones go as digits with the country code', () => {
    expect(waDigits('+1 (650) 555-1234')).toBe('16505551234');
    expect(waDigits('abc')).toBeUndefined();
  });
});

describe('prepare: session text inside the window, a template outside, else held', () => {
  const list = [template('casual_checkin', 'Hi {{1}}, {{2}}')];
  it('inside the window the writer text goes as it is', () => {
    const prepared = prepareWhatsApp(whatsappMessage('p1'), { earlier: [], lastInboundAt: hours(2) }, context(list));
    expect(prepared).toMatchObject({ ok: true, message: { text: whatsappMessage('p1').text } });
    if (prepared.ok) expect(prepared.message.template).toBeUndefined();
  });
  it('outside the window the template goes, and its filled text is stored', () => {
    const prepared = prepareWhatsApp(whatsappMessage('p2'), { earlier: [], lastInboundAt: hours(25) }, context(list));
    expect(prepared).toMatchObject({
      ok: true,
      message: { template: { name: 'casual_checkin' } },
      record: { body: expect.stringMatching(/^Hi Ana, /) },
    });
  });
  it('with no approved template and no window the step is held (template_required)', () => {
    const prepared = prepareWhatsApp(whatsappMessage('p3'), { earlier: [], lastInboundAt: null }, context([]));
    expect(prepared).toMatchObject({ ok: false, failure: { kind: 'template_required' } });
  });
});

describe("the writer's guardrails on a filled template", () => {
  const contact: Contact = {
    id: '0190f5c2-0000-7000-8000-000000000001',
    email: null,
    phone: '+16505551234',
    linkedinUrl: null,
    firstName: 'Ana',
    lastName: 'Lima',
    title: null,
    company: 'Initech',
    companyDomain: null,
    timezone: null,
    country: null,
    city: null,
    tags: [],
    enrichment: {},
    custom: {},
    whatsappOptIn: true,
    smsOptIn: null,
    status: 'new',
    linkedinConnectedAt: null,
    createdAt: '',
    updatedAt: '',
  };
  const approved = template('offer', 'Hi {{first_name}}, {{message}} {{company}} gets QuotaPro free for 30 days.');
  const check = (facts: Record<string, string>) => {
    const written = 'Saw Initech is hiring.\nWorth a chat this week?';
    const base = { ...whatsappMessage('m1'), text: written, to: { phone: '+16505551234', name: 'Ana', facts } };
    const filled = fillTemplate(approved, base);
    if (!filled.ok) throw new Error(filled.reason);
    const message = { ...base, text: filled.text, template: filled.send };
    const workspace = { name: 'Acme', offer: null, postalAddress: null };
    return filledTemplateFailure(message, [approved], { written, contact, sender: null, workspace });
  };

  it("passes the template's own words and the writer's message, flattened into the sentence", () => {
    expect(check({ company: 'Initech' })).toBeUndefined();
  });

  it('holds a value that is not among the facts (an invented fact), with the reason', () => {
    expect(check({ company: 'Globex' })).toEqual({
      kind: 'template_required',
      message: `template "offer" filled fails the writer's checks: "Globex" (name) does not appear in the contact, enrichment, workspace or sender`,
    });
  });
});
