// quotahit keys create|list|revoke: a new key works on the API at once, the list never shows key
// material, and a revoked key fails on the very next request.
import { describe, expect, it } from 'vitest';
import { bearer, cliEnv, testApi } from '../support/harness.ts';
import { runCli } from '../support/processes.ts';

const app = await testApi();
const env = cliEnv();

async function workspace(name: string) {
  const run = await runCli(['workspace', 'create', '--name', name, '--json'], env);
  return JSON.parse(run.stdout) as { workspaceId: string; apiKey: string };
}

const status = async (key: string) =>
  (await app.inject({ method: 'GET', url: '/v1/keys', headers: bearer(key) })).statusCode;

describe('keys commands', () => {
  it('creates a key shown once, lists without key material, and revokes it for the API at once', async () => {
    const name = `Keys ${Date.now()}`;
    const { workspaceId, apiKey: first } = await workspace(name);

    const created = await runCli(['keys', 'create', '--workspace', name, '--name', 'ci', '--json'], env);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; key: string; name: string; workspaceId: string };
    expect(key).toMatchObject({ name: 'ci', workspaceId, key: expect.stringMatching(/^qh_[A-Za-z0-9_-]{43}$/) });
    expect(await status(key.key)).toBe(200);

    const human = await runCli(['keys', 'create', '--workspace', workspaceId], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/API key \(shown once, keep it safe\): qh_[A-Za-z0-9_-]{43}\n/);

    const list = await runCli(['keys', 'list', '--workspace', name], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+PREFIX\s+CREATED\s+LAST USED\s+REVOKED\n/);
    expect(list.stdout).toContain(key.id);
    expect(list.stdout).toContain('ci');
    for (const secret of [first, key.key]) expect(list.stdout).not.toContain(secret);
    const listJson = await runCli(['keys', '--workspace', name, '--json'], env);
    const data = (JSON.parse(listJson.stdout) as { data: Record<string, unknown>[] }).data;
    expect(data.map((k) => k.name)).toEqual(['default', 'ci', 'cli']);
    expect(listJson.stdout).not.toContain(key.key);
    expect(data.every((k) => !('key' in k))).toBe(true);

    const revoked = await runCli(['keys', 'revoke', key.id, '--workspace', name], env);
    expect({ code: revoked.code, stderr: revoked.stderr }).toEqual({ code: 0, stderr: '' });
    expect(revoked.stdout).toContain(`API key ${key.id} revoked`);
    expect(await status(key.key)).toBe(401);
    expect(await status(first)).toBe(200);
    const after = JSON.parse((await runCli(['keys', '--workspace', name, '--json'], env)).stdout) as {
      data: { id: string; revokedAt: string | null }[];
    };
    expect(after.data.find((k) => k.id === key.id)?.revokedAt).toEqual(expect.any(String));
  });

  it('exits 2 with a precise message on bad input, changing nothing', async () => {
    const name = `Keys bad ${Date.now()}`;
    const { workspaceId } = await workspace(name);
    const other = await workspace(`${name} other`);
    const otherKeys = JSON.parse((await runCli(['keys', '--workspace', other.workspaceId, '--json'], env)).stdout) as {
      data: { id: string }[];
    };
    const cases: [string[], RegExp][] = [
      [['keys', 'list', '--workspace', 'No such workspace'], /workspace "No such workspace" not found/],
      [['keys', 'create', '--workspace', 'No such workspace'], /workspace "No such workspace" not found/],
      [['keys', 'create'], /--workspace is needed/],
      [['keys', 'create', '--workspace', name, '--name', ''], /--name must be 1–100 characters/],
      [['keys', 'revoke', '--workspace', name], /missing required argument 'id'/],
      [['keys', 'revoke', 'nope', '--workspace', name], /"nope" is not a key id/],
      [
        ['keys', 'revoke', '00000000-0000-4000-8000-000000000000', '--workspace', name],
        /no API key 00000000-0000-4000-8000-000000000000 in workspace/,
      ],
      // A key of another workspace is not found in this one.
      [['keys', 'revoke', String(otherKeys.data[0]?.id), '--workspace', workspaceId], /no API key .* in workspace/],
      [['keys', 'frobnicate'], /unknown command|too many arguments/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args, env);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
      expect(run.stdout).not.toMatch(/qh_/);
    }
    const keys = JSON.parse((await runCli(['keys', '--workspace', workspaceId, '--json'], env)).stdout) as {
      data: { revokedAt: string | null }[];
    };
    expect(keys.data).toHaveLength(1);
    const otherAfter = JSON.parse((await runCli(['keys', '--workspace', other.workspaceId, '--json'], env)).stdout) as {
      data: { revokedAt: string | null }[];
    };
    expect(otherAfter.data[0]?.revokedAt).toBeNull();
  });
});
