// A Pipedrive fake, written from developers.pipedrive.com/docs/api/v1 and /v2: Persons (v2 search
// with term, fields=email, exact_match → {"data":{"items":[{"result_score","item"}]}}; v2 add with
// name and emails[{value,primary,label}]; v2 update with custom_fields), Deals (v2 add with title,
// person_id, stage_id, pipeline_id; v2 list by person_id; v2 update), Notes (v1 add with content and
// one of person_id/deal_id; v1 list by person_id). Authentication by the x-api-token header (or the
// api_token query parameter). Answers are {"success":true,"data",...}; errors {"success":false,
// "error","errorCode","error_info"}. Rate limits (pipedrive.readme.io/docs/core-api-concepts-
// rate-limiting): every answer carries x-ratelimit-limit/-remaining/-reset and
// x-daily-requests-left; a 429 is {"success":false,"error":"Request over limit","errorCode":429}.
import { route, startCrmFake, type FakeAnswer, type FakeRequest } from './crmFakeServer.ts';

type Row = Record<string, unknown> & { id: number };

const failure = (status: number, message: string): FakeAnswer => ({
  status,
  body: {
    success: false,
    error: message,
    errorCode: status,
    error_info: 'Please check developers.pipedrive.com for more information about Pipedrive API.',
    data: null,
    additional_data: null,
  },
});
const ok = (data: unknown): FakeAnswer => ({
  status: 200,
  body: { success: true, data, additional_data: { next_cursor: null } },
});

export const pipedrive429 = (options: { daily?: boolean; reset?: string } = {}): FakeAnswer => ({
  status: 429,
  headers: {
    'x-ratelimit-limit': '40',
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset': options.reset ?? '2',
    ...(options.daily ? { 'x-daily-requests-left': '0' } : {}),
  },
  body: { success: false, error: 'Request over limit', errorCode: 429, data: null, additional_data: null },
});

export async function startPipedrive(options: { token: string }) {
  let next = 1;
  const store = { persons: [] as Row[], deals: [] as Row[], notes: [] as Row[] };
  const body = (req: FakeRequest) => (req.body ?? {}) as Record<string, unknown>;
  const add = (kind: keyof typeof store, data: Record<string, unknown>) => {
    const row = { ...data, id: next++, add_time: new Date().toISOString() };
    store[kind].push(row);
    return ok(row);
  };
  const patch = (kind: 'persons' | 'deals') => (req: FakeRequest) => {
    const row = store[kind].find((r) => String(r.id) === req.params.id);
    if (!row) return failure(404, `${kind === 'deals' ? 'Deal' : 'Person'} not found`);
    const { custom_fields: custom, ...rest } = body(req);
    Object.assign(row, rest);
    if (custom) row.custom_fields = { ...(row.custom_fields as object), ...(custom as object) };
    return ok(row);
  };
  const emails = (p: Row) => ((p.emails as { value: string }[] | undefined) ?? []).map((e) => e.value.toLowerCase());
  const fake = await startCrmFake({
    authorize: (req) =>
      req.headers['x-api-token'] === options.token || req.query.get('api_token') === options.token
        ? undefined
        : failure(401, 'unauthorized access'),
    headers: () => ({
      'x-ratelimit-limit': '40',
      'x-ratelimit-remaining': '39',
      'x-ratelimit-reset': '2',
      'x-daily-requests-left': '9999',
    }),
    notFound: () => failure(404, 'Unknown method .'),
    routes: [
      route('GET', '/api/v2/persons/search', (req) => {
        const term = (req.query.get('term') ?? '').toLowerCase();
        if (term.length < 2 && req.query.get('exact_match') !== 'true')
          return failure(400, 'term must be at least 2 characters');
        const exact = req.query.get('exact_match') === 'true';
        const items = store.persons
          .filter((p) => emails(p).some((e) => (exact ? e === term : e.includes(term))))
          .map((item) => ({
            result_score: 1,
            item: { id: item.id, type: 'person', name: item.name, emails: emails(item) },
          }));
        return ok({ items });
      }),
      route('POST', '/api/v2/persons', (req) =>
        body(req).name ? add('persons', body(req)) : failure(400, 'name is required'),
      ),
      route('PATCH', '/api/v2/persons/:id', patch('persons')),
      route('GET', '/api/v2/deals', (req) =>
        ok(store.deals.filter((d) => String(d.person_id) === req.query.get('person_id'))),
      ),
      route('POST', '/api/v2/deals', (req) =>
        body(req).title ? add('deals', { status: 'open', ...body(req) }) : failure(400, 'title is required'),
      ),
      route('PATCH', '/api/v2/deals/:id', patch('deals')),
      route('GET', '/api/v1/notes', (req) =>
        ok(store.notes.filter((n) => String(n.person_id) === req.query.get('person_id'))),
      ),
      route('POST', '/api/v1/notes', (req) => {
        const b = body(req);
        if (typeof b.content !== 'string' || b.content === '') return failure(400, 'Note content is required');
        if (!b.person_id && !b.deal_id && !b.org_id && !b.lead_id)
          return failure(400, 'Note must be attached to a deal, person, organization or lead');
        return add('notes', b);
      }),
    ],
  });
  return { ...fake, store };
}
