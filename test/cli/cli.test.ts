import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bearer, cliEnv, testApi } from '../support/harness.ts';
import { runCli } from '../support/processes.ts';

const app = await testApi();
const dir = await mkdtemp(path.join(os.tmpdir(), 'quotahit-cli-'));

describe('quotahit workspace create', () => {
  it('prints {"workspaceId","apiKey"} with --json, and the key works on the API', async () => {
    const run = await runCli(['workspace', 'create', '--name', 'CLI Co', '--json'], cliEnv());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(Object.keys(out)).toEqual(['workspaceId', 'apiKey']);
    const ws = await app.inject({ method: 'GET', url: '/v1/workspace', headers: bearer(out.apiKey) });
    expect(ws.json()).toMatchObject({ id: out.workspaceId, name: 'CLI Co' });
  });

  it.each([
    [['workspace', 'create'], /required option '--name <name>' not specified/],
    [['workspace', 'create', '--name', ''], /workspace create needs --name NAME/],
    [['workspace', 'create', '--name', 'x', '--colour', 'red'], /unknown option '--colour'/],
    [['workspace', 'delete'], /unknown command 'delete'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('exits 2 with a usage message for %j', async (args, message) => {
    const run = await runCli(args, cliEnv());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe('quotahit contacts import', () => {
  it('imports a CSV file and prints the result as JSON; a second run changes nothing', async () => {
    const { workspaceId, apiKey } = JSON.parse(
      (await runCli(['workspace', 'create', '--name', 'Import', '--json'], cliEnv())).stdout,
    );
    const file = path.join(dir, 'leads.csv');
    await writeFile(file, 'email,firstName,tags\nana@example.com,Ana,vip\nbad-email,Bo,\nli@example.com,李,\n');
    const first = await runCli(['contacts', 'import', file, '--workspace', workspaceId, '--json'], cliEnv());
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({
      created: 2,
      updated: 0,
      unchanged: 0,
      rejected: [{ row: 3, reason: 'email "bad-email" is not a valid email address' }],
      warnings: [],
    });
    const second = await runCli(['contacts', 'import', file, '--workspace', workspaceId, '--json'], cliEnv());
    expect(JSON.parse(second.stdout)).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    const listed = await app.inject({ method: 'GET', url: '/v1/contacts', headers: bearer(apiKey) });
    expect(
      listed
        .json()
        .data.map((c: { firstName: string }) => c.firstName)
        .sort(),
    ).toEqual(['Ana', '李']);
  });

  it('imports a JSON file and prints a human summary without --json', async () => {
    const { workspaceId } = JSON.parse(
      (await runCli(['workspace', 'create', '--name', 'Json', '--json'], cliEnv())).stdout,
    );
    const file = path.join(dir, 'leads.json');
    await writeFile(file, JSON.stringify({ contacts: [{ email: 'x@example.com' }, { phone: 'nope' }] }));
    const run = await runCli(['contacts', 'import', file, '--workspace', workspaceId], cliEnv());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('leads.json: 1 created, 0 updated, 0 unchanged, 1 rejected');
    expect(run.stdout).toContain('row 2: phone "nope" is not a valid phone number');
  });

  it('fails cleanly on a broken file, a missing file, a bad or unknown workspace', async () => {
    const { workspaceId } = JSON.parse(
      (await runCli(['workspace', 'create', '--name', 'Bad', '--json'], cliEnv())).stdout,
    );
    const broken = path.join(dir, 'broken.csv');
    await writeFile(broken, 'email\n"a@example.com\n');
    const cases: [string[], number, RegExp][] = [
      [['contacts', 'import', broken, '--workspace', workspaceId], 1, /CSV is malformed/],
      [['contacts', 'import', path.join(dir, 'missing.csv'), '--workspace', workspaceId], 2, /cannot read/],
      [['contacts', 'import', broken, '--workspace', 'abc'], 2, /workspace "abc" not found/],
      [
        ['contacts', 'import', broken, '--workspace', '00000000-0000-4000-8000-000000000000'],
        2,
        /workspace 00000000-0000-4000-8000-000000000000 not found/,
      ],
      [['contacts', 'import'], 2, /missing required argument 'file'/],
    ];
    for (const [args, code, message] of cases) {
      const run = await runCli(args, cliEnv());
      expect({ args, code: run.code }).toEqual({ args, code });
      expect(run.stderr).toMatch(message);
    }
  });
});

describe('configuration errors', () => {
  it.each([
    [{ PORT: 'abc' }, /PORT: Invalid input: expected number/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/],
    [{ QUOTAHIT_ENCRYPTION_KEY: 'short' }, /QUOTAHIT_ENCRYPTION_KEY: must be 32 bytes/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL: Invalid option/],
  ])('stops with a message naming the variable for %j', async (env, message) => {
    const run = await runCli(['migrate'], cliEnv(env));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
  });

  it('requires an encryption key from the environment when DATABASE_URL is used', async () => {
    const { QUOTAHIT_ENCRYPTION_KEY: _k, ...env } = cliEnv();
    const run = await runCli(['migrate'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/QUOTAHIT_ENCRYPTION_KEY: required when DATABASE_URL is set/);
  });
});
