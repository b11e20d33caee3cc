import { describe, expect, it } from 'vitest';
import { testDb } from '../support/harness.ts';
import { world } from '../engine/support.ts';

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
    expect(linkedin).toMatchObject({ dailyLimit: 25, weeklyLimit: 100 });
    const listed = await w.call('GET', '/v1/senders');
    expect(JSON.stringify(listed.body)).not.toContain('super-secret-token');
    expect(JSON.stringify(listed.body)).not.toContain('127.0.0.1:9');
    const { rows } = await testDb().pool.query<{ credentials: Buffer }>(
      'SELECT credentials FROM senders WHERE id = $1',
      [email.id],
    );
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
    const other = await world();
    expect((await other.call('PATCH', `/v1/senders/${s.id}`, { dailyLimit: 1 })).status).toBe(404);
    expect((await other.call('DELETE', `/v1/senders/${s.id}`)).status).toBe(404);
    expect((await w.call('DELETE', `/v1/senders/${s.id}`)).status).toBe(204);
    expect((await w.ok('GET', '/v1/senders')).data).toEqual([]);
    expect((await w.call('DELETE', `/v1/senders/${s.id}`)).status).toBe(404);
  });
});
