// A HubSpot CRM v3 fake, written from developers.hubspot.com/docs/api/crm/contacts (create; update
// by id or by email with ?idProperty=email, 404 when none; 409 "Contact already exists. Existing
// ID: n" on a duplicate email), /crm/deals and /crm/notes (properties + associations with
// HUBSPOT_DEFINED type ids: deal→contact 3, note→contact 202, note→deal 214; a note requires
// hs_timestamp), /crm/search (filterGroups of filters: EQ, CONTAINS_TOKEN, associations.contact)
// and /usage-details (private apps: Authorization: Bearer; X-HubSpot-RateLimit-Max, -Remaining,
// -Interval-Milliseconds on answers; a 429 is {"status":"error","errorType":"RATE_LIMIT",
// "policyName"}). Errors are {"status":"error","message","correlationId","category"}.
import { randomUUID } from 'node:crypto';
import { route, startCrmFake, type FakeAnswer, type FakeRequest } from './crmFakeServer.ts';

type Association = { to: { id: string }; types: { associationCategory: string; associationTypeId: number }[] };
type HubObject = {
  id: string;
  properties: Record<string, string>;
  contacts: string[];
  deals: string[];
  createdAt: string;
};

const error = (status: number, message: string, category: string): FakeAnswer => ({
  status,
  body: { status: 'error', message, correlationId: randomUUID(), category },
});
const view = (o: HubObject) => ({
  id: o.id,
  properties: o.properties,
  createdAt: o.createdAt,
  updatedAt: o.createdAt,
  archived: false,
});

export const hubspot429 = (
  policyName: 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY',
  options: { retryAfter?: string; intervalMs?: number } = {},
): FakeAnswer => ({
  status: 429,
  headers: {
    'x-hubspot-ratelimit-interval-milliseconds': String(options.intervalMs ?? 10_000),
    'x-hubspot-ratelimit-max': '100',
    'x-hubspot-ratelimit-remaining': '0',
    ...(options.retryAfter ? { 'retry-after': options.retryAfter } : {}),
  },
  body: {
    status: 'error',
    message: `You have reached your ${policyName.toLowerCase()} limit.`,
    errorType: 'RATE_LIMIT',
    correlationId: randomUUID(),
    policyName,
  },
});

export async function startHubspot(options: { token: string }) {
  let next = 100;
  const store = { contacts: [] as HubObject[], deals: [] as HubObject[], notes: [] as HubObject[] };
  const props = (req: FakeRequest) =>
    (req.body as { properties?: Record<string, string> } | undefined)?.properties ?? {};
  const create = (kind: 'deals' | 'notes', req: FakeRequest, typeIds: Record<number, 'contacts' | 'deals'>) => {
    const o: HubObject = {
      id: String(next++),
      properties: { ...props(req) },
      contacts: [],
      deals: [],
      createdAt: new Date().toISOString(),
    };
    for (const a of (req.body as { associations?: Association[] }).associations ?? []) {
      const into = typeIds[a.types[0]?.associationTypeId ?? 0];
      if (!into) return error(400, `invalid association type ${a.types[0]?.associationTypeId}`, 'VALIDATION_ERROR');
      o[into].push(a.to.id);
    }
    store[kind].push(o);
    return { status: 201, body: view(o) };
  };
  const update = (o: HubObject | undefined, req: FakeRequest): FakeAnswer => {
    if (!o) return error(404, 'resource not found', 'OBJECT_NOT_FOUND');
    Object.assign(o.properties, props(req));
    return { status: 200, body: view(o) };
  };
  const search =
    (kind: 'deals' | 'notes') =>
    (req: FakeRequest): FakeAnswer => {
      const groups =
        (req.body as { filterGroups?: { filters: { propertyName: string; operator: string; value: string }[] }[] })
          .filterGroups ?? [];
      const matches = (o: HubObject) =>
        groups.some((g) =>
          g.filters.every((f) => {
            if (f.propertyName === 'associations.contact') return o.contacts.includes(f.value);
            const v = o.properties[f.propertyName] ?? '';
            if (f.operator === 'EQ') return v === f.value;
            if (f.operator === 'CONTAINS_TOKEN') return v.split(/[^\w]+/).includes(f.value);
            return false;
          }),
        );
      const results = store[kind].filter(matches).map(view);
      return { status: 200, body: { total: results.length, results } };
    };
  const contactByEmail = (email: string) => store.contacts.find((c) => c.properties.email === email.toLowerCase());
  const fake = await startCrmFake({
    authorize: (req) =>
      req.headers.authorization === `Bearer ${options.token}`
        ? undefined
        : error(401, 'Authentication credentials not found.', 'INVALID_AUTHENTICATION'),
    headers: () => ({
      'x-hubspot-ratelimit-max': '100',
      'x-hubspot-ratelimit-remaining': '99',
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
    }),
    notFound: () => error(404, 'Not found', 'OBJECT_NOT_FOUND'),
    routes: [
      route('POST', '/crm/v3/objects/contacts', (req) => {
        const email = (props(req).email ?? '').toLowerCase();
        const existing = email ? contactByEmail(email) : undefined;
        if (existing) return error(409, `Contact already exists. Existing ID: ${existing.id}`, 'CONFLICT');
        const o: HubObject = {
          id: String(next++),
          properties: { ...props(req), email },
          contacts: [],
          deals: [],
          createdAt: new Date().toISOString(),
        };
        store.contacts.push(o);
        return { status: 201, body: view(o) };
      }),
      route('PATCH', '/crm/v3/objects/contacts/:id', (req) =>
        update(
          req.query.get('idProperty') === 'email'
            ? contactByEmail(req.params.id ?? '')
            : store.contacts.find((c) => c.id === req.params.id),
          req,
        ),
      ),
      route('POST', '/crm/v3/objects/deals', (req) => create('deals', req, { 3: 'contacts' })),
      route('PATCH', '/crm/v3/objects/deals/:id', (req) =>
        update(
          store.deals.find((d) => d.id === req.params.id),
          req,
        ),
      ),
      route('POST', '/crm/v3/objects/notes', (req) =>
        props(req).hs_timestamp
          ? create('notes', req, { 202: 'contacts', 214: 'deals' })
          : error(400, 'Property values were not valid: hs_timestamp is required', 'VALIDATION_ERROR'),
      ),
      route('POST', '/crm/v3/objects/deals/search', search('deals')),
      route('POST', '/crm/v3/objects/notes/search', search('notes')),
    ],
  });
  return { ...fake, store };
}
