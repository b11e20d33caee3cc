// HubSpot's client against its local fake (HubSpot CRM v3 as documented).
import { hubspotClient } from '../../src/engine/outbound/crm/hubspot.ts';
import { hubspot429, startHubspot } from '../fakes/hubspot.ts';
import { crmContract } from './crmContract.ts';

crmContract('hubspot', {
  client: hubspotClient,
  async start() {
    const fake = await startHubspot({ token: 'pat-na1-contract' });
    return {
      url: fake.url,
      token: 'pat-na1-contract',
      faults: fake.state.faults,
      persons: () => fake.store.contacts.length,
      deals: () => fake.store.deals.map((d) => ({ id: d.id, stage: d.properties.dealstage ?? '' })),
      personField: (id, field) => fake.store.contacts.find((c) => c.id === id)?.properties[field],
      notes: () => fake.store.notes.map((n) => n.properties.hs_note_body ?? ''),
      rateLimited: (seconds) => hubspot429('TEN_SECONDLY_ROLLING', { intervalMs: seconds * 1000 }),
      dailyLimited: () => hubspot429('DAILY'),
      stages: ['appointmentscheduled', 'closedwon'],
      close: fake.close,
    };
  },
});
