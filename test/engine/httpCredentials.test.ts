// An HTTP sender's URL is the tenant's choice and may carry credentials (user:password@, ?token=):
// they never come back in the API (messages, enrollment history, timeline) nor sit in the
// database's text, and an unreachable host is "cannot reach the host" whatever the port said.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { displayUrl, redactSecrets } from '../../src/core/redact.ts';
import { startFakeHttpProvider } from '../fakes/httpProvider.ts';
import { instant, world, type World } from '../support/world.ts';

const SECRETS = ['s3cretPassw0rd', 'tok_query_4242', 'bearer_tok_9191'];

function account(url: string, token?: string) {
  return {
    channel: 'email',
    provider: 'http',
    fromEmail: 'sam@ours.example.com',
    fromName: 'Sam Rivera',
    credentials: { url, ...(token ? { token } : {}) },
    dailyLimit: 1000,
    hourlyLimit: null,
    minGapSeconds: 0,
    warmup: null,
  };
}

/** Sends one step to ana through the workspace's only account; answers what every surface shows. */
async function sendOnce(w: World): Promise<string> {
  const [ana] = await w.contacts([{ email: 'ana@acme.example.com', timezone: 'UTC' }]);
  const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
  const { enrolled } = await w.enroll(sequenceId, [ana as string]);
  await w.engine.tick();
  const shown = [
    await w.messages(),
    await w.timeline(ana as string),
    await w.enrollment(enrolled[0]?.enrollmentId ?? ''),
    await w.row('SELECT error FROM messages'),
    await w.row('SELECT summary, data FROM activities'),
    await w.row('SELECT status_reason FROM senders'),
  ];
  return JSON.stringify(shown);
}

describe('HTTP sender errors carry no credentials', () => {
  it('an unreachable host: no user info, query, token, port or kind of refusal', async () => {
    const w = await world();
    await w.ok('POST', '/v1/senders', account(`http://sam:${SECRETS[0]}@127.0.0.1:1/hook?token=${SECRETS[1]}`));
    const shown = await sendOnce(w);
    expect(shown).toContain('cannot reach the host (127.0.0.1)');
    for (const secret of SECRETS) expect(shown).not.toContain(secret);
    expect(shown).not.toMatch(/ECONNREFUSED|127\.0\.0\.1:1\b/);
  });

  it('an endpoint that echoes the request in its error: the echo is redacted', async () => {
    const fake = await startFakeHttpProvider();
    try {
      const w = await world();
      const url = `${fake.url}?token=${SECRETS[1]}&api_key=${SECRETS[0]}`;
      await w.ok('POST', '/v1/senders', account(url, SECRETS[2]));
      fake.failNext(422, 1, {}, true);
      const shown = await sendOnce(w);
      expect(shown).toContain('HTTP 422 from http://127.0.0.1');
      for (const secret of SECRETS) expect(shown).not.toContain(secret);
    } finally {
      await fake.close();
    }
  });

  it('user info in the URL is sent as Basic authorization, not dropped', async () => {
    const fake = await startFakeHttpProvider();
    try {
      const w = await world();
      await w.ok('POST', '/v1/senders', account(fake.url.replace('http://', 'http://sam:pa%20ss@')));
      await sendOnce(w);
      expect(fake.deliveries[0]?.authorization).toBe(`Basic ${Buffer.from('sam:pa ss').toString('base64')}`);
    } finally {
      await fake.close();
    }
  });

  it('migration 075 scrubs what was stored before', async () => {
    const w = await world();
    await w.ok('POST', '/v1/senders', account('http://127.0.0.1:1/hook'));
    await sendOnce(w);
    const dirty = `provider_down: cannot reach http://sam:${SECRETS[0]}@10.0.0.1:22/x?token=${SECRETS[1]}: connect ECONNREFUSED`;
    await w.row('UPDATE messages SET error = $1', [dirty]);
    await w.row(`UPDATE activities SET summary = $1, data = jsonb_build_object('note', $1::text)`, [dirty]);
    const migration = await readFile(new URL('../../src/db/migrations/075_scrub_url_credentials.sql', import.meta.url));
    await w.db.pool.query(migration.toString('utf8'));
    const shown = JSON.stringify([
      await w.row('SELECT error FROM messages'),
      await w.row('SELECT summary, data FROM activities'),
    ]);
    for (const secret of SECRETS) expect(shown).not.toContain(secret);
    expect(shown).toContain('cannot reach http://10.0.0.1:22/x');
  });
});

describe('redactSecrets', () => {
  it.each([
    ['GET https://u:p@h.example/a?b=1', [], 'GET https://h.example/a?b=1'],
    ['see https://h.example/a?apiKey=XYZ&page=2', [], 'see https://h.example/a?apiKey=[redacted]&page=2'],
    ['token abcd1234 echoed', ['abcd1234'], 'token [redacted] echoed'],
    ['short ab stays', ['ab'], 'short ab stays'],
  ])('%s', (text, secrets, expected) => {
    expect(redactSecrets(text, secrets)).toBe(expected);
  });

  it('displays a URL without user info, query or fragment', () => {
    expect(displayUrl('https://u:p@h.example:8443/a/b?token=1#x')).toBe('https://h.example:8443/a/b');
    expect(displayUrl('not a url')).toBe('an invalid URL');
  });
});
