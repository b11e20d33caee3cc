// Contacts and inputs shared by the writer tests.
import type { WriterContact, WriterInput } from '../../src/writer/types.ts';

export const CHANNEL_PURPOSES = [
  ['email', 'intro'],
  ['email', 'followup_1'],
  ['email', 'followup_2'],
  ['email', 'casual_checkin'],
  ['email', 'value_add'],
  ['email', 'discovery_call'],
  ['email', 'breakup'],
  ['email', 'reengage'],
  ['email', 'partnership idea'],
  ['linkedin', 'connection_request'],
  ['linkedin', 'linkedin_dm'],
  ['linkedin', 'followup_1'],
  ['whatsapp', 'intro'],
  ['whatsapp', 'casual_checkin'],
  ['whatsapp', 'followup_1'],
  ['sms', 'intro'],
  ['sms', 'followup_1'],
  ['sms', 'breakup'],
  ['call', 'discovery_call'],
  ['call', 'intro'],
] as const;

const FIRST = ['Dana', 'Priya', 'Tomás', 'Mei', 'Jonas', 'Aisha', 'Lucas', 'Hannah', 'Kofi', 'Sofia'];
const LAST = ['Okafor', 'Raman', 'García', 'Chen', 'Berg', 'Khan', 'Moreau', 'Schmidt', 'Mensah', 'Rossi'];
const COMPANIES = ['Northwind Logistics', 'Brightline Health', 'Kestrel Labs', 'Fjord Analytics', 'Parcel & Co'];
const TOOLS = [['HubSpot', 'Salesforce'], ['Pipedrive'], ['Salesforce', 'Gong', 'Outreach'], ['Zendesk', 'Intercom']];
const PAINS = [
  ['Manual lead research eats SDR time', 'low reply rates on cold email'],
  ['onboarding new reps takes too long'],
  ['Pipeline reviews rely on spreadsheets', 'forecasts miss by a wide margin', 'churn in the first 90 days'],
];

export function richContact(index = 0): WriterContact {
  const first = FIRST[index % FIRST.length] ?? 'Dana';
  const company = COMPANIES[index % COMPANIES.length] ?? 'Northwind Logistics';
  return {
    id: `contact-${index}`,
    email: `${first.toLowerCase()}@example${index}.com`,
    firstName: first,
    lastName: LAST[index % LAST.length] ?? 'Okafor',
    title: index % 2 === 0 ? 'VP Sales' : 'Head of Revenue Operations',
    company,
    companyDomain: `example${index}.com`,
    city: 'Austin',
    country: 'US',
    tags: ['icp'],
    enrichment: {
      painPoints: PAINS[index % PAINS.length] ?? [],
      techStack: TOOLS[index % TOOLS.length] ?? [],
      conversationStarters: [`${first}'s talk at SaaStr 2025 on outbound hiring`, 'the new partner program'],
      industry: 'Logistics software',
      companySize: '201-500',
      recentNews: `${company} raised a $40M Series B in January`,
    },
    custom: { plan: 'enterprise' },
  };
}

export function sparseContact(index = 0): WriterContact {
  const first = FIRST[index % FIRST.length] ?? 'Dana';
  return {
    id: `sparse-${index}`,
    email: `${first.toLowerCase()}@example.com`,
    firstName: first,
    tags: [],
    enrichment: {},
    custom: {},
  };
}

export function makeInput(contact: WriterContact, overrides: Partial<WriterInput> = {}): WriterInput {
  return {
    contact,
    channel: 'email',
    purpose: 'intro',
    sender: { fromName: 'Sam Rivera', fromEmail: 'sam@quotahit.dev' },
    workspace: { name: 'QuotaHit', offer: 'We write and send multi-channel outreach from your own accounts.' },
    previous: [],
    seed: `${contact.id}:step`,
    ...overrides,
  };
}
