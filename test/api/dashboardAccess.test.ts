// Members, sessions and API keys as the dashboard uses them: the owner's one-time link, sign-in,
// cookie flags, CSRF, sign-out, invitations, /v1/keys, and one member never reading another
// workspace.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearer, newWorkspace, testApi, testDb } from '../support/harness.ts';
import { cookieOf, member, ownerLink, PASSWORD, signedInOwner } from '../support/members.ts';

const email = () => `owner-${randomUUID().slice(0, 8)}@example.com`;

describe('first-run link and sign-in', () => {
  it('sets the owner from a one-time link, signs in with an HttpOnly SameSite=Lax cookie, and refuses the link twice', async () => {
    const app = await testApi();
    const { workspaceId } = await newWorkspace('Acme');
    const token = await ownerLink(workspaceId);
    const inspected = await app.inject({ method: 'POST', url: '/v1/setup/inspect', payload: { token } });
    expect(inspected.json()).toMatchObject({ kind: 'owner', workspaceName: 'Acme', owner: null });

    const address = email();
    const short = await app.inject({
      method: 'POST',
      url: '/v1/setup',
      payload: { token, name: 'O', email: address, password: 'short' },
    });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.message).toContain('body.password: must be at least 10 characters');

    const res = await app.inject({
      method: 'POST',
      url: '/v1/setup',
      payload: { token, name: 'Olga', email: address, password: PASSWORD },
    });
    expect(res.statusCode).toBe(201);
    const [cookie, hint] = res.headers['set-cookie'] as string[];
    expect(cookie).toMatch(/^qh_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=2592000$/);
    // The page's only hint that a session exists: no secret, readable by its script.
    expect(hint).toBe('qh_signed_in=1; Path=/; SameSite=Lax; Max-Age=2592000');
    expect(res.json()).toMatchObject({ member: { email: address, role: 'owner', name: 'Olga' }, via: 'session' });

    const again = await app.inject({
      method: 'POST',
      url: '/v1/setup',
      payload: { token, name: 'Mallory', email: email(), password: PASSWORD },
    });
    expect(again.statusCode).toBe(410);
    expect(again.json().error.code).toBe('link_used');

    const { rows } = await testDb().pool.query('SELECT password_hash FROM members WHERE email = $1', [address]);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);

    const wrong = await app.inject({
      method: 'POST',
      url: '/v1/session',
      payload: { email: address, password: 'nope-nope-nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toEqual({ code: 'invalid_credentials', message: 'Wrong email or password' });
    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/session',
      payload: { email: email(), password: PASSWORD },
    });
    expect(unknown.json().error.code).toBe('invalid_credentials');

    const signIn = await app.inject({
      method: 'POST',
      url: '/v1/session',
      payload: { email: address.toUpperCase(), password: PASSWORD },
    });
    expect(signIn.statusCode).toBe(201);
    const me = member(app, cookieOf(signIn.headers['set-cookie']), signIn.json().csrfToken);
    const session = await me.call('GET', '/v1/session');
    expect(session.body).toMatchObject({ member: { email: address }, workspace: { id: workspaceId, name: 'Acme' } });
    expect((await me.call('GET', '/v1/workspace')).body).toMatchObject({ id: workspaceId });
  });

  it('refuses an expired link and an unknown one', async () => {
    const app = await testApi();
    const { workspaceId } = await newWorkspace();
    // The API's clock (testEngine) stands at 2026-03-02 09:00 UTC: the link was made 25 h before.
    const token = await ownerLink(workspaceId, new Date(Date.parse('2026-03-02T09:00:00Z') - 25 * 3_600_000));
    const expired = await app.inject({ method: 'POST', url: '/v1/setup/inspect', payload: { token } });
    expect(expired.statusCode).toBe(410);
    expect(expired.json().error.code).toBe('link_expired');
    const unknown = await app.inject({ method: 'POST', url: '/v1/setup/inspect', payload: { token: 'x'.repeat(43) } });
    expect(unknown.statusCode).toBe(404);
  });

  it('a second owner link resets the owner and ends the old sessions', async () => {
    const app = await testApi();
    const { workspaceId } = await newWorkspace();
    const first = await signedInOwner(app, workspaceId, email());
    const second = await signedInOwner(app, workspaceId, email());
    expect((await first.call('GET', '/v1/session')).status).toBe(401);
    expect((await second.call('GET', '/v1/session')).status).toBe(200);
    const { rows } = await testDb().pool.query('SELECT count(*)::int AS n FROM members WHERE workspace_id = $1', [
      workspaceId,
    ]);
    expect(rows[0].n).toBe(1);
  });
});

describe('sessions on /v1', () => {
  it('answers 401 JSON (never a redirect) without credentials, and with a bad cookie', async () => {
    const app = await testApi();
    for (const headers of [{}, { cookie: 'qh_session=forged' }, { accept: 'text/html' }]) {
      const res = await app.inject({ method: 'GET', url: '/v1/contacts', headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.json().error.code).toBe('unauthorized');
    }
  });

  it('requires the CSRF token on changes made with the cookie, not on reads or with a Bearer key', async () => {
    const app = await testApi();
    const { workspaceId, apiKey } = await newWorkspace();
    const me = await signedInOwner(app, workspaceId, email());
    const patch = { name: 'Renamed' };
    const without = await me.call('PATCH', '/v1/workspace', patch, { csrf: false });
    expect(without.status).toBe(403);
    expect(without.body).toMatchObject({ error: { code: 'csrf_failed' } });
    const wrong = await member(app, me.cookie, 'x'.repeat(43)).call('PATCH', '/v1/workspace', patch);
    expect(wrong.status).toBe(403);
    expect((await me.call('GET', '/v1/workspace', undefined, { csrf: false })).body).toMatchObject({
      name: 'Test workspace',
    });
    expect((await me.call('PATCH', '/v1/workspace', patch)).body).toMatchObject({ name: 'Renamed' });
    const withKey = await app.inject({
      method: 'PATCH',
      url: '/v1/workspace',
      headers: bearer(apiKey),
      payload: { name: 'Key' },
    });
    expect(withKey.statusCode).toBe(200);
  });

  it('signs out: the cookie is cleared and the session no longer works', async () => {
    const app = await testApi();
    const { workspaceId } = await newWorkspace();
    const me = await signedInOwner(app, workspaceId, email());
    const res = await app.inject({
      method: 'DELETE',
      url: '/v1/session',
      headers: { cookie: `qh_session=${me.cookie}`, 'x-csrf-token': me.csrf },
    });
    expect(res.statusCode).toBe(204);
    expect(String(res.headers['set-cookie'])).toContain('qh_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0');
    expect((await me.call('GET', '/v1/contacts')).status).toBe(401);
  });

  it('never lets one member read another workspace', async () => {
    const app = await testApi();
    const a = await newWorkspace('A');
    const b = await newWorkspace('B');
    await app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: bearer(b.apiKey),
      payload: { contacts: [{ email: 'secret@b.example.com' }] },
    });
    const contactOfB = (await app.inject({ method: 'GET', url: '/v1/contacts', headers: bearer(b.apiKey) })).json()
      .data[0].id;
    const memberOfA = await signedInOwner(app, a.workspaceId, email());
    expect((await memberOfA.call('GET', '/v1/contacts')).body.data).toEqual([]);
    expect((await memberOfA.call('GET', `/v1/contacts/${contactOfB}`)).status).toBe(404);
    expect((await memberOfA.call('GET', '/v1/contacts/search?q=secret')).body.data).toEqual([]);
    expect((await memberOfA.call('GET', '/v1/replies')).body.data).toEqual([]);
    expect((await memberOfA.call('GET', '/v1/members')).body.data).toHaveLength(1);
  });
});

describe('members', () => {
  it('the owner invites; the invited member sets a password with the emailed address; members cannot invite', async () => {
    const app = await testApi();
    const { workspaceId } = await newWorkspace();
    const owner = await signedInOwner(app, workspaceId, email());
    const invitedEmail = email();
    const invite = await owner.call('POST', '/v1/members/invites', { email: invitedEmail });
    expect(invite.status).toBe(201);
    const url = new URL(String(invite.body.url));
    expect(url.pathname).toBe('/invite');
    const listed = await owner.call('GET', '/v1/members');
    expect(listed.body.invites).toEqual([expect.objectContaining({ email: invitedEmail, role: 'member' })]);

    const joined = await app.inject({
      method: 'POST',
      url: '/v1/setup',
      payload: { token: url.searchParams.get('token'), name: 'Max', email: 'other@example.com', password: PASSWORD },
    });
    expect(joined.statusCode).toBe(201);
    expect(joined.json().member).toMatchObject({ email: invitedEmail, role: 'member' });
    const max = member(app, cookieOf(joined.headers['set-cookie']), joined.json().csrfToken);
    const denied = await max.call('POST', '/v1/members/invites', { email: email() });
    expect(denied.status).toBe(403);
    expect((await max.call('POST', '/v1/keys', { name: 'x' })).status).toBe(403);

    const taken = await owner.call('POST', '/v1/members/invites', { email: invitedEmail });
    expect(taken.status).toBe(409);
    const self = (await owner.call('GET', '/v1/session')).body.member as { id: string };
    expect((await owner.call('DELETE', `/v1/members/${self.id}`)).status).toBe(409);
    const maxId = (joined.json().member as { id: string }).id;
    expect((await owner.call('DELETE', `/v1/members/${maxId}`)).status).toBe(204);
    expect((await max.call('GET', '/v1/session')).status).toBe(401);
  });
});

describe('/v1/keys', () => {
  it('creates a key shown once, lists it without the key, and a revoked key stops working at once', async () => {
    const app = await testApi();
    const { workspaceId } = await newWorkspace();
    const owner = await signedInOwner(app, workspaceId, email());
    const created = await owner.call('POST', '/v1/keys', { name: 'CRM sync' });
    expect(created.status).toBe(201);
    const key = String(created.body.key);
    expect(key).toMatch(/^qh_/);
    expect(created.body).toMatchObject({ name: 'CRM sync', prefix: key.slice(0, 10), revokedAt: null });
    const listed = await owner.call('GET', '/v1/keys');
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(listed.body.data).toHaveLength(2);

    const use = () => app.inject({ method: 'GET', url: '/v1/workspace', headers: bearer(key) });
    expect((await use()).statusCode).toBe(200);
    expect((await owner.call('DELETE', `/v1/keys/${String(created.body.id)}`)).status).toBe(204);
    expect((await use()).statusCode).toBe(401);
    expect((await owner.call('DELETE', `/v1/keys/${randomUUID()}`)).status).toBe(404);
    expect((await owner.call('POST', '/v1/keys', { name: '' })).status).toBe(400);
  });
});
