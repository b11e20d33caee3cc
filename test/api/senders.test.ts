import { describe, expect, it } from 'vitest';
import { openCredentials } from '../../src/engine/accounts/credentials.ts';
import { TEST_ENCRYPTION_KEY } from '../support/harness.ts';
import { world, type World } from '../support/world.ts';

describe('senders API', () => {
  it('registers accounts with channel defaults, encrypts credentials and never echoes them', async () => {
    const w = await world();
    const email = await w.ok('POST', '/v1/senders', {
      channel: 'email',
      provider: 'http',
      fromEmail: 'Me@Ours.example.com',
      fromName: 'Me',
      credentials: { url: 'http://127.0.0.1:9/messages', token: 'super-secret-token' },
    });
    expect(email).toMatchObject({
      channel: 'email',
      fromEmail: 'me@ours.example.com',
      dailyLimit: 50,
      hourlyLimit: 20,
      warmup: { start: 10, increment: 5, ceiling: 50 },
      warmupDay: 1,
      todayCap: 10,
      sentToday: 0,
      status: 'active',
      hasCredentials: true,
    });
    const linkedin = await w.ok('POST', '/v1/senders', { channel: 'linkedin', provider: 'sandbox', name: 'LI' });
    expect(linkedin).toMatchObject({ dailyLimit: 20, weeklyLimit: 100 });
    const listed = await w.call('GET', '/v1/senders');
    expect(JSON.stringify(listed.body)).not.toContain('super-secret-token');
    expect(JSON.stringify(listed.body)).not.toContain('127.0.0.1:9');
    const rows = await w.row<{ credentials: Buffer }>('SELECT credentials FROM senders WHERE id = $1', [email.id]);
    expect(rows[0]?.credentials.toString('latin1')).not.toContain('super-secret-token');
  });

  it.each([
    [{ channel: 'email', provider: 'carrier-pigeon', fromEmail: 'a@b.example.com' }, 'body.provider'],
    [{ channel: 'fax', provider: 'sandbox' }, 'body.channel'],
    [{ channel: 'email', provider: 'sandbox' }, 'body.fromEmail: required for an email account'],
    [
      { channel: 'email', provider: 'http', fromEmail: 'a@b.example.com', credentials: { url: 'not a url' } },
      'credentials for http: url',
    ],
    [{ channel: 'email', provider: 'sandbox', fromEmail: 'not-an-email' }, 'body.fromEmail: must be an email address'],
    [{ channel: 'sms', provider: 'sandbox', dailyLimit: -1 }, 'body.dailyLimit'],
    [{ channel: 'sms', provider: 'sandbox', warmup: { start: 10 } }, 'body.warmup'],
  ])('rejects %j', async (body, fragment) => {
    const w = await world();
    const res = await w.call('POST', '/v1/senders', body);
    expect(res.status).toBe(400);
    expect(String((res.body.error as Record<string, unknown>).message)).toContain(fragment);
    expect((await w.ok('GET', '/v1/senders')).data).toEqual([]);
  });

  it('changes limits and status, and removes accounts; other workspaces cannot touch them', async () => {
    const w = await world();
    const s = await w.ok('POST', '/v1/senders', { channel: 'sms', provider: 'sandbox', fromPhone: '+14155550100' });
    expect(await w.ok('PATCH', `/v1/senders/${s.id}`, { dailyLimit: 5, status: 'paused' })).toMatchObject({
      dailyLimit: 5,
      status: 'paused',
      statusReason: 'paused by hand',
    });
    expect(await w.ok('PATCH', `/v1/senders/${s.id}`, { status: 'active' })).toMatchObject({
      status: 'active',
      statusReason: null,
    });
    expect((await w.call('PATCH', `/v1/senders/${s.id}`, { status: 'disconnected' })).status).toBe(400);
    const other = await w.workspace('other');
    expect((await other.call('PATCH', `/v1/senders/${s.id}`, { dailyLimit: 1 })).status).toBe(404);
    expect((await other.call('DELETE', `/v1/senders/${s.id}`)).status).toBe(404);
    expect((await w.call('DELETE', `/v1/senders/${s.id}`)).status).toBe(204);
    expect((await w.ok('GET', '/v1/senders')).data).toEqual([]);
    expect((await w.call('DELETE', `/v1/senders/${s.id}`)).status).toBe(404);
  });
});

describe('PATCH /v1/senders/:id credentials', () => {
  const key = Buffer.from(TEST_ENCRYPTION_KEY, 'base64');
  /** The sealed bytes, the provider's own fields and its parts kept apart (imap, webhookSecret). */
  const stored = async (id: string, w: World) => {
    const rows = await w.row<{ credentials: Buffer }>('SELECT credentials FROM senders WHERE id = $1', [id]);
    const sealed = rows[0]?.credentials ?? null;
    const { imap, webhookSecret, ...own } = openCredentials(
      { encryptionKey: key },
      { id, workspaceId: w.workspaceId, credentials: sealed },
    );
    return { sealed, adapter: own, extras: { imap, webhookSecret } };
  };
  const smtp = { host: 'smtp.acme.example', port: 587, secure: false, user: 'sam@acme.example', pass: 'smtp-secret-1' };
  const imap = { host: 'imap.acme.example', port: 993, secure: true, user: 'sam@acme.example', pass: 'imap-secret-1' };
  const smtpAccount = { channel: 'email', provider: 'smtp', fromEmail: 'sam@acme.example', smtp, imap };

  it('changes only the parts given: imap alone keeps smtp, smtp alone keeps imap, null removes imap', async () => {
    const w = await world();
    const s = await w.ok('POST', '/v1/senders', smtpAccount);
    const id = s.id as string;

    const newImap = { ...imap, host: 'imap2.acme.example', pass: 'imap-secret-2' };
    const patched = await w.call('PATCH', `/v1/senders/${id}`, { imap: newImap });
    expect(patched.status).toBe(200);
    expect(JSON.stringify(patched.body)).not.toMatch(/secret/);
    let now = await stored(id, w);
    expect(now.adapter).toEqual(smtp);
    expect(now.extras.imap).toEqual(newImap);
    expect(now.sealed?.toString('latin1')).not.toContain('imap-secret-2');

    const newSmtp = { ...smtp, port: 465, secure: true, pass: 'smtp-secret-2' };
    await w.ok('PATCH', `/v1/senders/${id}`, { smtp: newSmtp, dailyLimit: 40 });
    now = await stored(id, w);
    expect(now.adapter).toEqual(newSmtp); // the whole SMTP part replaced, not field by field
    expect(now.extras.imap).toEqual(newImap);

    // Limits alone leave the credentials untouched (same sealed bytes).
    const before = now.sealed;
    await w.ok('PATCH', `/v1/senders/${id}`, { hourlyLimit: 5 });
    expect((await stored(id, w)).sealed?.equals(before as Buffer)).toBe(true);

    await w.ok('PATCH', `/v1/senders/${id}`, { imap: null });
    now = await stored(id, w);
    expect(now.adapter).toEqual(newSmtp);
    expect(now.extras.imap).toBeUndefined();
  });

  it('refuses a bad part precisely and keeps what was stored', async () => {
    const w = await world();
    const s = await w.ok('POST', '/v1/senders', smtpAccount);
    const id = s.id as string;
    const before = (await stored(id, w)).sealed;
    const badImap = await w.call('PATCH', `/v1/senders/${id}`, { imap: { ...imap, port: 'nine' } });
    expect(badImap.status).toBe(400);
    expect(String((badImap.body.error as Record<string, unknown>).message)).toContain(
      'credentials for smtp: imap.port',
    );
    const partialSmtp = await w.call('PATCH', `/v1/senders/${id}`, { smtp: { pass: 'only-the-password' } });
    expect(partialSmtp.status).toBe(400);
    expect(String((partialSmtp.body.error as Record<string, unknown>).message)).toMatch(/credentials for smtp: host/);
    expect(JSON.stringify(partialSmtp.body)).not.toContain('only-the-password');
    expect((await stored(id, w)).sealed?.equals(before as Buffer)).toBe(true);
  });

  it('rotates a Resend webhook secret alone and keeps the API key', async () => {
    const w = await world();
    const secret = (text: string) => `whsec_${Buffer.from(text.padEnd(32, '!')).toString('base64')}`;
    const s = await w.ok('POST', '/v1/senders', {
      channel: 'email',
      provider: 'resend',
      fromEmail: 'sam@acme.example',
      fromName: 'Sam Rivera',
      resend: { apiKey: 're_first_key', webhookSecret: secret('first') },
    });
    const id = s.id as string;
    await w.ok('PATCH', `/v1/senders/${id}`, { resend: { webhookSecret: secret('second') } });
    let now = await stored(id, w);
    expect(now.adapter).toEqual({ apiKey: 're_first_key' });
    expect(now.extras.webhookSecret).toBe(secret('second'));
    await w.ok('PATCH', `/v1/senders/${id}`, { resend: { apiKey: 're_second_key' } });
    now = await stored(id, w);
    expect(now.adapter).toEqual({ apiKey: 're_second_key' });
    expect(now.extras.webhookSecret).toBe(secret('second'));
  });
});
