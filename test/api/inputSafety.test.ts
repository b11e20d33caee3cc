// Issue 16, points 2–4: text that is not valid Unicode, NUL in a sequence, and nesting deep enough
// to exhaust a recursive walker. Each answers a precise 4xx (or rejects one row), never a 500.
import { describe, expect, it } from 'vitest';
import { describeValue } from '../../src/core/validationErrors.ts';
import { findIllFormedText, nestingBeyond, parseJsonInput } from '../../src/core/jsonInput.ts';
import { validateSequence } from '../../src/core/sequence.ts';
import { Channel } from '../../src/core/channels.ts';
import { RESEND_WEBHOOK_SECRET } from '../engine/emailSupport.ts';
import { injectWebhook, resendWebhook } from '../fakes/signedWebhook.ts';
import { instant, world } from '../support/world.ts';

const JSON_TYPE = { 'content-type': 'application/json' };
// A lone surrogate as JSON writes it: six characters on the wire, one unpaired code unit once parsed.
const LONE = '\\ud800';
const deep = (levels: number, inner = '1') => '['.repeat(levels) + inner + ']'.repeat(levels);

describe('lone UTF-16 surrogates (issue 16.2)', () => {
  it('reject the one contact row that carries one and import the rest', async () => {
    const w = await world();
    const rows = Array.from({ length: 4500 }, (_, i) => `{"email":"p${i}@acme-${i}.com","firstName":"P${i}"}`);
    rows[17] = `{"email":"bad@acme.com","firstName":"A${LONE}"}`;
    rows[30] = `{"email":"x${LONE}@acme.com"}`;
    rows[40] = `{"email":"c@acme.com","custom":{"note":"n${LONE}"}}`;
    const res = await w.call('POST', '/v1/contacts', `{"contacts":[${rows.join(',')}]}`, JSON_TYPE);
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    const body = res.body as {
      imported: number;
      rejected: { row: number; reason: string }[];
      warnings: { row: number; field: string; message: string }[];
    };
    expect(body.rejected).toEqual([
      { row: 31, reason: expect.stringMatching(/email contains a lone UTF-16 surrogate \(U\+D800\)/) },
    ]);
    // An optional field that is not valid Unicode is dropped with a warning; the row lands.
    expect(body.warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          row: 18,
          field: 'firstName',
          message: expect.stringContaining('lone UTF-16 surrogate'),
        }),
        expect.objectContaining({ row: 41, message: expect.stringContaining('lone UTF-16 surrogate') }),
      ]),
    );
    expect(await w.row('SELECT count(*)::int AS n FROM contacts')).toEqual([{ n: 4499 }]);
  });

  it('answer 400 with the field path on every other route', async () => {
    const w = await world();
    const sequence = await w.call(
      'POST',
      '/v1/sequences',
      `{"name":"Q${LONE}","steps":[{"day":0,"channel":"email","template":"intro"}]}`,
      JSON_TYPE,
    );
    expect(sequence).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'invalid_text',
          message: expect.stringContaining('body.name contains a lone UTF-16 surrogate (U+D800)'),
        },
      },
    });
    const sender = await w.call(
      'POST',
      '/v1/senders',
      `{"channel":"email","provider":"sandbox","fromEmail":"me${LONE}@ours.example.com"}`,
      JSON_TYPE,
    );
    expect(sender).toMatchObject({ status: 400, body: { error: { code: 'invalid_text' } } });
    const key = await w.call('POST', '/v1/keys', `{"${LONE}":1}`, JSON_TYPE);
    expect(key).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_text', message: expect.stringContaining('key') } },
    });
    // A proper pair (an emoji) is valid text.
    const emoji = await w.call(
      'POST',
      '/v1/sequences',
      '{"name":"Q \\ud83d\\ude00","steps":[{"day":0,"channel":"email","template":"intro"}]}',
      JSON_TYPE,
    );
    expect(emoji.status).toBe(201);
    expect(await w.row('SELECT name FROM sequences')).toEqual([{ name: 'Q \u{1F600}' }]);
  });

  it('a webhook carrying one is stored as text, not a 500', async () => {
    const w = await world();
    for (const body of [`{"type":"email.bounced","data":{"email_id":"${LONE}"}}`, deep(5000)]) {
      const res = await w.app.inject({ method: 'POST', url: '/webhooks/resend', payload: body, headers: JSON_TYPE });
      expect(res.statusCode).toBeLessThan(500);
    }
  });
});

// Found by R-fuzz's battery run (seed 20261203, route case 75,958 and 3 of 100,000 webhook cases).
describe('text PostgreSQL cannot store, where R-fuzz found 500s', () => {
  it('an enrichment field whose name is not valid text is dropped with a warning; the contact lands', async () => {
    const w = await world();
    const rows = [
      `{"email":"e1@acme.com","enrichment":{"${LONE}":{"a":1}}}`,
      `{"email":"e2@acme.com","enrichment":{"n\\u0000":"x"}}`,
    ];
    const res = await w.call('POST', '/v1/contacts', `{"contacts":[${rows.join(',')}]}`, JSON_TYPE);
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect((res.body as { warnings: unknown[] }).warnings).toEqual([
      expect.objectContaining({ row: 1, message: expect.stringContaining('lone UTF-16 surrogate (U+D800)') }),
      expect.objectContaining({ row: 2, message: expect.stringContaining('control character (U+0000)') }),
    ]);
    expect(await w.row('SELECT email, enrichment FROM contacts ORDER BY email')).toEqual([
      { email: 'e1@acme.com', enrichment: {} },
      { email: 'e2@acme.com', enrichment: {} },
    ]);
  });

  it('a signed webhook event carrying a lone surrogate or NUL in what it means is refused with 400 naming the field', async () => {
    const w = await world();
    await w.ok('POST', '/v1/senders', {
      channel: 'email',
      provider: 'resend',
      fromEmail: 'kim@ours.example.com',
      resend: { apiKey: 're_safety', baseUrl: 'http://127.0.0.1:9', webhookSecret: RESEND_WEBHOOK_SECRET },
    });
    const post = (n: number, body: string) =>
      injectWebhook(
        w.app,
        resendWebhook({ secret: RESEND_WEBHOOK_SECRET, svixId: `msg_safety_${n}`, body, at: w.clock.now() }),
      );
    // A created_at that is no timestamp (a lone surrogate in it) is not kept: the event counts from
    // when it arrived (test/engine/resendEdges.test.ts), so it is accepted.
    const late = await post(8, `{"type":"email.delivered","created_at":"x${LONE}","data":{"email_id":"e-1"}}`);
    expect(late.statusCode, late.body).toBe(200);
    const refused = [
      [
        `{"type":"email.bounced","created_at":"2026-12-03T10:00:00Z","data":{"email_id":"${LONE}e"}}`,
        /providerMessageId contains a lone/,
      ],
      [
        `{"type":"email.opened","created_at":"2026-12-03T10:00:00Z","data":{"email_id":"e\\u0000"}}`,
        /providerMessageId contains NUL \(U\+0000\)/,
      ],
    ] as const;
    for (const [i, [body, message]] of refused.entries()) {
      const res = await post(i, body);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'invalid_request', message: expect.stringMatching(message) } });
    }
    // An event that changes nothing (delivery_delayed) is stored with its body as text.
    const delayed = await post(
      9,
      `{"type":"email.delivery_delayed","created_at":"\\u0001","data":{"email_id":"\\u0000f3"}}`,
    );
    expect(delayed.statusCode, delayed.body).toBe(200);
    // Both accepted events, their bodies kept as text (PostgreSQL's jsonb cannot hold them).
    const stored = await w.db.system((sql) => sql.query("SELECT payload ? 'raw' AS raw FROM inbound_events"));
    expect(stored.rows).toEqual([{ raw: true }, { raw: true }]);
  });
});

describe('NUL and control characters in a sequence (issue 16.3)', () => {
  it('answer 400 naming the field and the character', async () => {
    const w = await world();
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        instant([{ channel: 'email', template: 'intro' }], { name: 'a\u0000b' }),
        /name contains a control character \(U\+0000\)/,
      ],
      [
        instant([{ channel: 'email', template: 'in\u0000tro' }]),
        /steps\[0\]\.template contains a control character \(U\+0000\)/,
      ],
      [
        instant([{ channel: 'email', template: 'intro' }], { name: 'two\nlines' }),
        /name contains a control character \(U\+000A\)/,
      ],
    ];
    for (const [definition, message] of cases) {
      const res = await w.call('POST', '/v1/sequences', definition);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(message);
    }
    const subject = await w.call('POST', '/v1/sequences', {
      ...instant([{ channel: 'email', template: 'intro' }]),
      steps: [{ day: 0, channel: 'email', template: 'intro', subject: 'Hi\u0000' }],
    });
    expect(subject.status).toBe(400);
    expect(await w.row('SELECT id FROM sequences')).toEqual([]);
  });
});

describe('deep nesting (issue 16.4)', () => {
  it('is refused at the parser with 400, on any route', async () => {
    const w = await world();
    for (const [url, body] of [
      ['/v1/sequences', deep(5000)],
      ['/v1/contacts', `{"contacts":[{"email":"a@acme.com","custom":{"x":${deep(5000)}}}]}`],
      ['/v1/senders', `{"channel":${deep(100_000, '"email"')}}`],
    ] as const) {
      const res = await w.call('POST', url, body, JSON_TYPE);
      expect(res, url).toMatchObject({
        status: 400,
        body: { error: { code: 'json_too_deep', message: 'Body nests deeper than 64 levels of arrays and objects' } },
      });
    }
    // Under the cap, a free-form value deeper than 16 levels is dropped with a warning; the contact lands.
    const res = await w.call(
      'POST',
      '/v1/contacts',
      `{"contacts":[{"email":"a@acme.com","custom":{"x":${deep(40)},"y":1}}]}`,
      JSON_TYPE,
    );
    expect(res.body).toMatchObject({
      created: 1,
      warnings: [{ row: 1, field: 'custom.x', message: expect.stringContaining('nests deeper than 16 levels') }],
    });
    expect(await w.row('SELECT custom FROM contacts')).toEqual([{ custom: { y: 1 } }]);
  });

  it('describing a value, a channel or a sequence never recurses without bound', () => {
    const value = JSON.parse(deep(100_000)) as unknown;
    expect(describeValue(value)).toBe(`${'['.repeat(57)}...`);
    expect(Channel.safeParse(value).success).toBe(false);
    expect(validateSequence({ name: 'x', steps: value }).ok).toBe(false);
    expect(validateSequence({ name: value, steps: [value] }).ok).toBe(false);
    expect(findIllFormedText(value)).toBeNull();
    // The same text as JSON.stringify, cut the same way, for ordinary values.
    for (const sample of [
      null,
      1.5,
      true,
      'x"y',
      [1, 'a', null],
      { a: [1, { b: 'c' }], u: undefined },
      'z'.repeat(100),
      Array.from({ length: 40 }, (_, i) => i),
      new Date(0),
    ]) {
      const json = JSON.stringify(sample);
      expect(describeValue(sample)).toBe(json.length > 60 ? `${json.slice(0, 57)}...` : json);
    }
  });

  it('the scanner counts only brackets outside strings', () => {
    expect(nestingBeyond(`["${'['.repeat(100)}"]`, 2)).toBeNull();
    expect(nestingBeyond('["\\"", [[1]]]', 2)).toBe(3);
    expect(() => parseJsonInput(deep(65))).toThrow(/nests deeper than 64/);
    expect(parseJsonInput(deep(64))).toBeDefined();
    expect(() => parseJsonInput('{"a":')).toThrow(/Body is not valid JSON/);
  });
});
