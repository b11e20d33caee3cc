// HubSpot CRM v3 over its REST API with a private app's access token (Authorization: Bearer).
// Contacts are upserted by email (PATCH /crm/v3/objects/contacts/{email}?idProperty=email, 404 →
// POST; a 409 "Contact already exists. Existing ID: n" names the one a concurrent call made),
// deals created with the HUBSPOT_DEFINED deal→contact association (type 3) in a pipeline/stage,
// notes (hs_note_body, hs_timestamp) associated with the contact (202) and the deal (214); search
// (POST …/search, filterGroups) finds a deal or note whose creation's answer was lost. A 429 names
// its policy (body policyName: SECONDLY, TEN_SECONDLY_ROLLING, DAILY) and the interval in
// X-HubSpot-RateLimit-Interval-Milliseconds. Sources: developers.hubspot.com/docs/api/crm/contacts,
// /crm/deals, /crm/notes, /crm/search, /crm/associations, /usage-details (rate limits).
import { callJson, idOf, type CallInput, type CrmApi, type CrmClientInput } from './crmApi.ts';

export const HUBSPOT_BASE_URL = 'https://api.hubapi.com';
const DEAL_TO_CONTACT = 3;
const NOTE_TO_CONTACT = 202;
const NOTE_TO_DEAL = 214;

const association = (id: string, typeId: number) => ({
  to: { id },
  types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId }],
});

export function hubspotClient({ http, token, settings, now }: CrmClientInput): CrmApi {
  const base = settings.baseUrl.replace(/\/+$/, '');
  const call = (input: Omit<CallInput, 'headers' | 'now' | 'url'> & { path: string }) =>
    callJson(http, {
      ...input,
      url: `${base}${input.path}`,
      headers: { authorization: `Bearer ${token}` },
      now,
      isDaily: (r) => /DAILY/i.test(r.body),
    });
  const search = async (object: string, filters: { propertyName: string; operator: string; value: string }[]) => {
    const { json } = await call({
      method: 'POST',
      path: `/crm/v3/objects/${object}/search`,
      body: { filterGroups: [{ filters }], limit: 1 },
    });
    const results = Array.isArray(json.results) ? (json.results as { id?: unknown }[]) : [];
    return results[0] ? idOf(results[0].id, object) : undefined;
  };
  return {
    async upsertPerson(contact) {
      const properties = {
        firstname: contact.firstName ?? undefined,
        lastname: contact.lastName ?? undefined,
        company: contact.company ?? undefined,
        jobtitle: contact.title ?? undefined,
        phone: contact.phone ?? undefined,
      };
      const path = `/crm/v3/objects/contacts/${encodeURIComponent(contact.email)}?idProperty=email`;
      const updated = await call({ method: 'PATCH', path, body: { properties }, expect: [404] });
      if (updated.status !== 404) return idOf(updated.json.id, 'contact');
      const created = await call({
        method: 'POST',
        path: '/crm/v3/objects/contacts',
        body: { properties: { ...properties, email: contact.email } },
        expect: [409],
      });
      if (created.status !== 409) return idOf(created.json.id, 'contact');
      const existing = /Existing ID:\s*(\d+)/.exec(String(created.json.message ?? ''))?.[1];
      return idOf(existing, 'existing contact');
    },
    findDeal: ({ personId, title }) =>
      search('deals', [
        { propertyName: 'dealname', operator: 'EQ', value: title },
        { propertyName: 'associations.contact', operator: 'EQ', value: personId },
      ]),
    async createDeal({ personId, title, stage }) {
      const { json } = await call({
        method: 'POST',
        path: '/crm/v3/objects/deals',
        body: {
          properties: {
            dealname: title,
            dealstage: stage,
            ...(settings.pipeline ? { pipeline: settings.pipeline } : {}),
          },
          associations: [association(personId, DEAL_TO_CONTACT)],
        },
      });
      return idOf(json.id, 'deal');
    },
    async setDealStage({ dealId, stage }) {
      await call({
        method: 'PATCH',
        path: `/crm/v3/objects/deals/${dealId}`,
        body: { properties: { dealstage: stage } },
      });
    },
    async setPersonField({ personId, field, value }) {
      await call({
        method: 'PATCH',
        path: `/crm/v3/objects/contacts/${personId}`,
        body: { properties: { [field]: value } },
      });
    },
    async findNote({ personId, marker }) {
      const found = await search('notes', [
        { propertyName: 'hs_note_body', operator: 'CONTAINS_TOKEN', value: marker },
        { propertyName: 'associations.contact', operator: 'EQ', value: personId },
      ]);
      return found !== undefined;
    },
    async addNote({ personId, dealId, body, at }) {
      await call({
        method: 'POST',
        path: '/crm/v3/objects/notes',
        body: {
          properties: { hs_note_body: body, hs_timestamp: at.toISOString() },
          associations: [
            association(personId, NOTE_TO_CONTACT),
            ...(dealId ? [association(dealId, NOTE_TO_DEAL)] : []),
          ],
        },
      });
    },
  };
}
