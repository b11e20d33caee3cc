// API keys travel only in the Authorization header: one in a query string is refused with a
// precise 400 (it may already sit in a proxy's log), and the request log never writes the value of
// an apiKey/token/key/api_key parameter.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildServer, redactUrl } from '../../src/api/server.ts';
import { createLogger } from '../../src/cli/logger.ts';
import { loadConfig } from '../../src/config.ts';
import { TEST_ENCRYPTION_KEY } from '../support/harness.ts';
import { world } from '../support/world.ts';

describe('API keys in the URL', () => {
  it('are refused with 400, whatever the parameter and whether a header is sent too', async () => {
    const w = await world();
    const cases = [
      { url: `/v1/contacts?apiKey=${w.apiKey}`, header: false, name: 'apiKey' },
      { url: `/v1/contacts?api_key=${w.apiKey}`, header: true, name: 'api_key' },
      { url: '/v1/contacts?token=abc&limit=5', header: false, name: 'token' },
      { url: `/v1/contacts?limit=5&key=${w.apiKey}`, header: true, name: 'key' },
      // Shaped like a key under any name, on any route.
      { url: `/v1/search?q=${w.apiKey}`, header: true, name: 'q' },
      { url: `/healthz?k=${w.apiKey}`, header: false, name: 'k' },
    ];
    for (const { url, header, name } of cases) {
      const res = await w.app.inject({
        method: 'GET',
        url,
        headers: header ? { authorization: `Bearer ${w.apiKey}` } : {},
      });
      expect(res.statusCode, url).toBe(400);
      const { error } = res.json<{ error: { code: string; message: string } }>();
      expect(error.code).toBe('api_key_in_query');
      expect(error.message).toContain('accepted only in the Authorization header');
      expect(error.message).toContain(`remove "${name}" from the query string`);
      expect(res.body).not.toContain(w.apiKey);
    }
    // The header alone works as before.
    expect((await w.call('GET', '/v1/contacts?limit=5')).status).toBe(200);
  });

  it('never reach the log: secret-named parameters are redacted in every request line', async () => {
    const w = await world();
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    }) as unknown as NodeJS.WriteStream;
    const logger = createLogger({ level: 'info', stream });
    const config = loadConfig({ DATABASE_URL: 'postgres://unused', QUOTAHIT_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
    const app = await buildServer({ db: w.db, config, logger, engine: w.engine, adapters: w.adapters });
    try {
      const secrets = ['S3cretApiKey1', 'S3cretToken22', 'S3cretKey333', 'S3cretApi4444', 'S3cretCode555'];
      await app.inject({
        method: 'GET',
        url: `/v1/contacts?apiKey=${secrets[0]}&token=${secrets[1]}&key=${secrets[2]}&api_key=${secrets[3]}&limit=5`,
      });
      await app.inject({ method: 'GET', url: `/setup?token=${secrets[1]}` });
      await app.inject({ method: 'GET', url: `/oauth/google/callback?code=${secrets[4]}&state=x` });
      await app.inject({ method: 'GET', url: `/nowhere?access_token=${secrets[1]}&API-KEY=${secrets[0]}` });
      const log = chunks.join('');
      expect(log).toContain(
        '/v1/contacts?apiKey=[redacted]&token=[redacted]&key=[redacted]&api_key=[redacted]&limit=5',
      );
      for (const secret of secrets) expect(log).not.toContain(secret);
    } finally {
      await app.close();
    }
  });

  it('redactUrl keeps everything else as it is', () => {
    expect(redactUrl('/v1/contacts?limit=5&cursor=abc')).toBe('/v1/contacts?limit=5&cursor=abc');
    expect(redactUrl('/v1/contacts')).toBe('/v1/contacts');
    expect(redactUrl('/x?Token=a&flag&q=qh_' + 'a'.repeat(43))).toBe('/x?Token=[redacted]&flag&q=[redacted]');
    expect(redactUrl('/x?api%5Fkey=a%ZZ')).toBe('/x?api%5Fkey=[redacted]');
    expect(redactUrl('/webhooks/meta?hub.mode=subscribe&hub.verify_token=v&hub.challenge=1')).toBe(
      '/webhooks/meta?hub.mode=subscribe&hub.verify_token=[redacted]&hub.challenge=1',
    );
  });
});
