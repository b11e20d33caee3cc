import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bearer, cliEnv, testApi } from '../support/harness.ts';
import { runCli } from '../support/processes.ts';

const app = await testApi();
const dir = await mkdtemp(path.join(os.tmpdir(), 'quotahit-cli-engine-'));

async function workspace() {
  return JSON.parse((await runCli(['workspace', 'create', '--name', 'Engine CLI', '--json'], cliEnv())).stdout) as {
    workspaceId: string;
    apiKey: string;
  };
}

describe('quotahit sequences create, enroll, simulate', () => {
  it('creates a sequence from a preset, enrolls by tag and simulates a file of contacts', async () => {
    const { workspaceId, apiKey } = await workspace();
    const created = await runCli(
      ['sequences', 'create', '--workspace', workspaceId, '--preset', 'standard_b2b', '--name', 'CLI seq', '--json'],
      cliEnv(),
    );
    expect(created.stderr).toBe('');
    const sequence = JSON.parse(created.stdout);
    expect(sequence).toMatchObject({ name: 'CLI seq', preset: 'standard_b2b' });

    await app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: bearer(apiKey),
      payload: {
        contacts: [
          { email: 'a@x.example.com', tags: ['cli'] },
          { email: 'b@x.example.com', tags: ['cli'] },
        ],
      },
    });
    const enrolled = await runCli(['enroll', '--sequence', sequence.id, '--tag', 'cli', '--json'], cliEnv());
    expect(JSON.parse(enrolled.stdout).enrolled).toHaveLength(2);

    const file = path.join(dir, 'leads.csv');
    await writeFile(
      file,
      'email,firstName,timezone,phone,whatsappOptIn\nana@x.example.com,Ana,Europe/Berlin,+4915112345678,true\nbo@y.example.com,Bo,America/Chicago,,\n',
    );
    const simulated = await runCli(
      [
        'simulate',
        '--sequence',
        sequence.id,
        '--contacts',
        file,
        '--days',
        '25',
        '--start',
        '2026-03-02T06:00:00Z',
        '--json',
      ],
      cliEnv(),
    );
    expect(simulated.code).toBe(0);
    const result = JSON.parse(simulated.stdout);
    expect(result.contacts.map((c: { timezone: string }) => c.timezone)).toEqual(['Europe/Berlin', 'America/Chicago']);
    const ana = result.contacts[0].events.filter((e: { action: string }) => e.action === 'send');
    expect(ana.map((e: { channel: string }) => e.channel)).toEqual([
      'email',
      'email',
      'email',
      'whatsapp',
      'email',
      'call',
      'email',
    ]);
    expect(ana[0].at.slice(0, 10)).toBe('2026-03-02');
    // Berlin 08:00 at the earliest: 07:00 UTC in March.
    expect(new Date(ana[0].at).getTime()).toBeGreaterThanOrEqual(new Date('2026-03-02T07:00:00Z').getTime());

    const text = await runCli(['simulate', '--sequence', sequence.id, '--tag', 'cli', '--days', '3'], cliEnv());
    expect(text.stdout).toMatch(/sends, \d+ deferrals/);
    // Nothing was sent by simulating.
    const messages = await app.inject({ method: 'GET', url: '/v1/messages', headers: bearer(apiKey) });
    expect(messages.json().data).toEqual([]);
  });

  it('enrolling "no leads" fails clearly with a tag nobody has, and reports unknown ids as skipped', async () => {
    const { workspaceId } = await workspace();
    const created = await runCli(
      ['sequences', 'create', '--workspace', workspaceId, '--preset', 'standard_b2b', '--json'],
      cliEnv(),
    );
    const sequence = JSON.parse(created.stdout) as { id: string };
    const byTag = await runCli(['enroll', '--sequence', sequence.id, '--tag', 'nobody', '--json'], cliEnv());
    expect(byTag.code).toBe(1);
    expect(byTag.stdout).toBe('');
    expect(byTag.stderr).toBe('quotahit: no contact has the tag "nobody"\n');
    const unknown = '00000000-0000-4000-8000-000000000001';
    const byIds = await runCli(['enroll', '--sequence', sequence.id, '--contacts', unknown], cliEnv());
    expect(byIds.code).toBe(0);
    expect(byIds.stdout).toBe(`0 enrolled, 1 skipped\n  ${unknown}: contact not found\n`);
  });

  it.each([
    [['simulate'], 2, /required option '--sequence <sequence>' not specified/],
    [
      ['simulate', '--sequence', '00000000-0000-4000-8000-000000000000'],
      2,
      /sequence 00000000-0000-4000-8000-000000000000 not found/,
    ],
    [
      ['simulate', '--sequence', '00000000-0000-4000-8000-000000000000', '--days', '0'],
      2,
      /--days must be a whole number/,
    ],
    [
      ['sequences', 'create', '--workspace', '00000000-0000-4000-8000-000000000000', '--preset', 'nope'],
      2,
      /--preset must be one of/,
    ],
    [
      ['enroll', '--sequence', '00000000-0000-4000-8000-000000000000', '--contacts', 'abc'],
      2,
      /"abc" is not a contact id/,
    ],
  ])('%j fails with a clear message', async (args, code, message) => {
    const run = await runCli(args, cliEnv());
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
  });
});
