import { once } from 'node:events';
import { mkdtemp, stat } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../src/db/embedded.ts';
import { cliEnv } from '../support/harness.ts';
import { runCli, startCli } from '../support/processes.ts';
import { ALWAYS_OPEN } from '../support/world.ts';

const READY = /QuotaHit is listening on/;

describe('quotahit start with DATABASE_URL', () => {
  it(
    'serves the API and, on SIGTERM, finishes the request in flight before exiting',
    { timeout: 600_000 },
    async () => {
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
        // 100-continue: the server answers it once it has taken the request (its headers parsed), so
        // the SIGTERM below lands while it is reading the body however slow the machine is.
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/csv', expect: '100-continue' },
      });
      const response = once(request, 'response');
      const taken = once(request, 'continue');
      request.flushHeaders();
      await taken;
      request.write('email,firstName\n');
      for (let i = 0; i < 100; i++) request.write(`early${i}@example.com,E${i}\n`);
      server.child.kill('SIGTERM');
      // The rest of the body arrives once the server is draining.
      for (let waited = 0; !server.output().includes('Stopping (') && waited < 30_000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.output()).toContain('Stopping (');
      for (let i = 0; i < 100; i++) request.write(`late${i}@example.com,L${i}\n`);
      request.end();
      const [res] = (await response) as [http.IncomingMessage];
      let body = '';
      for await (const chunk of res) body += chunk;
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(body)).toMatchObject({ created: 200, rejected: [] });
      expect(await server.exited).toBe(0);
    },
  );
});

describe('quotahit start runs the engine', () => {
  it(
    'sends a day-0 step with no jitter through the sandbox within seconds of enrolling',
    { timeout: 600_000 },
    async () => {
      const port = await freePort();
      // No sweep within the test: only the step's own job can send it, however long that takes.
      const server = await startCli(['start'], cliEnv({ PORT: String(port), QUOTAHIT_SWEEP_SECONDS: '3600' }), READY);
      try {
        const { apiKey } = JSON.parse(
          (await runCli(['workspace', 'create', '--name', 'Live', '--json'], cliEnv())).stdout,
        );
        const api = async (method: string, path: string, body?: unknown) => {
          const res = await fetch(`http://127.0.0.1:${port}${path}`, {
            method,
            headers: { authorization: `Bearer ${apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
            ...(body ? { body: JSON.stringify(body) } : {}),
          });
          return (await res.json()) as Record<string, unknown>;
        };
        await api('POST', '/v1/contacts', {
          contacts: [{ email: 'live@acme.example.com', firstName: 'Liv', company: 'Acme' }],
        });
        const contactId = ((await api('GET', '/v1/contacts')).data as { id: string }[])[0]?.id;
        const sequence = await api('POST', '/v1/sequences', {
          name: 'Now',
          steps: [{ day: 0, channel: 'email', template: 'intro' }],
          schedule: ALWAYS_OPEN,
        });
        await api('POST', `/v1/sequences/${String(sequence.id)}/enrollments`, { contactIds: [contactId] });
        const deadline = Date.now() + 300_000;
        let sent: Record<string, unknown>[] = [];
        while (Date.now() < deadline && sent.length === 0) {
          sent = (await api('GET', '/v1/messages?status=sent')).data as Record<string, unknown>[];
          if (sent.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(sent).toHaveLength(1);
        expect(sent[0]).toMatchObject({ provider: 'sandbox', channel: 'email', purpose: 'intro' });
        expect(String(sent[0]?.body)).toContain('Liv');
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    },
  );
});

describe('quotahit start on an empty data directory (embedded PostgreSQL)', () => {
  it('starts, creates the first workspace once, and lets the CLI reuse the running server', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quotahit-embedded-'));
    const port = await freePort();
    const { DATABASE_URL: _u, QUOTAHIT_ENCRYPTION_KEY: _k, ...base } = cliEnv();
    const env = { ...base, QUOTAHIT_DATA_DIR: dataDir, PORT: String(port) };

    const server = await startCli(['start'], env, READY);
    const apiKey = /API key \(shown once, keep it safe\): (qh_[\w-]+)/.exec(server.output())?.[1];
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
    const again = await startCli(['start'], env, READY);
    expect(again.output()).not.toContain('API key (shown once');
    const listed = await fetch(`http://127.0.0.1:${port}/v1/contacts`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect((await listed.json()).data.map((c: { email: string }) => c.email)).toEqual(['embedded@example.com']);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 900_000);
});
