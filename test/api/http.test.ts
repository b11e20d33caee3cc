import { describe, expect, it } from 'vitest';
import { bearer, newWorkspace, testApi } from '../support/harness.ts';

const app = await testApi({ BODY_LIMIT_BYTES: '65536', CSV_BODY_LIMIT_BYTES: '131072' });

describe('system routes', () => {
  it('answers /healthz without a key', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
  });

  it('serves an OpenAPI document that lists the routes and both import formats', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/v1/workspace',
      '/v1/contacts',
      '/v1/contacts/{id}',
      '/v1/contacts/{id}/timeline',
      '/v1/api-keys',
      '/v1/sequences/{id}/resume',
      '/v1/senders/{id}/resume',
    ]) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(Object.keys(doc.paths['/v1/sequences/{id}/resume'].post.responses)).toEqual(
      expect.arrayContaining(['200', '404', '409']),
    );
    expect(Object.keys(doc.paths['/v1/contacts'].post.requestBody.content)).toEqual(['application/json', 'text/csv']);
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No route for GET /nope' } });
  });
});

describe('authentication', () => {
  it.each([
    [{}, 'Missing Authorization header: send "Authorization: Bearer <apiKey>"'],
    [{ authorization: 'Basic abc' }, 'Authorization header must be "Bearer <apiKey>"'],
    [{ authorization: 'Bearer' }, 'Authorization header must be "Bearer <apiKey>"'],
    [{ authorization: 'Bearer qh_wrong' }, 'API key is invalid or has been revoked'],
    [{ authorization: `Bearer qh_${'A'.repeat(43)}` }, 'API key is invalid or has been revoked'],
  ])('rejects %j with 401', async (headers, message) => {
    const res = await app.inject({ method: 'GET', url: '/v1/workspace', headers });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'unauthorized', message } });
  });

  it('creates, lists (without secrets) and revokes keys; a revoked key stops working at once', async () => {
    const { apiKey } = await newWorkspace();
    const created = await app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(apiKey),
      payload: { name: 'ci' },
    });
    expect(created.statusCode).toBe(201);
    const second = created.json();
    expect(second.apiKey).toMatch(/^qh_[A-Za-z0-9_-]{43}$/);
    expect((await app.inject({ method: 'GET', url: '/v1/workspace', headers: bearer(second.apiKey) })).statusCode).toBe(
      200,
    );

    const listed = await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(apiKey) });
    expect(listed.json().data.map((k: { name: string }) => k.name)).toEqual(['default', 'ci']);
    expect(listed.body).not.toContain(second.apiKey);

    const revoked = await app.inject({ method: 'DELETE', url: `/v1/api-keys/${second.id}`, headers: bearer(apiKey) });
    expect(revoked.statusCode).toBe(204);
    const after = await app.inject({ method: 'GET', url: '/v1/workspace', headers: bearer(second.apiKey) });
    expect(after.statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/v1/workspace', headers: bearer(apiKey) })).statusCode).toBe(200);
  });

  it("cannot revoke another workspace's key", async () => {
    const a = await newWorkspace();
    const b = await newWorkspace();
    const keyOfB = (await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(b.apiKey) })).json().data[0]
      .id;
    const res = await app.inject({ method: 'DELETE', url: `/v1/api-keys/${keyOfB}`, headers: bearer(a.apiKey) });
    expect(res.statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v1/workspace', headers: bearer(b.apiKey) })).statusCode).toBe(200);
  });
});

describe('GET/PATCH /v1/workspace', () => {
  it('reads and updates name, postal address, offer and default time zone', async () => {
    const { apiKey } = await newWorkspace('Before');
    const patch = {
      name: 'Acme Outbound 🚀',
      postalAddress: 'Acme Inc.\n1 Market St\nSan Francisco, CA 94105',
      offer: 'We automate SOC 2 evidence collection.',
      defaultTimezone: 'America/New_York',
    };
    const res = await app.inject({ method: 'PATCH', url: '/v1/workspace', headers: bearer(apiKey), payload: patch });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject(patch);
    const cleared = await app.inject({
      method: 'PATCH',
      url: '/v1/workspace',
      headers: bearer(apiKey),
      payload: { offer: null },
    });
    expect(cleared.json()).toMatchObject({ name: patch.name, offer: null, postalAddress: patch.postalAddress });
    expect((await app.inject({ method: 'GET', url: '/v1/workspace', headers: bearer(apiKey) })).json()).toMatchObject({
      offer: null,
    });
  });

  it.each([
    [{ name: '' }, 'body.name: must not be empty'],
    [{ name: 'x'.repeat(10_000) }, 'body.name: must be at most 200 characters'],
    [{ name: 'Tab\there' }, 'body.name: must not contain line breaks or tabs'],
    [{ name: 'Bell\u0007' }, 'body.name: must not contain control characters'],
    [{ name: 42 }, 'body.name: Invalid input: expected string, received number'],
    [{ defaultTimezone: 'Mars/Base' }, 'body.defaultTimezone: must be an IANA time zone name such as Europe/Berlin'],
    [{ colour: 'red' }, 'body: Unrecognized key: "colour"'],
  ])('rejects %j with a precise message and changes nothing', async (payload, message) => {
    const { apiKey } = await newWorkspace('Unchanged');
    const res = await app.inject({ method: 'PATCH', url: '/v1/workspace', headers: bearer(apiKey), payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe(message);
    expect((await app.inject({ method: 'GET', url: '/v1/workspace', headers: bearer(apiKey) })).json().name).toBe(
      'Unchanged',
    );
  });
});

describe('malformed requests', () => {
  it('rejects malformed JSON, wrong content types and oversize bodies, and stays up', async () => {
    const { apiKey } = await newWorkspace();
    const headers = bearer(apiKey);
    const cases = [
      { headers: { 'content-type': 'application/json' }, payload: '{"contacts":[', status: 400, code: 'invalid_json' },
      { headers: { 'content-type': 'application/json' }, payload: '', status: 400, code: 'invalid_json' },
      {
        headers: { 'content-type': 'application/xml' },
        payload: '<contacts/>',
        status: 415,
        code: 'unsupported_media_type',
      },
      {
        headers: { 'content-type': 'text/plain' },
        payload: 'email\na@b.co',
        status: 415,
        code: 'unsupported_media_type',
      },
      {
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ contacts: [{ email: 'a@example.com', custom: { blob: 'x'.repeat(70_000) } }] }),
        status: 413,
        code: 'payload_too_large',
      },
      {
        headers: { 'content-type': 'text/csv' },
        payload: `email\n${Array.from({ length: 10_000 }, (_, i) => `big${i}@example.com`).join('\n')}`,
        status: 413,
        code: 'payload_too_large',
      },
    ];
    for (const c of cases) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/contacts',
        headers: { ...headers, ...c.headers },
        payload: c.payload,
      });
      expect({ status: res.statusCode, code: res.json().error.code }).toEqual({ status: c.status, code: c.code });
    }
    const contacts = await app.inject({ method: 'GET', url: '/v1/contacts', headers });
    expect(contacts.json().data).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
