// Pipedrive's client against its local fake (Pipedrive API v1/v2 as documented).
import { pipedriveClient } from '../../src/engine/outbound/crm/pipedrive.ts';
import { pipedrive429, startPipedrive } from '../fakes/pipedrive.ts';
import { crmContract } from './crmContract.ts';

crmContract('pipedrive', {
  client: pipedriveClient,
  async start() {
    const fake = await startPipedrive({ token: 'pd-contract-token' });
    return {
      url: fake.url,
      token: 'pd-contract-token',
      faults: fake.state.faults,
      persons: () => fake.store.persons.length,
      deals: () => fake.store.deals.map((d) => ({ id: String(d.id), stage: String(d.stage_id) })),
      personField: (id, field) =>
        (fake.store.persons.find((p) => String(p.id) === id)?.custom_fields as Record<string, unknown> | undefined)?.[
          field
        ],
      notes: () => fake.store.notes.map((n) => String(n.content)),
      rateLimited: (seconds) => pipedrive429({ reset: String(seconds) }),
      dailyLimited: () => pipedrive429({ daily: true }),
      stages: ['3', '5'],
      close: fake.close,
    };
  },
});
