// The list commands people reach for first, by name instead of id, and --json shaped like the API.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { withDatabase } from '../support/globalSetup.ts';
import { bearer, cliEnv, testApi } from '../support/harness.ts';
import { runCli } from '../support/processes.ts';
import { ALWAYS_OPEN } from '../support/world.ts';

const app = await testApi();
const dir = await mkdtemp(path.join(os.tmpdir(), 'quotahit-cli-lists-'));

async function workspace(name: string) {
  const run = await runCli(['workspace', 'create', '--name', name, '--json'], cliEnv());
  return JSON.parse(run.stdout) as { workspaceId: string; apiKey: string };
}

async function cli(args: string[], env = cliEnv()) {
  const run = await runCli(args, env);
  expect({ args, stderr: run.stderr, code: run.code }).toEqual({ args, stderr: '', code: 0 });
  return run.stdout;
}

describe('list commands', () => {
  it('lists contacts, sequences, senders and messages of a workspace named by its name', async () => {
    const name = `Lists ${Date.now()}`;
    const { workspaceId, apiKey } = await workspace(name);
    await app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: bearer(apiKey),
      payload: {
        contacts: [
          { email: 'ana@lists.example.com', firstName: 'Ana', lastName: 'Lima', company: 'Acme', tags: ['vip'] },
          { email: 'bo@lists.example.com', firstName: 'Bo', tags: ['cold'] },
        ],
      },
    });
    await app.inject({
      method: 'POST',
      url: '/v1/senders',
      headers: bearer(apiKey),
      payload: { channel: 'email', provider: 'sandbox', name: 'Sandbox mailbox', fromEmail: 'me@lists.example.com' },
    });

    const human = await cli(['contacts', '--workspace', name]);
    expect(human).toMatch(/^NAME +EMAIL \/ PHONE \/ LINKEDIN +COMPANY +STATUS +TAGS\n/);
    expect(human).toMatch(/Ana Lima +ana@lists\.example\.com +Acme +new +vip/);
    expect(human).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    const vip = JSON.parse(await cli(['contacts', 'list', '--workspace', workspaceId, '--tag', 'vip', '--json']));
    expect(vip).toMatchObject({ data: [{ email: 'ana@lists.example.com' }], nextCursor: null });
    expect(JSON.parse(await cli(['contacts', '--workspace', name, '--status', 'replied', '--json'])).data).toEqual([]);
    const first = JSON.parse(await cli(['contacts', '--workspace', name, '--limit', '1', '--json']));
    expect(first.data).toHaveLength(1);
    const second = JSON.parse(await cli(['contacts', '--workspace', name, '--cursor', first.nextCursor, '--json']));
    expect(second).toMatchObject({ data: [{ email: 'bo@lists.example.com' }], nextCursor: null });

    await cli(['sequences', 'create', '--workspace', name, '--preset', 'standard_b2b', '--name', 'Spring push']);
    const sequences = await cli(['sequences', '--workspace', name]);
    expect(sequences).toMatch(/Spring push +standard_b2b +7 +active +0/);
    // A sequence by its name, contacts by id with the new option word.
    const ids = vip.data.map((c: { id: string }) => c.id).join(',');
    expect(await cli(['enroll', '--workspace', name, '--sequence', 'spring push', '--contact-ids', ids])).toBe(
      '1 enrolled, 0 skipped\n',
    );
    expect(await cli(['enroll', '--workspace', name, '--sequence', 'Spring push', '--tag', 'vip'])).toBe(
      '0 enrolled, 1 skipped\n  Ana Lima <ana@lists.example.com>: already enrolled in this sequence\n',
    );
    expect(JSON.parse(await cli(['sequences', '--workspace', name, '--json'])).data[0]).toMatchObject({
      name: 'Spring push',
      enrolled: 1,
      active: 1,
    });

    const senders = await cli(['senders', '--workspace', name]);
    expect(senders).toMatch(/Sandbox mailbox +email +sandbox +me@lists\.example\.com +50 +active/);
    const senderJson = JSON.parse(await cli(['senders', '--workspace', name, '--json']));
    expect(senderJson.data[0]).not.toHaveProperty('credentials');

    expect(await cli(['messages', '--workspace', name])).toBe('No messages match.\n');
    expect(
      JSON.parse(await cli(['messages', '--workspace', name, '--contact', 'ana@lists.example.com', '--json'])),
    ).toEqual({
      data: [],
    });
    expect(await cli(['tasks', '--workspace', name])).toMatch(/^No call tasks: /);
    expect(JSON.parse(await cli(['tasks', '--workspace', name, '--json']))).toEqual({ data: [], nextCursor: null });
  });

  it('shows sent messages with the contact, sequence and account named', async () => {
    const name = `Messages ${Date.now()}`;
    const { apiKey } = await workspace(name);
    const headers = bearer(apiKey);
    await app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers,
      payload: { contacts: [{ email: 'cy@m.example.com', firstName: 'Cy', company: 'Initech', tags: ['go'] }] },
    });
    const file = path.join(dir, 'now.json');
    await writeFile(
      file,
      JSON.stringify({ name: 'Now', steps: [{ day: 0, channel: 'email', template: 'intro' }], schedule: ALWAYS_OPEN }),
    );
    await cli(['sequences', 'create', '--workspace', name, '--file', file]);
    const executed = JSON.parse(
      await cli(['plan', '--workspace', name, '--tag', 'go', '--sequence', 'Now', '--execute', '--json']),
    );
    expect(executed.execution).toMatchObject({ enrolled: 1, messages_sent: 1 });
    const listed = await cli(['messages', '--workspace', name]);
    expect(listed).toMatch(/^WHEN +TO +SEQUENCE +CHANNEL +VIA +STATUS +SUBJECT\n/);
    expect(listed).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d +Cy <cy@m\.example\.com> +Now · step 0 +email +sandbox +sent /);
    const json = JSON.parse(
      await cli(['messages', '--workspace', name, '--sequence', 'now', '--status', 'sent', '--json']),
    );
    expect(json.data).toEqual([
      expect.objectContaining({ contact: 'Cy <cy@m.example.com>', sequence: 'Now', step: 0, status: 'sent' }),
    ]);
    expect(JSON.parse(await cli(['messages', '--workspace', name, '--channel', 'sms', '--json'])).data).toEqual([]);
  });

  it('lists workspaces, and needs no --workspace when there is only one', async () => {
    const admin = new pg.Client({ connectionString: inject('databaseUrl') });
    await admin.connect();
    const database = `qh_one_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${database}`);
    const url = withDatabase(inject('databaseUrl'), database);
    afterAll(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    });
    const pool = new pg.Pool({ connectionString: url });
    await migrate(pool);
    await pool.end();
    const env = cliEnv({ DATABASE_URL: url });

    const none = await runCli(['contacts'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/there is no workspace yet: run `quotahit start`/);
    expect(await cli(['workspaces'], env)).toMatch(/^No workspaces yet/);

    await cli(['workspace', 'create', '--name', 'Only'], env);
    expect(await cli(['contacts'], env)).toMatch(/^No contacts yet/);
    expect(await cli(['workspaces'], env)).toMatch(/^NAME +CONTACTS +SEQUENCES +SENDERS +CREATED\nOnly +0 +0 +0 /);
    await cli(['workspace', 'create', '--name', 'Second'], env);
    const ambiguous = await runCli(['sequences'], env);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/--workspace is needed: there are 2 workspaces \("Only", "Second"\)/);
    await cli(['workspace', 'create', '--name', 'Second'], env);
    const twins = await runCli(['sequences', '--workspace', 'second'], env);
    expect(twins.code).toBe(2);
    expect(twins.stderr).toMatch(/2 workspaces are named "second": give the id of one/);
    const listed = JSON.parse(await cli(['workspaces', '--json'], env));
    expect(listed.data.map((w: { name: string }) => w.name)).toEqual(['Only', 'Second', 'Second']);
  });
});
