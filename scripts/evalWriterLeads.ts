// Deterministic leads for `npm run eval:writer`: a fixed seed, six industries, names from many
// languages (diacritics, apostrophes, hyphens), and three shapes of data: rich (industry, pain
// points, tools, conversation starters, news), partial (industry and one pain point) and sparse
// (a first name, sometimes a company: what a bare CSV import gives).
import { seededRandom } from '../src/core/random.ts';
import type { WriterContact } from '../src/writer/types.ts';

const FIRST = [
  'Dana',
  'Priya',
  'Tomás',
  'Mei',
  'Jonas',
  'Aisha',
  'Łukasz',
  'Zoë',
  'Nguyễn',
  'Søren',
  'Chidi',
  'Siobhán',
  'Mehmet',
  'Aiko',
  'José',
  'Ingrid',
  'Olamide',
  'Björn',
  'Ana-María',
  'Rafał',
];
const LAST = [
  'Okafor',
  'Raman',
  'García',
  'Chen',
  'Berg',
  'Khan',
  'Wiśniewski',
  'Müller',
  'Trần',
  'Ødegaard',
  'Eze',
  "O'Connell",
  'Yılmaz',
  'Tanaka',
  'Fernández',
  'Lindqvist',
  'Adeyemi',
  'Åström',
  'López',
  'Nowak',
];
const INDUSTRIES = [
  {
    industry: 'Logistics software',
    company: ['Northwind Logistics', 'Fjord Freight', 'Parcel & Co'],
    pains: [
      'carrier invoices are reconciled by hand',
      'Late deliveries surface only when customers complain',
      'route planning lives in spreadsheets',
    ],
    tools: ['Salesforce', 'NetSuite', 'Project44'],
  },
  {
    industry: 'Healthcare clinics',
    company: ['Brightline Health', 'Clínica Sol', 'Nordlys Care'],
    pains: [
      'no-show rates around the holidays',
      'Intake forms are still on paper',
      'staff scheduling takes a day every week',
    ],
    tools: ['Epic', 'Zocdoc', 'HubSpot'],
  },
  {
    industry: 'Fintech',
    company: ['Kestrel Pay', 'Ledgerly', 'Münzwerk'],
    pains: ['KYC reviews slow down onboarding', 'churn in the first 90 days', 'Sales cycles with banks drag on'],
    tools: ['Stripe', 'Plaid', 'Salesforce', 'Gong'],
  },
  {
    industry: 'E-commerce',
    company: ['Maison Lumière', 'Hoppa Goods', 'Sakura Home'],
    pains: ['cart abandonment on mobile', 'Returns eat the margin on apparel', 'email list growth has stalled'],
    tools: ['Shopify', 'Klaviyo', 'Gorgias'],
  },
  {
    industry: 'Manufacturing',
    company: ['Stahlwerk Nord', 'Precision Parts Ltd', 'Ōsaka Tooling'],
    pains: [
      'quotes take two weeks to send',
      'Distributors do not share sell-through data',
      'field sales has no CRM discipline',
    ],
    tools: ['SAP', 'Pipedrive'],
  },
  {
    industry: 'B2B SaaS',
    company: ['Fjord Analytics', 'Cobalt HQ', 'Pinecone Labs'],
    pains: [
      'Manual lead research eats SDR time',
      'low reply rates on cold email',
      'onboarding new reps takes too long',
    ],
    tools: ['HubSpot', 'Outreach', 'Apollo', 'Gong'],
  },
];
const TITLES = [
  'VP Sales',
  'Head of Revenue Operations',
  'Founder & CEO',
  'Directora Comercial',
  'Head of Growth',
  'COO',
  'Sales Manager',
];
const STARTERS = [
  'their talk at SaaStr on outbound hiring',
  'the new partner program',
  'a podcast episode on pricing',
  'their post about remote sales teams',
];
const NEWS = [
  '{company} raised a $12M Series A',
  '{company} opened an office in Lisbon',
  '{company} launched a self-serve plan',
  '{company} hired a new CRO',
];

export type LeadKind = 'rich' | 'partial' | 'sparse';
export type Lead = { kind: LeadKind; contact: WriterContact };

export function generateLeads(count: number, seed = 'eval-writer-1'): Lead[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const some = <T>(items: readonly T[], max: number): T[] =>
    items.filter(() => random() < max / items.length).slice(0, max);
  return Array.from({ length: count }, (_, index) => {
    const sector = pick(INDUSTRIES);
    const first = pick(FIRST);
    const company = pick(sector.company);
    const roll = random();
    const kind: LeadKind = roll < 0.5 ? 'rich' : roll < 0.75 ? 'partial' : 'sparse';
    const base = { id: `lead-${index}`, email: `lead${index}@example.com`, firstName: first, tags: [], custom: {} };
    if (kind === 'sparse')
      return { kind, contact: { ...base, ...(random() < 0.5 ? { company } : {}), enrichment: {} } };
    const pains = some(sector.pains, kind === 'rich' ? 3 : 1);
    const enrichment =
      kind === 'rich'
        ? {
            industry: sector.industry,
            painPoints: pains,
            techStack: some(sector.tools, 3),
            conversationStarters: some(STARTERS, 2),
            recentNews: pick(NEWS).replace('{company}', company),
            companySize: pick(['11-50', '51-200', '201-500']),
          }
        : { industry: sector.industry, painPoints: pains };
    const contact: WriterContact = {
      ...base,
      lastName: pick(LAST),
      title: pick(TITLES),
      company,
      city: pick(['Austin', 'Kraków', 'São Paulo', 'Lagos', 'Osaka', 'Dublin']),
      enrichment,
    };
    return { kind, contact };
  });
}
