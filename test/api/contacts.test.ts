import { beforeEach, describe, expect, it } from 'vitest';
import { bearer, newWorkspace, testApi, testDb } from '../support/harness.ts';

const app = await testApi();
let auth: Record<string, string>;
let workspaceId: string;

beforeEach(async () => {
  const ws = await newWorkspace();
  auth = bearer(ws.apiKey);
  workspaceId = ws.workspaceId;
});

const postJson = (contacts: unknown[], headers = auth) =>
  app.inject({ method: 'POST', url: '/v1/contacts', headers, payload: { contacts } });
const postCsv = (csv: string) =>
  app.inject({ method: 'POST', url: '/v1/contacts', headers: { ...auth, 'content-type': 'text/csv' }, payload: csv });
const list = async (query = '') =>
  (await app.inject({ method: 'GET', url: `/v1/contacts${query}`, headers: auth })).json();
const countRows = async () =>
  Number(
    (await testDb().pool.query('SELECT count(*) AS n FROM contacts WHERE workspace_id = $1', [workspaceId])).rows[0].n,
  );

describe('POST /v1/contacts (JSON)', () => {
  it('creates contacts with every field and returns them normalized', async () => {
    const res = await postJson([
      {
        email: ' Ana.Lopez@Example.COM ',
        phone: '+1 (415) 555-0123',
        linkedinUrl: 'linkedin.com/in/Ana-Lopez/?trk=x',
        firstName: 'Ana',
        lastName: 'López',
        title: 'VP Sales',
        company: 'Acme',
        companyDomain: 'Acme.com',
        timezone: 'America/Los_Angeles',
        country: 'US',
        city: 'San Francisco',
        tags: ['q4', 'q4', 'saas'],
        enrichment: {
          painPoints: ['manual reporting'],
          techStack: ['HubSpot'],
          industry: 'SaaS',
          funding: { round: 'B' },
        },
        custom: { source: 'webinar' },
        whatsappOptIn: true,
        smsOptIn: false,
      },
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ created: 1, updated: 0, unchanged: 0, rejected: [], warnings: [] });
    const [contact] = (await list()).data;
    expect(contact).toMatchObject({
      email: 'ana.lopez@example.com',
      phone: '+14155550123',
      linkedinUrl: 'https://www.linkedin.com/in/ana-lopez',
      lastName: 'López',
      companyDomain: 'acme.com',
      tags: ['q4', 'saas'],
      enrichment: {
        painPoints: ['manual reporting'],
        techStack: ['HubSpot'],
        industry: 'SaaS',
        funding: { round: 'B' },
      },
      custom: { source: 'webinar' },
      whatsappOptIn: true,
      smsOptIn: false,
      status: 'new',
    });
  });

  it('keeps emoji and non-Latin names intact', async () => {
    const names = ['李小龍', 'Zoë 🚀', 'Ольга', 'محمد', 'Þórður'];
    const res = await postJson(names.map((firstName, i) => ({ email: `p${i}@example.com`, firstName })));
    expect(res.json().created).toBe(5);
    expect((await list()).data.map((c: { firstName: string }) => c.firstName).sort()).toEqual([...names].sort());
  });

  it('rejects each row that cannot be identified, with its position and every reason', async () => {
    const rows: [unknown, string][] = [
      [{ email: 'not-an-email' }, 'email "not-an-email" is not a valid email address'],
      [
        { phone: '12345' },
        'phone "12345" is not a valid phone number (use international format, e.g. +14155550123, or set country)',
      ],
      [
        { linkedinUrl: 'https://example.com/in/x' },
        'linkedinUrl "https://example.com/in/x" is not a LinkedIn profile URL (https://www.linkedin.com/in/…)',
      ],
      [{ firstName: 'Nobody' }, 'contact needs an email, phone or linkedinUrl to be identified'],
      [
        { emial: 'typo@example.com' },
        'contact needs an email, phone or linkedinUrl to be identified; unknown field "emial" (custom data goes in "custom")',
      ],
      ['just a string', 'contact must be a JSON object'],
      [
        { email: 'bad', phone: 'nope', timezone: 'Mars/Olympus', firstName: 'x'.repeat(101) },
        'email "bad" is not a valid email address; ' +
          'phone "nope" is not a valid phone number (use international format, e.g. +14155550123, or set country); ' +
          'firstName is longer than 100 characters; ' +
          'timezone "Mars/Olympus" is not an IANA time zone name (e.g. Europe/Berlin)',
      ],
    ];
    const res = await postJson([...rows.map(([row]) => row), { email: 'valid@example.com' }]);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.created).toBe(1);
    expect(body.rejected).toEqual(rows.map(([, reason], i) => ({ row: i + 1, reason })));
    expect(body.warnings).toEqual([]);
    expect(await countRows()).toBe(1);
  });

  it('keeps a contact whose identity is intact and drops each bad optional field with a warning', async () => {
    const rows: [Record<string, unknown>, string, string][] = [
      [
        { email: 'a@example.com', timezone: 'Mars/Olympus' },
        'timezone',
        'timezone "Mars/Olympus" is not an IANA time zone name (e.g. Europe/Berlin)',
      ],
      [
        { email: 'b@example.com', firstName: 'x'.repeat(10_000) },
        'firstName',
        'firstName is longer than 100 characters',
      ],
      [
        { email: 'c@example.com', firstName: 'Bad\u0000Name' },
        'firstName',
        'firstName contains a control character (U+0000)',
      ],
      [{ email: 'd@example.com', company: 'Line\nBreak' }, 'company', 'company contains a line break or tab'],
      [{ email: 'e@example.com', tags: 'vip' }, 'tags', 'tags must be a list of strings, not "vip"'],
      [
        { email: 'g@example.com', whatsappOptIn: 'maybe' },
        'whatsappOptIn',
        'whatsappOptIn must be true or false, not "maybe"',
      ],
      [
        { email: 'h@example.com', enrichment: { painPoints: 'slow', industry: 'SaaS' } },
        'enrichment.painPoints',
        'enrichment.painPoints must be a list of strings, not "slow"',
      ],
      [
        { email: 'i@example.com', custom: { note: 'x'.repeat(10_000), ok: 1 } },
        'custom.note',
        'custom.note is longer than 5000 characters',
      ],
      [{ email: 'j@example.com', firstName: true }, 'firstName', 'firstName must be a string, not boolean true'],
      [
        { email: 'k@example.com', phone: 'nope' },
        'phone',
        'phone "nope" is not a valid phone number (use international format, e.g. +14155550123, or set country)',
      ],
      [
        { email: 'nope', phone: '+14155550123', firstName: 'Phoebe' },
        'email',
        'email "nope" is not a valid email address',
      ],
      [{ email: 'l@example.com', tags: ['ok', 'bad\ntag'] }, 'tags[1]', 'tags[1] contains a line break or tab'],
      [{ email: 'm@example.com', emial: 'x' }, 'emial', 'unknown field "emial" (custom data goes in "custom")'],
    ];
    const res = await postJson(rows.map(([row]) => row));
    expect(res.json()).toMatchObject({ created: rows.length, rejected: [] });
    expect(res.json().warnings).toEqual(rows.map(([, field, message], i) => ({ row: i + 1, field, message })));
    const stored = (await list()).data as Record<string, unknown>[];
    const byEmail = (email: string) => stored.find((c) => c.email === email);
    expect(byEmail('l@example.com')?.tags).toEqual(['ok']);
    expect(byEmail('k@example.com')?.phone).toBeNull();
    expect(byEmail('h@example.com')?.enrichment).toEqual({ industry: 'SaaS' });
    expect(byEmail('i@example.com')?.custom).toEqual({ ok: 1 });
    expect(stored.find((c) => c.phone === '+14155550123')).toMatchObject({ email: null, firstName: 'Phoebe' });
  });

  it('upserts by identity: email, else E.164 phone, else normalized LinkedIn URL', async () => {
    await postJson([
      { email: 'Sam@Example.com', firstName: 'Sam', tags: ['a'] },
      { phone: '+44 20 7946 0958', firstName: 'Pat' },
      { linkedinUrl: 'https://uk.linkedin.com/in/kim/', firstName: 'Kim' },
    ]);
    const res = await postJson([
      { email: 'sam@example.com', title: 'CTO', tags: ['b'] },
      { phone: '020 7946 0958', country: 'GB', firstName: 'Pat' },
      { linkedinUrl: 'www.linkedin.com/in/KIM', firstName: 'Kimberly' },
    ]);
    expect(res.json()).toEqual({ created: 0, updated: 3, unchanged: 0, rejected: [], warnings: [] });
    const contacts = (await list()).data;
    expect(contacts).toHaveLength(3);
    expect(contacts.find((c: { email: string }) => c.email === 'sam@example.com')).toMatchObject({
      firstName: 'Sam',
      title: 'CTO',
      tags: ['a', 'b'],
    });
    expect(contacts.find((c: { linkedinUrl: string }) => c.linkedinUrl?.endsWith('/kim'))?.firstName).toBe('Kimberly');
  });

  it('rejects a later duplicate of an earlier row in the same request', async () => {
    const res = await postJson([{ email: 'dup@example.com' }, { email: 'DUP@example.com', firstName: 'Second' }]);
    expect(res.json()).toMatchObject({
      created: 1,
      rejected: [{ row: 2, reason: 'duplicate of row 1 (same email dup@example.com)' }],
    });
  });

  it('rejects a body that is not {"contacts":[…]}', async () => {
    for (const payload of [{ contacts: 'x' }, [], { people: [] }]) {
      const res = await app.inject({ method: 'POST', url: '/v1/contacts', headers: auth, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toEqual({
        code: 'invalid_request',
        message: 'body must be {"contacts":[…]} with a list of contact objects',
      });
    }
  });
});

describe('POST /v1/contacts (CSV)', () => {
  const csv = [
    'Email,First Name,company,tags,enrichment.painPoints,enrichment.industry,Lead Source',
    'ana@example.com,Ana,Acme,vip;q4,slow onboarding; manual reports,SaaS,webinar',
    '"bo@example.com","Bo, Jr.",Globex,,,,"said ""hi"""',
    'broken-email,Cy,,,,,',
    'ana@example.com,Ana again,,,,,',
  ].join('\n');

  it('maps columns (dotted enrichment, ; lists, unknown → custom) and reports rows by spreadsheet row', async () => {
    const res = await postCsv(csv);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      created: 2,
      updated: 0,
      unchanged: 0,
      rejected: [
        { row: 4, reason: 'email "broken-email" is not a valid email address' },
        { row: 5, reason: 'duplicate of row 2 (same email ana@example.com)' },
      ],
      warnings: [],
    });
    const ana = (await list()).data.find((c: { email: string }) => c.email === 'ana@example.com');
    expect(ana).toMatchObject({
      firstName: 'Ana',
      tags: ['vip', 'q4'],
      enrichment: { painPoints: ['slow onboarding', 'manual reports'], industry: 'SaaS' },
      custom: { 'Lead Source': 'webinar' },
    });
    const bo = (await list()).data.find((c: { email: string }) => c.email === 'bo@example.com');
    expect(bo).toMatchObject({ firstName: 'Bo, Jr.', custom: { 'Lead Source': 'said "hi"' } });
  });

  it('importing the same file twice changes nothing', async () => {
    await postCsv(csv);
    const before = (await list()).data;
    const again = await postCsv(csv);
    expect(again.json()).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect((await list()).data).toEqual(before);
  });

  it('rejects a row with the wrong number of columns but keeps the others', async () => {
    const res = await postCsv('email,firstName\na@example.com,A\nb@example.com,B,extra\n');
    expect(res.json()).toMatchObject({
      created: 1,
      rejected: [{ row: 3, reason: 'row has 3 columns, the header has 2' }],
    });
  });

  it.each([
    [
      'broken quoting',
      'email,firstName\na@example.com,"Ann\nb@example.com,Bob\n',
      /^CSV is malformed after row \d+: Quote Not Closed/,
    ],
    [
      'a missing header',
      'a@example.com,Ann\nb@example.com,Bob\n',
      /^CSV header must include an email, phone or linkedinUrl column/,
    ],
    ['an empty body', '', /^CSV is empty: a header row is required$/],
    ['a duplicated column', 'email,Email\na@example.com,b@example.com\n', /^CSV header has column "Email" twice$/],
  ])('rejects a file with %s as a whole and writes nothing', async (_name, body, message) => {
    const res = await postCsv(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_csv');
    expect(res.json().error.message).toMatch(message);
    expect(await countRows()).toBe(0);
  });

  it('writes nothing when the quoting breaks after many valid rows', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `p${i}@example.com,P${i}`);
    const res = await postCsv(`email,firstName\n${rows.join('\n')}\n"unterminated@example.com,X\n`);
    expect(res.statusCode).toBe(400);
    expect(await countRows()).toBe(0);
  });
});

describe('GET /v1/contacts', () => {
  it('pages with cursors and filters by tag and status', async () => {
    await postJson(
      Array.from({ length: 25 }, (_, i) => ({ email: `c${i}@example.com`, tags: i % 2 ? ['odd'] : ['even'] })),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`?limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.data.length).toBeLessThanOrEqual(10);
      seen.push(...page.data.map((c: { email: string }) => c.email));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect((await list('?tag=odd&limit=500')).data).toHaveLength(12);
    expect((await list('?status=new&limit=500')).data).toHaveLength(25);
    expect((await list('?status=replied')).data).toHaveLength(0);
  });

  it.each([
    ['?cursor=garbage', 'cursor is not one this API issued; pass nextCursor from the previous page'],
    ['?limit=501', 'querystring.limit: Too big: expected number to be <=500'],
    ['?limit=abc', 'querystring.limit: Invalid input: expected number, received NaN'],
    [
      '?status=happy',
      'querystring.status: Invalid option: expected one of "new"|"contacted"|"replied"|"interested"|"not_interested"|"unsubscribed"|"bounced"|"handed_off"|"unreachable"',
    ],
  ])('rejects %s', async (query, message) => {
    const res = await app.inject({ method: 'GET', url: `/v1/contacts${query}`, headers: auth });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe(message);
  });
});

describe('one contact: read, timeline, erase', () => {
  async function createOne(): Promise<string> {
    await postJson([{ email: 'erase.me@example.com', phone: '+14155550199', firstName: 'Erin' }]);
    return (await list()).data[0].id;
  }

  it('reads a contact and its (empty) timeline', async () => {
    const id = await createOne();
    const one = await app.inject({ method: 'GET', url: `/v1/contacts/${id}`, headers: auth });
    expect(one.json()).toMatchObject({ id, email: 'erase.me@example.com' });
    const timeline = await app.inject({ method: 'GET', url: `/v1/contacts/${id}/timeline`, headers: auth });
    expect(timeline.json()).toEqual({ data: [], nextCursor: null });
  });

  it('erases the person and keeps only an anonymized suppression entry that blocks re-import', async () => {
    const id = await createOne();
    const res = await app.inject({ method: 'DELETE', url: `/v1/contacts/${id}`, headers: auth });
    expect(res.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: `/v1/contacts/${id}`, headers: auth })).statusCode).toBe(404);
    const { rows } = await testDb().pool.query(
      'SELECT kind, value_hash, reason FROM suppressions WHERE workspace_id = $1',
      [workspaceId],
    );
    expect(rows.map((r) => r.kind).sort()).toEqual(['email', 'phone']);
    expect(JSON.stringify(rows)).not.toContain('erase.me');
    expect(JSON.stringify(rows)).not.toContain('4155550199');
    const again = await postJson([{ email: 'ERASE.ME@example.com' }, { phone: '+1 415 555 0199' }]);
    expect(again.json()).toEqual({
      created: 0,
      updated: 0,
      unchanged: 0,
      rejected: [
        { row: 1, reason: 'this person was erased and is suppressed; they cannot be imported again' },
        { row: 2, reason: 'this person was erased and is suppressed; they cannot be imported again' },
      ],
      warnings: [],
    });
    expect((await app.inject({ method: 'DELETE', url: `/v1/contacts/${id}`, headers: auth })).statusCode).toBe(404);
  });

  it("never shows or touches another workspace's contact", async () => {
    const id = await createOne();
    const other = bearer((await newWorkspace('Other')).apiKey);
    for (const [method, url] of [
      ['GET', `/v1/contacts/${id}`],
      ['GET', `/v1/contacts/${id}/timeline`],
      ['DELETE', `/v1/contacts/${id}`],
    ] as const) {
      const res = await app.inject({ method, url, headers: other });
      expect(res.statusCode).toBe(404);
      expect(res.json().error).toEqual({ code: 'not_found', message: 'contact not found' });
    }
    expect((await app.inject({ method: 'GET', url: '/v1/contacts', headers: other })).json().data).toEqual([]);
    expect((await app.inject({ method: 'GET', url: `/v1/contacts/${id}`, headers: auth })).statusCode).toBe(200);
  });

  it('answers 400 for an id that is not a UUID', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/contacts/123', headers: auth });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe('params.id: must be a UUID');
  });
});
