// The first `quotahit start` prints the owner's one-time link next to the API key; `quotahit
// setup-link` prints a new one; the link sets the owner's password through the API.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/db/embedded.ts';
import { withDatabase } from '../support/globalSetup.ts';
import { cliEnv } from '../support/harness.ts';
import { runCli, startCli } from '../support/processes.ts';

/** A database of its own: the first-run link needs one with no workspace yet. */
async function emptyDatabase(): Promise<string> {
  const name = `qh_first_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: withDatabase(inject('databaseUrl'), 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  afterAll(async () => {
    const client = new pg.Client({ connectionString: withDatabase(inject('databaseUrl'), 'postgres') });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  });
  return withDatabase(inject('databaseUrl'), name);
}

describe('first run', () => {
  it('prints the API key and exactly one owner link; the link sets the password; setup-link prints a new one', async () => {
    const url = await emptyDatabase();
    const port = await freePort();
    const env = cliEnv({ DATABASE_URL: url, PORT: String(port), LOG_LEVEL: 'info' });
    const server = await startCli(['start'], env, /QuotaHit is listening on/);
    try {
      const output = server.output();
      // Notices go through the process's one log format (JSON lines here, not a terminal).
      expect(output).toMatch(/API key \(shown once, keep it safe\): qh_[A-Za-z0-9_-]{43}"/);
      const links = [...output.matchAll(/Set the owner's password: (http[^\s"]+)/g)].map((m) => m[1]);
      expect(links).toHaveLength(1);
      const link = new URL(String(links[0]));
      expect(link.origin + link.pathname).toBe(`http://localhost:${port}/setup`);
      const token = link.searchParams.get('token');
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const page = await fetch(`http://127.0.0.1:${port}/setup?token=${token}`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      // Printed once; the request log shows the page load without it.
      // The request log line is written after the answer: wait for it (a busy machine is slow to flush).
      for (let waited = 0; !server.output().includes('/setup?token=[redacted]') && waited < 20_000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.output()).toContain('/setup?token=[redacted]');
      expect(server.output().split(String(token))).toHaveLength(2);

      const set = await fetch(`http://127.0.0.1:${port}/v1/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token, name: 'Olga', email: 'olga@example.com', password: 'correct horse battery' }),
      });
      expect(set.status).toBe(201);

      const again = await runCli(['setup-link'], env);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(
        /^Set the owner's password: http:\/\/localhost:\d+\/setup\?token=[A-Za-z0-9_-]{43}\n/,
      );
      expect(again.stdout).not.toContain(String(token));
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('setup-link asks which workspace when there are several', async () => {
    const env = cliEnv();
    await runCli(['workspace', 'create', '--name', 'One'], env);
    await runCli(['workspace', 'create', '--name', 'Two'], env);
    const res = await runCli(['setup-link'], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('name one with --workspace');
    const created = JSON.parse((await runCli(['workspace', 'create', '--name', 'Three', '--json'], env)).stdout);
    const json = await runCli(['setup-link', '--workspace', created.workspaceId, '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      workspaceId: created.workspaceId,
      url: expect.stringContaining('/setup?token='),
    });
  });
});
