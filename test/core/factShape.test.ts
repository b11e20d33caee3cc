// Issue 18, points 1, 3 and 4: facts become language (compromise inflects them), the offer is put in
// the sender's voice, company names lose their legal suffix and never get a broken possessive.
import { describe, expect, it } from 'vitest';
import { companyPossessive, displayCompany } from '../../src/core/companyName.ts';
import { shapePain, shapeStarter } from '../../src/core/factShape.ts';
import { shapeNews } from '../../src/core/newsShape.ts';
import { shapeOffer } from '../../src/core/offerShape.ts';
import { relevanceOf } from '../../src/core/relevance.ts';
import { shapeRole, shapeStack } from '../../src/core/roleShape.ts';
import { articleFor } from '../../src/core/nlp.ts';

describe('pain points', () => {
  it.each([
    ['manual route planning', { phrase: 'planning routes by hand', topic: 'route planning' }],
    ['manual month-end reporting', { phrase: 'doing month-end reporting by hand', topic: 'month-end reporting' }],
    [
      'carrier invoices are reconciled by hand',
      {
        clause: 'carrier invoices are reconciled by hand',
        phrase: 'reconciling carrier invoices by hand',
        topic: 'carrier invoices',
      },
    ],
    [
      'Late deliveries surface only when customers complain',
      { clause: 'late deliveries surface only when customers complain', topic: 'late deliveries' },
    ],
    [
      'route planning lives in spreadsheets',
      { clause: 'route planning lives in spreadsheets', topic: 'route planning' },
    ],
    ['KYC reviews slow down onboarding', { clause: 'KYC reviews slow down onboarding', topic: 'KYC reviews' }],
    [
      'low reply rates on cold email',
      { phrase: 'low reply rates on cold email', topic: 'reply rates on cold email', plural: true },
    ],
    ['churn in the first 90 days', { phrase: 'churn in the first 90 days', plural: false }],
    ['Hiring enough SDRs', { phrase: 'hiring enough SDRs', plural: false }],
  ])('%s', (text, expected) => {
    expect(shapePain(text)).toMatchObject(expected);
  });

  it('keeps names at the start of a fact in their capitals', () => {
    expect(shapePain('Salesforce data is messy', new Set(['salesforce']))?.clause).toBe('Salesforce data is messy');
  });

  it('leaves out what it cannot read as a clause or a phrase', () => {
    expect(shapePain('Why is onboarding so slow?')).toBeUndefined();
    expect(shapePain('see notes: (call back)')).toBeUndefined();
  });
});

describe('news', () => {
  it('turns raw headlines into "saw …" and "congrats on …"', () => {
    expect(shapeNews('raised a €12M Series A in June')).toMatchObject({
      seen: 'you raised a €12M Series A in June',
      congrats: 'the €12M Series A',
      topic: 'the Series A',
    });
    expect(shapeNews('Northwind raised a $40M Series B', { company: 'Northwind' })?.seen).toBe(
      'you raised a $40M Series B',
    );
    expect(shapeNews('Expanding to Guadalajara')).toMatchObject({
      seen: "you're expanding to Guadalajara",
      congrats: 'expanding to Guadalajara',
    });
    expect(shapeNews('Acme opened a Berlin office', { company: 'Acme Inc.' })?.congrats).toBe(
      'opening a Berlin office',
    );
    expect(shapeNews('Acme was named to the Inc. 5000 list', { company: 'Acme' })?.congrats).toBe(
      'being named to the Inc. 5000 list',
    );
    expect(shapeNews('Partnership with Stripe')?.congrats).toBe('the partnership with Stripe');
  });

  it('congratulates nobody on bad news', () => {
    for (const news of ['Acme laid off 10% of staff', 'Acme was acquired by Globex', 'CEO resigned after lawsuit'])
      expect(shapeNews(news, { company: 'Acme' })).toBeUndefined();
  });
});

describe('conversation starters', () => {
  it('speaks to the person', () => {
    expect(shapeStarter('their talk at SaaStr on outbound hiring')?.phrase).toBe(
      'your talk at SaaStr on outbound hiring',
    );
    expect(shapeStarter("Dana's talk at SaaStr 2025", new Set(['dana']))?.phrase).toBe('your talk at SaaStr 2025');
    expect(shapeStarter('She spoke at SaaStr about outbound hiring')?.clause).toBe(
      'you spoke at SaaStr about outbound hiring',
    );
    expect(shapeStarter('Dana writes a newsletter about RevOps', new Set(['dana']))?.clause).toBe(
      'you write a newsletter about RevOps',
    );
  });
});

describe('offer in the sender voice', () => {
  it.each([
    [
      'We write and send multi-channel outreach from your own accounts.',
      'we write and send multi-channel outreach from your own accounts',
      'multi-channel outreach',
    ],
    [
      'An AI assistant that reconciles invoices and reports automatically.',
      'we built an AI assistant that reconciles invoices and reports automatically',
      'invoices and reports',
    ],
    [
      'Automates month-end reporting for finance teams',
      'we automate month-end reporting for finance teams',
      'month-end reporting',
    ],
    [
      'Helping clinics replace paper intake forms with an online check-in',
      'we help clinics replace paper intake forms with an online check-in',
      'paper intake forms',
    ],
    [
      'Route planning software that builds delivery routes automatically.',
      'we built route planning software that builds delivery routes automatically',
      'delivery routes',
    ],
    ['Automate your invoice matching', 'we automate your invoice matching', 'invoice matching'],
  ])('%s', (offer, line, topic) => {
    expect(shapeOffer(offer, 'Northbeam')).toMatchObject({ line, topic });
  });

  it('reads "<Name> helps …" as "we help …" and keeps stated customer results apart', () => {
    expect(
      shapeOffer(
        'Ledgerly helps finance teams close the books faster. Customers like Acme close in three days.',
        'Ledgerly',
      ),
    ).toMatchObject({
      line: 'we help finance teams close the books faster',
      proof: ['Customers like Acme close in three days'],
    });
  });
});

describe('relevance', () => {
  const offer = 'An AI assistant that reconciles invoices and reports automatically.';
  it('finds the pain the offer addresses, not merely any manual task', () => {
    expect(relevanceOf('carrier invoices are reconciled by hand', offer).level).toBe('strong');
    expect(relevanceOf('manual route planning', offer).level).toBe('none');
    expect(relevanceOf('low reply rates on cold email', 'We write and send multi-channel outreach.').level).toBe(
      'soft',
    );
  });
});

describe('roles, stacks, articles', () => {
  it('reads titles and stacks', () => {
    expect(shapeRole('VP Sales', 'Acme')?.clause).toBe('you lead sales');
    expect(shapeRole('Founder & CEO', 'Acme')?.clause).toBe('you run Acme');
    expect(shapeRole('Chief Financial Officer', 'Acme')?.clause).toBe('you run finance');
    expect(shapeRole('Directora Comercial', 'Acme')?.clause).toBeUndefined();
    expect(shapeStack(['SAP', 'Excel'])).toEqual({ tools: ['SAP', 'Excel'], text: 'SAP and Excel', plural: true });
    expect(shapeStack(['HubSpot'])?.plural).toBe(false);
  });
  it('picks a/an by sound', () => {
    expect(['SDR', 'URL', 'hour', 'user', 'update', 'AI assistant', 'one-off'].map(articleFor)).toEqual([
      'an',
      'a',
      'an',
      'a',
      'an',
      'an',
      'a',
    ]);
  });
});

describe('company names', () => {
  it.each([
    ['Acme Inc.', 'Acme', "Acme's"],
    ['Acme, Inc', 'Acme', "Acme's"],
    ['Kovář s.r.o.', 'Kovář', "Kovář's"],
    ['Stahlwerk Nord GmbH', 'Stahlwerk Nord', "Stahlwerk Nord's"],
    ['Ōsaka Tooling K.K.', 'Ōsaka Tooling', "Ōsaka Tooling's"],
    ['Silva, Costa & Filhos', 'Silva, Costa & Filhos', undefined],
    ['Precision Parts Ltd', 'Precision Parts', undefined],
    ['Parcel & Co', 'Parcel & Co', undefined],
    ['Fjord AS', 'Fjord', "Fjord's"],
  ])('%s → %s', (name, display, possessive) => {
    expect(displayCompany(name)).toBe(display);
    expect(companyPossessive(name)).toBe(possessive);
  });
});
