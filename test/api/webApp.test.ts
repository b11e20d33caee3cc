// Serving the built dashboard: cache headers, the page for the dashboard's own routes, JSON 404s
// for API and public paths (never shadowed), and the stale-build check `quotahit start` relies on.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { openapiHash, webBuildState, webSourceHash } from '../../src/api/webBuild.ts';
import { ensureWebBuild, WebBuildUnavailable } from '../../src/api/webBuilder.ts';
import { loadConfig } from '../../src/config.ts';
import { databaseUrl, TEST_ENCRYPTION_KEY, testDb, testEngine } from '../support/harness.ts';

const INDEX =
  '<!doctype html><html><body><div id="root"></div><script type="module" src="/assets/app-1a2b.js"></script></body></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});`;

async function fakeWeb(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qh-web-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));
  await mkdir(path.join(dir, 'src'), { recursive: true });
  await mkdir(path.join(dir, 'dist', 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'src', 'main.tsx'), 'export {};\n');
  await writeFile(path.join(dir, 'dist', 'index.html'), INDEX);
  await writeFile(path.join(dir, 'dist', 'assets', 'app-1a2b.js'), SCRIPT);
  return dir;
}

async function server(webDir: string) {
  const wired = testEngine();
  const config = loadConfig({ DATABASE_URL: databaseUrl(), QUOTAHIT_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
  const app = await buildServer({ db: testDb(), config, logger: false, ...wired, webDir: path.join(webDir, 'dist') });
  afterAll(() => app.close());
  return app;
}

const html = { accept: 'text/html,application/xhtml+xml' };

describe('the dashboard at /', () => {
  it('serves index.html for the dashboard routes (revalidated) and hashed assets for a year', async () => {
    const app = await server(await fakeWeb());
    for (const url of ['/', '/contacts/123', '/tasks', '/setup?token=abc', '/unsubscribe-help']) {
      const res = await app.inject({ method: 'GET', url, headers: html });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toBe(INDEX);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    }
    const asset = await app.inject({
      method: 'GET',
      url: '/assets/app-1a2b.js',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(asset.rawPayload).toString()).toBe(SCRIPT);
    const cached = await app.inject({
      method: 'GET',
      url: '/assets/app-1a2b.js',
      headers: { 'if-none-match': String(asset.headers.etag) },
    });
    expect(cached.statusCode).toBe(304);
  });

  it('never shadows the API or public paths, and answers JSON 404 to clients that do not ask for a page', async () => {
    const app = await server(await fakeWeb());
    for (const url of [
      '/v1/nope',
      '/webhooks/nope/x',
      '/t/nope',
      '/u',
      '/oauth/nope',
      '/assets/gone-123.js',
      '/nope',
    ]) {
      const res = await app.inject({ method: 'GET', url, headers: url === '/nope' ? {} : html });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('not_found');
    }
    expect((await app.inject({ method: 'GET', url: '/healthz', headers: html })).json()).toEqual({ ok: true });
    expect((await app.inject({ method: 'GET', url: '/openapi.json', headers: html })).json().openapi).toMatch(/^3\./);
    expect((await app.inject({ method: 'GET', url: '/v1/contacts', headers: html })).statusCode).toBe(401);
  });

  it('says how to build the dashboard when web/dist is missing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'qh-web-empty-'));
    afterAll(() => rm(dir, { recursive: true, force: true }));
    const app = await server(dir);
    const res = await app.inject({ method: 'GET', url: '/', headers: html });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:web');
  });
});

describe('the stale-build check', () => {
  it('is fresh only while web/ sources and the OpenAPI document match the build', async () => {
    const dir = await fakeWeb();
    const openapi = { openapi: '3.0.3', paths: { '/v1/a': {} }, servers: [{ url: 'http://x' }] };
    expect(await webBuildState({ openapi, webDir: dir })).toEqual({ kind: 'missing' });
    const info = { sourceHash: await webSourceHash(dir), openapiHash: openapiHash(openapi), builtAt: 'now' };
    await writeFile(path.join(dir, 'dist', 'build-info.json'), JSON.stringify(info));
    expect(await webBuildState({ openapi, webDir: dir })).toEqual({ kind: 'fresh' });
    // The server URL comes from configuration, not from the code: it does not make a build stale.
    expect(await webBuildState({ openapi: { ...openapi, servers: [] }, webDir: dir })).toEqual({ kind: 'fresh' });
    expect(await webBuildState({ openapi: { ...openapi, paths: {} }, webDir: dir })).toMatchObject({ kind: 'stale' });
    await writeFile(path.join(dir, 'src', 'main.tsx'), 'export const changed = 1;\n');
    expect(await webBuildState({ openapi, webDir: dir })).toEqual({
      kind: 'stale',
      what: 'web/ changed since the build',
    });

    let rebuilt = 0;
    const say = () => {};
    await expect(ensureWebBuild({ openapi, webDir: dir, say, rebuild: async () => void rebuilt++ })).resolves.toBe(
      'rebuilt',
    );
    await expect(
      ensureWebBuild({
        openapi,
        webDir: dir,
        say,
        rebuild: async () => {
          throw new WebBuildUnavailable('the dashboard build tools are not installed');
        },
      }),
    ).rejects.toThrow(
      'the dashboard is stale (web/ changed since the build) and could not be rebuilt: the dashboard build tools are not installed',
    );
    await writeFile(path.join(dir, 'src', 'main.tsx'), 'export {};\n');
    await expect(ensureWebBuild({ openapi, webDir: dir, say, rebuild: async () => void rebuilt++ })).resolves.toBe(
      'fresh',
    );
    expect(rebuilt).toBe(1);
  });
});
