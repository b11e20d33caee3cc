// R-fuzz (issue 16): property-based requests, seeded, against every operation of /openapi.json,
// every provider's /webhooks/:provider and every public link the router holds (tracking pixel,
// click, unsubscribe, OAuth callback): malformed JSON, wrong types, nulls, huge and deeply nested
// values, control characters, lone surrogates, wrong content types, broken CSV. Figures: cases,
// answers ≥ 500 (0), uncaught errors in the process (0), refused requests that changed a row
// count (0). CI runs a few thousand cases; `npm run battery` 100,000 per surface.
// QUOTAHIT_FUZZ_SEED replays a run; QUOTAHIT_FUZZ_RUNS sets the cases per surface.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/core/tracking.ts';
import { RESEND_WEBHOOK_SECRET } from '../engine/emailSupport.ts';
import { signSvix } from '../fakes/resend.ts';
import {
  fillPath,
  hiddenRoutes,
  idsByTable,
  operations,
  populate,
  rowCounter,
  workspaceTables,
  type Operation,
  type Schema,
} from '../support/openapiRoutes.ts';
import { world, type World } from '../support/world.ts';

const BATTERY = process.env.QUOTAHIT_BATTERY === '1';
const SEED = Number(process.env.QUOTAHIT_FUZZ_SEED ?? 20261203);
const RUNS = Number(process.env.QUOTAHIT_FUZZ_RUNS ?? 0);
const CASES = {
  routes: RUNS || (BATTERY ? 100_000 : 1_500),
  webhooks: RUNS || (BATTERY ? 100_000 : 600),
  links: RUNS || (BATTERY ? 100_000 : 900),
};
/** A guard against hangs, not a speed figure: the battery's runs take hours on a loaded machine. */
const TIMEOUT = BATTERY || RUNS ? 12 * 3_600_000 : 600_000;
/** Tables a refused request writes by design: a keyed request's answer, refusals too, is kept for replay. */
const REFUSALS_RECORDED = new Set(['idempotency_keys']);

type Request = { method: string; url: string; headers: Record<string, string>; payload?: string | Buffer };

// ---- values ---------------------------------------------------------------------------------

const lone = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const control = fc.constantFrom(
  '\u0000',
  '\u0001',
  '\b',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u2028',
  '\ufeff',
  '\uffff',
);
const word = fc.string({ maxLength: 12 });
const special = fc.constantFrom(
  '',
  ' ',
  'null',
  'true',
  '-1',
  '0',
  '1e309',
  'NaN',
  "' OR 1=1 --",
  '<script>x</script>',
  '../../etc/passwd',
  '{{contact.firstName}}',
  '%00',
  'a@b',
  '@x',
  'ana@acme.example.com',
  'http://127.0.0.1:9/',
  'javascript:alert(1)',
  '+4915112345678',
  '00000000-0000-0000-0000-000000000000',
  '2026-02-30T25:61:00Z',
  'Ω≈ç√ 😀',
  'email',
  'sandbox',
);
const mixed = fc
  .array(fc.oneof(lone, control, word, fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 8 })
  .map((parts) => parts.join(''));
const evilString = fc.oneof(
  { weight: 4, arbitrary: mixed },
  { weight: 3, arbitrary: special },
  { weight: 2, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }) },
);
/** Long text (within and beyond field limits); bodies over the size limit are made whole in `body`. */
const long = fc.constantFrom(300, 5_000, 70_000).map((n) => 'x'.repeat(n));
const evilNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-0, 1e308, -1e308, 2 ** 53 + 2, 2 ** 31, -(2 ** 31) - 1, 0.5, 1e-320),
);
/** Stands for nesting `n` levels deep; written into the JSON text by `serialize`. */
const deepMarker = fc.integer({ min: 50, max: 100_000 }).map((n) => `\u0000DEEP${n}\u0000`);
const deepText = (n: number) => (n % 2 ? '['.repeat(n) + '1' + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n));
const serialize = (value: unknown): string =>
  (JSON.stringify(value) ?? 'null').replace(/"\\u0000DEEP(\d+)\\u0000"/g, (_all, n: string) => deepText(Number(n)));
const evilKey = fc.oneof(word, special, lone, fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString'));
const leaf = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 3, arbitrary: fc.boolean() },
  { weight: 5, arbitrary: evilNumber },
  { weight: 10, arbitrary: evilString },
  { weight: 1, arbitrary: long },
  { weight: 1, arbitrary: deepMarker },
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(evilKey, tie('value'), { maxKeys: 4 }),
  ),
}));

/** Values shaped by the schema (right names, often right types) with wrong ones mixed in. */
function shaped(schema: Schema, name: string, ids: readonly string[], depth: number): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: likely(schema, name, ids, depth) }, { weight: 1, arbitrary: value });
}

function likely(schema: Schema, name: string, ids: readonly string[], depth: number): fc.Arbitrary<unknown> {
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => likely(s, name, ids, depth)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'object' && depth < 4) {
    const model = Object.fromEntries(
      Object.entries(schema.properties ?? {}).map(([key, s]) => [key, shaped(s, key, ids, depth + 1)]),
    );
    return fc
      .tuple(fc.record(model, { requiredKeys: [] }), fc.option(fc.dictionary(evilKey, value, { maxKeys: 2 })))
      .map(([known, extra]) => ({ ...extra, ...known }));
  }
  if (type === 'array') return fc.array(shaped(schema.items ?? {}, name, ids, depth + 1), { maxLength: 4 });
  if (type === 'integer' || type === 'number')
    return fc.oneof(fc.integer({ min: schema.minimum ?? -10, max: schema.maximum ?? 1_000 }), evilNumber);
  if (type === 'boolean') return fc.boolean();
  if (type !== 'string') return value;
  if (schema.format === 'uuid' || /Ids?$/.test(name)) return fc.oneof(fc.constantFrom(...ids), fc.uuid());
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  if (/email/i.test(name)) return fc.oneof(fc.emailAddress(), special);
  return fc.oneof(word, special, mixed);
}

/** Text for a URL: percent-encoded, a lone surrogate as the (invalid) UTF-8 bytes it would be. */
const urlText = (text: string) =>
  Array.from(text, (ch) => (/[\ud800-\udfff]/.test(ch) ? '%ED%A0%80' : encodeURIComponent(ch))).join('');
const brokenEscapes = fc.constantFrom('%', '%zz', '%ED%A0%80', '%00', '%C0%AF', '..', '%2F', 'x'.repeat(5000));

// ---- bodies ---------------------------------------------------------------------------------

const malformed = fc.constantFrom(
  '{',
  '[',
  '{"a":}',
  '[1,,2]',
  'NaN',
  "{'a':1}",
  '{"a":1}{"b":2}',
  '\ufeff{}',
  '{"a":"\\u00"}',
  '{"a":1,}',
  '',
  ' ',
  'null',
  '1e999999',
  '-',
  '"\\ud800"',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
);
const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16le',
      'application/json; charset=latin1',
      'APPLICATION/JSON',
      'application/json ; charset=utf-8',
      'application/xml',
      'text/csv',
      'text/csv; charset=utf-8',
      '*/*',
      'application/jsonx',
      'foo',
      '',
    ),
  },
);

/** A CSV of the given columns and broken cells: quotes left open, NUL, stray CR, bytes that are not UTF-8. */
function brokenCsv(columns: readonly string[]): fc.Arbitrary<Buffer> {
  const cell = fc.oneof(
    word,
    special,
    mixed,
    fc.constantFrom('"', '""', '"open', 'a"b', ';', 'a;b', '\r', '\n', ',', '=cmd|x'),
  );
  const header = fc.subarray([...columns, 'enrichment.x', 'custom.y', '', 'email', '"email'], { minLength: 0 });
  const badBytes = fc.constantFrom(
    Buffer.alloc(0),
    Buffer.from([0xff]),
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from([0xc3]),
    Buffer.from([0xef, 0xbb, 0xbf]),
  );
  return fc
    .tuple(
      header,
      fc.array(fc.array(cell, { maxLength: 8 }), { maxLength: 12 }),
      fc.constantFrom('\n', '\r\n', '\r'),
      badBytes,
      fc.nat(),
    )
    .map(([head, rows, eol, bytes, at]) => {
      const text = Buffer.from([head.join(','), ...rows.map((r) => r.join(','))].join(eol));
      const cut = at % (text.length + 1);
      return Buffer.concat([text.subarray(0, cut), bytes, text.subarray(cut)]);
    });
}

/** A body past BODY_LIMIT_BYTES (10 MiB by default). */
const OVERSIZED = `{"a":"${'x'.repeat(10.5 * 1024 * 1024)}"}`;

function body(op: Operation, ids: readonly string[]): fc.Arbitrary<{ type?: string; payload?: string | Buffer }> {
  const json = op.body ? shaped(op.body, 'body', ids, 0) : value;
  const text = fc.oneof(
    { weight: 120, arbitrary: json.map(serialize) },
    { weight: 40, arbitrary: value.map(serialize) },
    {
      weight: 40,
      arbitrary: fc.tuple(json.map(serialize), fc.nat()).map(([t, n]) => t.slice(0, n % Math.max(1, t.length))),
    },
    { weight: 20, arbitrary: malformed },
    { weight: 20, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 200 }) },
    { weight: 20, arbitrary: fc.integer({ min: 100, max: 200_000 }).map(deepText) },
    { weight: 1, arbitrary: fc.constant(OVERSIZED) },
  );
  const columns = Object.keys(op.body?.properties?.contacts?.items?.properties ?? {});
  const none = fc.constant({});
  return fc.oneof(
    { weight: op.body ? 10 : 1, arbitrary: fc.record({ type: contentType, payload: text }) },
    {
      weight: op.contentTypes.includes('text/csv') ? 6 : 1,
      arbitrary: brokenCsv(columns).map((payload) => ({ type: 'text/csv', payload })),
    },
    { weight: op.body ? 1 : 8, arbitrary: none },
  );
}

// ---- requests -------------------------------------------------------------------------------

function queryOf(op: Operation, ids: readonly string[]): fc.Arbitrary<string> {
  const params = op.query.map((p) =>
    fc
      .option(fc.oneof(likely(p.schema, p.name, ids, 0).map(String), evilString), { freq: 2 })
      .map((v) => (v === null ? '' : `${p.name}=${urlText(v)}`)),
  );
  const extra = fc.option(
    fc.constantFrom('%zz=1', 'a=%', '%ED%A0%80=1', 'limit=1&limit=2', '__proto__[x]=1', 'x[]=1&x[]=2'),
  );
  return fc.tuple(fc.tuple(...params), extra).map(([parts, more]) => [...parts, more ?? ''].filter(Boolean).join('&'));
}

function operationRequest(op: Operation, ids: readonly string[], apiKey: string): fc.Arbitrary<Request> {
  const segment = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ids) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: evilString.map(urlText) },
    { weight: 1, arbitrary: brokenEscapes },
  );
  const auth = fc.oneof(
    { weight: 20, arbitrary: fc.constant(`Bearer ${apiKey}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('', 'Bearer ', 'Bearer qh_nope', 'Basic Zm9vOmJhcg==', `Bearer ${apiKey}x`),
    },
  );
  const printable = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: 300,
  });
  return fc
    .record({
      segments: fc.array(segment, { minLength: op.pathParams.length, maxLength: op.pathParams.length }),
      query: queryOf(op, ids),
      body: body(op, ids),
      auth,
      idempotency: fc.option(printable, { freq: 6 }),
    })
    .map(({ segments, query, body: b, auth: authorization, idempotency }) => {
      const values = new Map(op.pathParams.map((name, i) => [name, segments[i] ?? '']));
      const headers: Record<string, string> = { authorization };
      if (b.type !== undefined) headers['content-type'] = b.type;
      if (idempotency !== null) headers['idempotency-key'] = idempotency;
      return {
        method: op.method,
        url: fillPath(op.path, (name) => values.get(name) ?? '') + (query ? `?${query}` : ''),
        headers,
        ...(b.payload !== undefined ? { payload: b.payload } : {}),
      };
    });
}

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 120,
});
const WEBHOOK_HEADERS = [
  'svix-id',
  'svix-timestamp',
  'svix-signature',
  'x-twilio-signature',
  'x-hub-signature-256',
  'x-signature',
  'authorization',
];
const WEBHOOK_QUERY = ['hub.mode', 'hub.verify_token', 'hub.challenge', 'account', 'workspace', 'token'];
const RESEND_TYPES = [
  'email.sent',
  'email.delivered',
  'email.delivery_delayed',
  'email.bounced',
  'email.complained',
  'email.opened',
  'email.clicked',
];

function webhookRequest(w: World, providers: readonly string[], providerIds: readonly string[]): fc.Arbitrary<Request> {
  const resendEvent = fc.record(
    {
      type: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...RESEND_TYPES) }, { weight: 1, arbitrary: evilString }),
      created_at: fc.oneof(
        { weight: 3, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
        { weight: 1, arbitrary: evilString },
      ),
      data: fc.oneof(
        fc.record(
          {
            email_id: fc.oneof(fc.constantFrom(...providerIds), fc.uuid(), evilString),
            to: value,
            click: value,
            bounce: value,
          },
          { requiredKeys: ['email_id'] },
        ),
        value,
      ),
    },
    { requiredKeys: ['type'] },
  );
  const form = fc
    .dictionary(
      fc.oneof(word, fc.constantFrom('MessageSid', 'MessageStatus', 'From', 'To', 'Body', 'CallSid', 'ErrorCode')),
      evilString,
      { maxKeys: 6 },
    )
    .map((d) =>
      new URLSearchParams(Object.entries(d).map(([k, v]) => [k, v.replace(/[\ud800-\udfff]/g, '')])).toString(),
    );
  const payload = fc.oneof(
    { weight: 4, arbitrary: resendEvent.map(serialize) },
    { weight: 2, arbitrary: value.map(serialize) },
    { weight: 2, arbitrary: form },
    { weight: 1, arbitrary: malformed },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 200_000 }).map(deepText) },
  );
  return fc
    .record({
      provider: fc.oneof(
        { weight: 9, arbitrary: fc.constantFrom(...providers) },
        { weight: 1, arbitrary: evilString.map(urlText) },
      ),
      method: fc.constantFrom('POST', 'POST', 'POST', 'GET'),
      payload,
      type: contentType,
      headers: fc.record(Object.fromEntries(WEBHOOK_HEADERS.map((h) => [h, printable])), { requiredKeys: [] }),
      query: fc.dictionary(fc.constantFrom(...WEBHOOK_QUERY), evilString.map(urlText), { maxKeys: 3 }),
      signed: fc.boolean(),
      svixId: printable,
    })
    .map((c) => {
      const query = Object.entries(c.query)
        .map(([k, v]) => `${k}=${v}`)
        .join('&');
      const signature =
        c.signed && c.method === 'POST'
          ? signSvix({
              secrets: [RESEND_WEBHOOK_SECRET],
              id: c.svixId,
              timestamp: Math.floor(w.clock.now().getTime() / 1000),
              body: c.payload,
            })
          : {};
      return {
        method: c.method,
        url: `/webhooks/${c.signed ? 'resend' : c.provider}${query ? `?${query}` : ''}`,
        headers: { ...c.headers, ...signature, 'content-type': c.type },
        ...(c.method === 'POST' ? { payload: c.payload } : {}),
      };
    });
}

/** Tracking tokens: signed with the installation's secret (about real and made-up messages), altered, or made up. */
function tokenArb(secret: string, messageIds: readonly string[]): fc.Arbitrary<string> {
  const signed = fc
    .record({
      kind: fc.constantFrom('open', 'click', 'unsubscribe'),
      messageId: fc.oneof(fc.constantFrom(...messageIds), fc.uuid(), evilString),
      url: fc.oneof(fc.webUrl(), evilString),
      issuedAt: fc.option(fc.oneof(fc.nat(), evilNumber), { nil: undefined }),
    })
    .map((p) => signToken(secret, p as never));
  const altered = fc
    .tuple(signed, fc.nat(), fc.constantFrom('flip', 'cut', 'append', 'plus', 'pad'))
    .map(([t, n, how]) => {
      const at = n % t.length;
      if (how === 'flip') return t.slice(0, at) + (t[at] === 'A' ? 'B' : 'A') + t.slice(at + 1);
      if (how === 'cut') return t.slice(0, at);
      if (how === 'append') return `${t}A`;
      if (how === 'plus') return t.replaceAll('-', '+').replaceAll('_', '/');
      return `${t}=`;
    });
  return fc.oneof(signed, altered, evilString.map(urlText), brokenEscapes);
}

function linkRequest(route: { method: string; path: string }, token: fc.Arbitrary<string>): fc.Arbitrary<Request> {
  const param = fc.oneof(
    fc.constantFrom('gmail', 'google', 'hubspot', 'pipedrive'),
    evilString.map(urlText),
    brokenEscapes,
  );
  const query = fc.dictionary(
    fc.constantFrom('code', 'state', 'error', 'scope', 'redirect', 'u'),
    fc.oneof(token, evilString.map(urlText)),
    { maxKeys: 3 },
  );
  return fc
    .record({
      token,
      param,
      query,
      body: fc.oneof(evilString, malformed, value.map(serialize)),
      type: contentType,
      agent: printable,
    })
    .map((c) => {
      const q = Object.entries(c.query)
        .map(([k, v]) => `${k}=${v}`)
        .join('&');
      return {
        method: route.method,
        url: fillPath(route.path, (name) => (name === 'token' ? c.token : c.param)) + (q ? `?${q}` : ''),
        headers: { 'user-agent': c.agent, 'content-type': c.type },
        ...(route.method === 'POST' ? { payload: c.body } : {}),
      };
    });
}

// ---- the run --------------------------------------------------------------------------------

type Tally = {
  cases: number;
  serverErrors: number;
  halfWritten: number;
  examples: string[];
  statuses: Record<string, number>;
};

const figure = (name: string, value: unknown) => console.log(`[battery] R-fuzz ${name}: ${JSON.stringify(value)}`);

const describeCase = (req: Request, status: number, answer: string) =>
  `${req.method} ${req.url.slice(0, 200)} [${req.headers['content-type'] ?? '-'}] ${String(req.payload ?? '').slice(0, 200)} → ${status} ${answer.slice(0, 300)}`;

/**
 * Runs the cases one by one. A request that wrote anything took a transaction id: only then are the
 * tables counted again, and a refused request must leave every count as it was.
 */
async function fuzz(w: World, arb: fc.Arbitrary<Request>, runs: number, seed: number): Promise<Tally> {
  const counts = await rowCounter(w.db);
  const nextXid = async () =>
    (await w.db.system((sql) => sql.query<{ x: string }>('SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x')))
      .rows[0]?.x;
  let before = await counts();
  let xid = await nextXid();
  const tally: Tally = { cases: 0, serverErrors: 0, halfWritten: 0, examples: [], statuses: {} };
  const note = (line: string) => tally.examples.length < 10 && tally.examples.push(line);
  const started = Date.now();
  // A long run says how far it is, so it can be watched (and a stopped one still tells what it saw).
  const progress = () =>
    runs >= 10_000 &&
    tally.cases % 5_000 === 0 &&
    console.log(
      `[R-fuzz] seed ${seed}: ${tally.cases} of ${runs} cases, ${tally.serverErrors} 5xx, ${tally.halfWritten} half-written, ` +
        `${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  await fc.assert(
    fc.asyncProperty(arb, async (req) => {
      const res = await w.app.inject(req as never);
      tally.cases++;
      const group = `${Math.floor(res.statusCode / 100)}xx`;
      tally.statuses[group] = (tally.statuses[group] ?? 0) + 1;
      if (res.statusCode >= 500) {
        tally.serverErrors++;
        note(describeCase(req, res.statusCode, res.body));
      }
      progress();
      const now = await nextXid();
      if (now === xid) return true;
      const after = await counts();
      const changed = [...after].filter(([table, n]) => n !== before.get(table) && !REFUSALS_RECORDED.has(table));
      if (res.statusCode >= 400 && changed.length > 0) {
        tally.halfWritten++;
        note(`half-written ${changed.map(([t]) => t).join(',')}: ${describeCase(req, res.statusCode, res.body)}`);
      }
      [before, xid] = [after, await nextXid()];
      return true;
    }),
    { numRuns: runs, seed },
  );
  return tally;
}

let w: World;
let ids: string[] = [];
let messageIds: string[] = [];
let providerIds: string[] = [];
let uncaught = 0;
let cases = 0;
const countUncaught = () => {
  uncaught++;
};

beforeAll(async () => {
  process.on('uncaughtException', countUncaught);
  process.on('unhandledRejection', countUncaught);
  w = await world({ outbound: { allowHosts: ['127.0.0.1'] } });
  await populate(w, 'fuzzmark');
  const byTable = await idsByTable(w.db, w.workspaceId, await workspaceTables(w.db));
  // The key the fuzzer itself uses is never a path id: revoking it would end the run's reach.
  byTable.delete('api_keys');
  ids = [...byTable.values()].flat();
  messageIds = byTable.get('messages') ?? [];
  providerIds = (
    await w.row<{ id: string }>('SELECT provider_message_id AS id FROM messages WHERE provider_message_id IS NOT NULL')
  ).map((r) => r.id);
  figure('seed', SEED);
});
afterAll(() => {
  process.off('uncaughtException', countUncaught);
  process.off('unhandledRejection', countUncaught);
});

function report(surface: string, tally: Tally) {
  cases += tally.cases;
  figure(`${surface} cases, 5xx, half-written rows`, [tally.cases, tally.serverErrors, tally.halfWritten]);
  figure(`${surface} answers by class`, tally.statuses);
  expect(tally.examples).toEqual([]);
  expect([tally.serverErrors, tally.halfWritten]).toEqual([0, 0]);
}

describe('R-fuzz', () => {
  it(
    'every operation of /openapi.json answers below 500 and writes nothing when it refuses',
    async () => {
      const ops = await operations(w.app);
      expect(ops.length).toBeGreaterThan(50);
      figure('operations walked', ops.length);
      const arb = fc.oneof(...ops.map((op) => operationRequest(op, ids, w.apiKey)));
      report('routes', await fuzz(w, arb, CASES.routes, SEED));
    },
    TIMEOUT,
  );

  it(
    'every provider webhook answers below 500 to anything, signed or not',
    async () => {
      // A Resend account of its own (the route fuzzing may have deleted or changed the others): signed events reach parsing.
      await w.ok('POST', '/v1/senders', {
        channel: 'email',
        provider: 'resend',
        fromEmail: 'kim@ours.example.com',
        resend: { apiKey: 're_fuzz', baseUrl: 'http://127.0.0.1:9', webhookSecret: RESEND_WEBHOOK_SECRET },
      });
      const providers = Object.keys(w.adapters);
      figure('webhook providers', providers);
      report('webhooks', await fuzz(w, webhookRequest(w, providers, providerIds), CASES.webhooks, SEED + 1));
    },
    TIMEOUT,
  );

  it(
    'every public link (tracking, unsubscribe, OAuth callback) answers below 500 to any token',
    async () => {
      const routes = hiddenRoutes(w.app, await operations(w.app)).filter((r) => !r.path.startsWith('/webhooks/'));
      figure(
        'public links',
        routes.map((r) => `${r.method} ${r.path}`),
      );
      expect(routes.map((r) => r.path)).toEqual(expect.arrayContaining(['/t/o/:token', '/t/c/:token', '/u/:token']));
      const token = tokenArb(w.engine.deps.links.trackingSecret, messageIds);
      const arb = fc.oneof(...routes.map((r) => linkRequest(r, token)));
      report('links', await fuzz(w, arb, CASES.links, SEED + 2));
    },
    TIMEOUT,
  );

  it('no error escaped into the process, and it still serves', async () => {
    figure('cases in all, uncaught errors', [cases, uncaught]);
    expect(uncaught).toBe(0);
    expect((await w.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
