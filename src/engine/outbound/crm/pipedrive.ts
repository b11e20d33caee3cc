// Pipedrive over its REST API with an API token (the x-api-token header) on the company's domain
// (https://<company>.pipedrive.com). Persons are found by email (GET /api/v2/persons/search,
// fields=email, exact_match) or created (POST /api/v2/persons with emails[]), deals created in a
// stage (POST /api/v2/deals: title, person_id, stage_id, pipeline_id) and moved (PATCH
// /api/v2/deals/{id}), our stage written to a person custom field (PATCH /api/v2/persons/{id}
// custom_fields), notes added (POST /api/v1/notes: content, person_id, deal_id) and listed (GET
// /api/v1/notes?person_id) to find one whose answer was lost. Answers are {"success","data"}.
// Rate limits: a daily token budget and a 2-second burst window; a 429 carries x-ratelimit-limit,
// x-ratelimit-remaining, x-ratelimit-reset (seconds) and, for API tokens, x-daily-requests-left.
// Sources: developers.pipedrive.com/docs/api/v1 (Persons, Deals, Notes; v2 Persons, Deals),
// pipedrive.readme.io/docs/core-api-concepts-rate-limiting.
import { callJson, idOf, type CallInput, type CrmApi, type CrmClientInput } from './crmApi.ts';

export const PIPEDRIVE_BASE_URL = 'https://api.pipedrive.com';
const numeric = (id: string) => (/^\d+$/.test(id) ? Number(id) : id);

export function pipedriveClient({ http, token, settings, now }: CrmClientInput): CrmApi {
  const base = settings.baseUrl.replace(/\/+$/, '');
  const call = (input: Omit<CallInput, 'headers' | 'now' | 'url'> & { path: string }) =>
    callJson(http, {
      ...input,
      url: `${base}${input.path}`,
      headers: { 'x-api-token': token },
      now,
      isDaily: (r) => r.headers['x-daily-requests-left'] === '0' || /daily|budget/i.test(r.body),
    });
  const list = (json: Record<string, unknown>) =>
    Array.isArray(json.data) ? (json.data as Record<string, unknown>[]) : [];
  return {
    async upsertPerson(contact) {
      const query = new URLSearchParams({ term: contact.email, fields: 'email', exact_match: 'true', limit: '1' });
      const found = await call({ method: 'GET', path: `/api/v2/persons/search?${query}` });
      const items = (found.json.data as { items?: { item?: { id?: unknown } }[] } | null)?.items ?? [];
      if (items[0]?.item) return idOf(items[0].item.id, 'person');
      const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.email;
      const { json } = await call({
        method: 'POST',
        path: '/api/v2/persons',
        body: {
          name,
          emails: [{ value: contact.email, primary: true, label: 'work' }],
          ...(contact.phone ? { phones: [{ value: contact.phone, primary: true, label: 'work' }] } : {}),
        },
      });
      return idOf((json.data as { id?: unknown } | null)?.id, 'person');
    },
    async findDeal({ personId, title }) {
      const { json } = await call({
        method: 'GET',
        path: `/api/v2/deals?person_id=${encodeURIComponent(personId)}&limit=100`,
      });
      const deal = list(json).find((d) => d.title === title);
      return deal ? idOf(deal.id, 'deal') : undefined;
    },
    async createDeal({ personId, title, stage }) {
      const { json } = await call({
        method: 'POST',
        path: '/api/v2/deals',
        body: {
          title,
          person_id: numeric(personId),
          stage_id: numeric(stage),
          ...(settings.pipeline ? { pipeline_id: numeric(settings.pipeline) } : {}),
        },
      });
      return idOf((json.data as { id?: unknown } | null)?.id, 'deal');
    },
    async setDealStage({ dealId, stage }) {
      await call({ method: 'PATCH', path: `/api/v2/deals/${dealId}`, body: { stage_id: numeric(stage) } });
    },
    async setPersonField({ personId, field, value }) {
      await call({ method: 'PATCH', path: `/api/v2/persons/${personId}`, body: { custom_fields: { [field]: value } } });
    },
    async findNote({ personId, marker }) {
      const { json } = await call({
        method: 'GET',
        path: `/api/v1/notes?person_id=${encodeURIComponent(personId)}&limit=500`,
      });
      return list(json).some((n) => typeof n.content === 'string' && n.content.includes(marker));
    },
    async addNote({ personId, dealId, body, at }) {
      await call({
        method: 'POST',
        path: '/api/v1/notes',
        body: {
          content: body,
          person_id: numeric(personId),
          ...(dealId ? { deal_id: numeric(dealId) } : {}),
          add_time: at.toISOString().slice(0, 19).replace('T', ' '),
        },
      });
    },
  };
}
