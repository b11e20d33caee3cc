import { once } from 'node:events';
import { mkdtemp, stat } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.ts';
import { cliEnv } from '../support/harness.ts';
import { runCli, startCli } from '../support/processes.ts';

const READY = /QuotaHit is listening on/;

describe('quotahit start with DATABASE_URL', () => {
  it('serves the API and, on SIGTERM, finishes the request in flight before exiting', async () => {
    const port = await freePort();
    const server = await startCli(['start'], cliEnv({ PORT: String(port) }), READY);
    expect(server.output()).toContain(`QuotaHit is listening on http://127.0.0.1:${port}`);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toEqual({ ok: true });

    const { workspaceId: _w, apiKey } = JSON.parse(
      (await runCli(['workspace', 'create', '--name', 'Slow', '--json'], cliEnv())).stdout,
    );
    const request = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/contacts',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/csv' },
    });
    const response = once(request, 'response');
    request.write('email,firstName\n');
    for (let i = 0; i < 100; i++) request.write(`early${i}@example.com,E${i}\n`);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the server is now reading the body
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < 100; i++) request.write(`late${i}@example.com,L${i}\n`);
    request.end();
    const [res] = (await response) as [http.IncomingMessage];
    let body = '';
    for await (const chunk of res) body += chunk;
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ created: 200, rejected: [] });
    expect(await server.exited).toBe(0);
  });
});

describe('quotahit start on an empty data directory (embedded PostgreSQL)', () => {
  it('starts, creates the first workspace once, and lets the CLI reuse the running server', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quotahit-embedded-'));
    const port = await freePort();
    const { DATABASE_URL: _u, QUOTAHIT_ENCRYPTION_KEY: _k, ...base } = cliEnv();
    const env = { ...base, QUOTAHIT_DATA_DIR: dataDir, PORT: String(port) };

    const server = await startCli(['start'], env, READY, 90_000);
    const apiKey = /API key \(shown once, keep it safe\): (qh_\S+)/.exec(server.output())?.[1];
    expect(apiKey).toBeDefined();
    const keyFile = await stat(path.join(dataDir, 'encryption.key'));
    expect(keyFile.mode & 0o777).toBe(0o600);

    const created = await fetch(`http://127.0.0.1:${port}/v1/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ contacts: [{ email: 'embedded@example.com', firstName: 'Em' }] }),
    });
    expect(await created.json()).toMatchObject({ created: 1 });

    // A second process on the same data directory while start runs: reuses the server.
    const other = await runCli(['workspace', 'create', '--name', 'Second', '--json'], env);
    expect(other.code).toBe(0);
    const second = JSON.parse(other.stdout);
    const ws = await fetch(`http://127.0.0.1:${port}/v1/workspace`, {
      headers: { authorization: `Bearer ${second.apiKey}` },
    });
    expect(await ws.json()).toMatchObject({ name: 'Second' });

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);

    // Restart on the same directory: data is kept and no second default workspace is made.
    const again = await startCli(['start'], env, READY, 90_000);
    expect(again.output()).not.toContain('API key (shown once');
    const listed = await fetch(`http://127.0.0.1:${port}/v1/contacts`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect((await listed.json()).data.map((c: { email: string }) => c.email)).toEqual(['embedded@example.com']);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 180_000);
});
