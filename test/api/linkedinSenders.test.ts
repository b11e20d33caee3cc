// Registering a LinkedIn account through Phantombuster: the credentials are validated precisely,
// encrypted at rest and never echoed; malformed requests are refused without writing anything.
import { describe, expect, it } from 'vitest';
import { world } from '../support/world.ts';

const credentials = {
  apiKey: 'pb_secret_api_key_123',
  sessionCookie: 'AQEDAR-secret-li-at-cookie',
  userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/120.0',
  connectAgentId: '1001',
  messageAgentId: '1002',
};
const body = (over: Record<string, unknown> = {}, creds: Record<string, unknown> = {}) => ({
  channel: 'linkedin',
  provider: 'phantombuster',
  linkedinFree: true,
  credentials: { ...credentials, ...creds },
  ...over,
});

describe('POST /v1/senders with provider phantombuster', () => {
  it('registers the account: LinkedIn defaults, credentials sealed and never echoed', async () => {
    const w = await world();
    const res = await w.call('POST', '/v1/senders', body());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      channel: 'linkedin',
      provider: 'phantombuster',
      dailyLimit: 20,
      weeklyLimit: 100,
    });
    const listed = JSON.stringify(await w.ok('GET', '/v1/senders'));
    for (const secret of [credentials.apiKey, credentials.sessionCookie]) {
      expect(JSON.stringify(res.body)).not.toContain(secret);
      expect(listed).not.toContain(secret);
    }
    const stored = await w.row<{ credentials: Buffer }>('SELECT credentials FROM senders');
    expect(stored[0]?.credentials.toString('latin1')).not.toContain(credentials.sessionCookie);
  });

  it.each([
    ['no connect agent', body({}, { connectAgentId: undefined }), /credentials for phantombuster: connectAgentId/],
    ['a cookie header instead of the li_at value', body({}, { sessionCookie: 'li_at=AQED; Path=/' }), /sessionCookie/],
    ['no user agent', body({}, { userAgent: undefined }), /userAgent/],
    ['a base URL that is not a URL', body({}, { baseUrl: 'api.phantombuster' }), /baseUrl/],
    ['an unknown credential', body({}, { password: 'x' }), /password|unrecognized/i],
    ['the wrong channel', body({ channel: 'email', fromEmail: 'sam@acme.example.com' }), /phantombuster does not send/],
  ])('refuses %s with a precise 400 and writes nothing', async (_name, request, message) => {
    const w = await world();
    const res = await w.call('POST', '/v1/senders', request);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect((res.body as { error: { message: string } }).error.message).toMatch(message);
    expect(await w.row('SELECT id FROM senders')).toHaveLength(0);
  });

  it('reconnecting changes the cookie and user agent alone and keeps the rest', async () => {
    const w = await world();
    const { id } = (await w.ok('POST', '/v1/senders', body())) as { id: string };
    const res = await w.call('PATCH', `/v1/senders/${id}`, {
      credentials: { sessionCookie: 'AQEDAR-new-cookie-value', userAgent: 'Mozilla/5.0 (X11; Linux) Chrome/121.0' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const bad = await w.call('PATCH', `/v1/senders/${id}`, { credentials: { sessionCookie: 'short' } });
    expect(bad.status).toBe(400);
  });
});
