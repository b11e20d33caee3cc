import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { cliEnv, testApi, bearer } from '../support/harness.ts';
import { BIN, runCli } from '../support/processes.ts';
import { DANA, OFFER } from '../api/writerFixtures.ts';

const app = await testApi();

async function workspaceWithContacts(
  contacts: Record<string, unknown>[],
  identity: Record<string, string> = { offer: OFFER, postalAddress: '1 Main St, Springfield' },
) {
  const { workspaceId, apiKey } = JSON.parse(
    (await runCli(['workspace', 'create', '--name', 'CLI writer', '--json'], cliEnv())).stdout,
  );
  const headers = bearer(apiKey);
  await app.inject({ method: 'PATCH', url: '/v1/workspace', headers, payload: identity });
  await app.inject({ method: 'POST', url: '/v1/contacts', headers, payload: { contacts } });
  const listed = await app.inject({ method: 'GET', url: '/v1/contacts', headers });
  const ids = (listed.json().data as { id: string; email: string }[]).map((c) => [c.email, c.id]);
  return { workspaceId, ids: Object.fromEntries(ids) as Record<string, string> };
}

function runWithStdin(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('quotahit preview', () => {
  it('prints the message the composer would send, and JSON with --json', async () => {
    const { workspaceId, ids } = await workspaceWithContacts([DANA]);
    const contact = ids[DANA.email] as string;
    const args = [
      'preview',
      '--workspace',
      workspaceId,
      '--contact',
      contact,
      '--channel',
      'email',
      '--purpose',
      'intro',
    ];
    const text = await runCli(args, cliEnv());
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Subject: .+\n\nHi Dana|^Subject: .+\n\n.*Dana/s);
    expect(text.stdout).toMatch(/checks: passed \(spam score \d+(\.\d+)?\/5\)\ngenerator: composer\n$/);

    const json = await runCli([...args, '--variant', '1', '--json'], cliEnv());
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ blocked: false, generator: 'composer', checks: { passed: true } });
  });

  it.each([
    [['preview'], 2, /required option '--contact <contact>' not specified/],
    [
      ['preview', '--workspace', '0190a1b2-0000-7000-8000-000000000000', '--channel', 'email', '--purpose', 'intro'],
      2,
      /required option '--contact <contact>' not specified/,
    ],
    [
      [
        'preview',
        '--workspace',
        '0190a1b2-0000-7000-8000-000000000000',
        '--contact',
        '0190a1b2-0000-7000-8000-000000000000',
        '--channel',
        'fax',
        '--purpose',
        'intro',
      ],
      2,
      /--channel: must be one of email, linkedin, whatsapp, sms, call \(got "fax"\)/,
    ],
    [
      [
        'preview',
        '--workspace',
        '0190a1b2-0000-7000-8000-000000000000',
        '--contact',
        '0190a1b2-0000-7000-8000-000000000000',
        '--channel',
        'email',
        '--purpose',
        'nope',
      ],
      2,
      /--purpose: must be one of intro, connection_request, linkedin_dm, followup_1, .*, reengage \(got "nope"\)/,
    ],
    [
      [
        'preview',
        '--workspace',
        '0190a1b2-0000-7000-8000-000000000000',
        '--contact',
        '0190a1b2-0000-7000-8000-000000000000',
        '--channel',
        'email',
        '--purpose',
        'intro',
        '--variant',
        'two',
      ],
      2,
      /--variant must be a whole number from 0 to 9/,
    ],
    [
      [
        'preview',
        '--workspace',
        '0190a1b2-0000-7000-8000-000000000000',
        '--contact',
        '0190a1b2-0000-7000-8000-000000000000',
        '--channel',
        'email',
        '--purpose',
        'intro',
      ],
      2,
      /workspace 0190a1b2-0000-7000-8000-000000000000 not found/,
    ],
  ])('%j exits %i with a precise message', async (args, code, message) => {
    const run = await runCli(args, cliEnv());
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
  });

  it('still shows the draft of a workspace that is not set up, with a warning that real sends are held', async () => {
    const { workspaceId, ids } = await workspaceWithContacts([DANA], { offer: OFFER });
    const args = ['preview', '--workspace', workspaceId, '--contact', ids[DANA.email] as string, '--channel', 'email'];
    const run = await runCli([...args, '--purpose', 'intro'], cliEnv());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Subject: /);
    expect(run.stderr).toMatch(/^warning: real sends are held until .*postal address/);
    const json = JSON.parse((await runCli([...args, '--purpose', 'intro', '--json'], cliEnv())).stdout);
    expect(json.warnings[0]).toMatch(/postal address/);
  });

  it('says so for a contact of another workspace', async () => {
    const mine = await workspaceWithContacts([{ ...DANA, email: 'a@one.example.com' }]);
    const theirs = await workspaceWithContacts([{ ...DANA, email: 'b@two.example.com' }]);
    const contact = theirs.ids['b@two.example.com'] as string;
    const run = await runCli(
      ['preview', '--workspace', mine.workspaceId, '--contact', contact, '--channel', 'sms', '--purpose', 'intro'],
      cliEnv(),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`contact "${contact}" not found in this workspace`);
  });
});

describe('quotahit classify', () => {
  it('classifies --body, and a reply on stdin, with the heuristic when no model is configured', async () => {
    const flag = await runCli(['classify', '--body', 'Please remove me from your list.', '--json'], cliEnv());
    expect(flag.code).toBe(0);
    expect(JSON.parse(flag.stdout)).toMatchObject({ intent: 'unsubscribe', source: 'heuristic' });

    const piped = await runWithStdin(
      ['classify', '--subject', 'Out of office'],
      'I am out of the office until Monday.',
    );
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/^out_of_office \(confidence [\d.]+, heuristic\)\nback on \d{4}-\d{2}-\d{2}\n$/);
  });

  it('refuses an empty reply and a bad model configuration, naming the variable', async () => {
    const empty = await runCli(['classify'], cliEnv());
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/classify needs the reply: --body TEXT or on stdin/);
    const bad = await runCli(['classify', '--body', 'hi'], cliEnv({ QUOTAHIT_MODEL_PROVIDER: 'gemini' }));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('QUOTAHIT_MODEL_PROVIDER: must be one of anthropic, openai, openai_compatible');
  });
});

describe('quotahit plan', () => {
  it('proposes a plan by tag, then executes one by contact ids with the spec summary', async () => {
    const gone = { email: 'cy@initech.example.com', firstName: 'Cy', tags: ['q2'] };
    const { workspaceId, ids } = await workspaceWithContacts([DANA, gone]);
    const proposed = await runCli(['plan', '--workspace', workspaceId, '--tag', 'q2'], cliEnv());
    expect(proposed.stderr).toBe('');
    expect(proposed.code).toBe(0);
    expect(proposed.stdout).toMatch(/^Plan [0-9a-f-]{36}: 2 leads, sequence "Standard B2B Outreach"/);
    expect(proposed.stdout).toMatch(/✓ Dana Kim \(Northwind Logistics\): email; email at 2/);
    expect(proposed.stdout).toMatch(/angle: pain: manual lead research eats SDR time/);

    const executed = await runCli(
      [
        'plan',
        '--workspace',
        workspaceId,
        '--contacts',
        `${ids[DANA.email]},${ids[gone.email]}`,
        '--preset',
        'nurture',
        '--execute',
        '--json',
      ],
      cliEnv(),
    );
    expect(executed.stderr).toBe('');
    expect(executed.code).toBe(0);
    const out = JSON.parse(executed.stdout);
    expect(out.plan).toMatchObject({ status: 'draft', preset: 'nurture' });
    expect(out.execution).toMatchObject({ enrolled: 2, errors: [] });
    expect(out.execution).toHaveProperty('messages_sent');
    expect(out.execution).toHaveProperty('channels_used');
    expect(out.execution).toHaveProperty('lead_updates');
    expect(out.execution.messages_sent + out.execution.scheduled.length).toBe(2);
  });

  it.each([
    [['plan', '--workspace', '0190a1b2-0000-7000-8000-000000000000'], /--contact-ids or --tag \(exactly one\)/],
    [
      ['plan', '--workspace', '0190a1b2-0000-7000-8000-000000000000', '--tag', 'x', '--preset', 'spray'],
      /--preset: must be one of standard_b2b/,
    ],
    [
      ['plan', '--workspace', '0190a1b2-0000-7000-8000-000000000000', '--contacts', 'a,b'],
      /--contact-ids: "a" is not a contact id \(UUID\)/,
    ],
    [['plan', '--tag', 'x'], /--workspace is needed: there are \d+ workspaces/],
  ])('%j exits 2 with a usage message', async (args, message) => {
    const run = await runCli(args, cliEnv());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe('model configuration from the environment', () => {
  const base = {
    DATABASE_URL: 'postgres://x@localhost/db',
    QUOTAHIT_ENCRYPTION_KEY: Buffer.alloc(32).toString('base64'),
  };
  it('is off unless QUOTAHIT_MODEL_PROVIDER is set, even with a provider key in the environment', () => {
    expect(loadConfig(base).model).toBeUndefined();
    expect(loadConfig({ ...base, ANTHROPIC_API_KEY: 'sk-ant-fake-key' }).model).toBeUndefined();
  });

  it('reads provider, model, base URL and the key', () => {
    expect(
      loadConfig({ ...base, QUOTAHIT_MODEL_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: 'sk-ant-fake-key' }).model,
    ).toMatchObject({
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
      apiKey: 'sk-ant-fake-key',
    });
    expect(
      loadConfig({
        ...base,
        QUOTAHIT_MODEL_PROVIDER: 'openai',
        OPENAI_API_KEY: 'sk-o',
        QUOTAHIT_MODEL_API_KEY: 'sk-own',
        QUOTAHIT_MODEL: 'gpt-4o',
      }).model,
    ).toMatchObject({ provider: 'openai', model: 'gpt-4o', apiKey: 'sk-own' });
    const local = loadConfig({
      ...base,
      QUOTAHIT_MODEL_PROVIDER: 'openai_compatible',
      QUOTAHIT_MODEL: 'llama3.1:8b',
      QUOTAHIT_MODEL_BASE_URL: 'http://localhost:11434/v1',
      OPENAI_API_KEY: 'sk-real-openai',
    }).model;
    expect(local).toMatchObject({
      provider: 'openai_compatible',
      model: 'llama3.1:8b',
      baseUrl: 'http://localhost:11434/v1',
    });
    expect(local?.apiKey).toBeUndefined();
  });

  it.each([
    [
      { QUOTAHIT_MODEL_PROVIDER: 'gemini' },
      'QUOTAHIT_MODEL_PROVIDER: must be one of anthropic, openai, openai_compatible',
    ],
    [
      { QUOTAHIT_MODEL_PROVIDER: 'anthropic' },
      'QUOTAHIT_MODEL_API_KEY or ANTHROPIC_API_KEY: the anthropic provider needs an apiKey',
    ],
    [
      { QUOTAHIT_MODEL_PROVIDER: 'openai' },
      'QUOTAHIT_MODEL_API_KEY or OPENAI_API_KEY: the openai provider needs an apiKey',
    ],
    [{ QUOTAHIT_MODEL: 'claude-haiku-4-5' }, 'QUOTAHIT_MODEL_PROVIDER: required when QUOTAHIT_MODEL is set'],
    [
      { QUOTAHIT_MODEL_PROVIDER: 'openai_compatible', QUOTAHIT_MODEL: 'llama' },
      'QUOTAHIT_MODEL_BASE_URL: an OpenAI-compatible provider needs a baseUrl',
    ],
    [
      { QUOTAHIT_MODEL_PROVIDER: 'openai_compatible', QUOTAHIT_MODEL_BASE_URL: 'http://x/v1' },
      'QUOTAHIT_MODEL: required for openai_compatible',
    ],
    [
      { QUOTAHIT_MODEL_PROVIDER: 'openai_compatible', QUOTAHIT_MODEL: 'llama', QUOTAHIT_MODEL_BASE_URL: 'not a url' },
      'QUOTAHIT_MODEL_BASE_URL: must be a URL',
    ],
  ])('%j stops start-up naming the variable', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });
});
