// Click links on the installation's shared tracking domain are no open redirect: a token expires
// (QUOTAHIT_CLICK_TTL_DAYS, 180 by default), and it redirects straight away only to the
// workspace's click domains and its sending account's own domain; any other destination gets a page
// that names it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEmail } from '../../src/channels/email/buildEmail.ts';
import { decideClick, signToken, verifyToken } from '../../src/core/tracking.ts';
import { startFakeHttpProvider, type FakeHttpProvider } from '../fakes/httpProvider.ts';
import { instant, world, type World } from '../support/world.ts';

const DAY = 86_400_000;
let fake: FakeHttpProvider;
beforeAll(async () => {
  fake = await startFakeHttpProvider();
});
afterAll(() => fake.close());

/** A world whose one message went out from sam@ours.example.com; its id. */
async function sentMessage(): Promise<{ w: World; messageId: string }> {
  const w = await world();
  await w.ok('POST', '/v1/senders', {
    channel: 'email',
    provider: 'http',
    fromEmail: 'sam@ours.example.com',
    fromName: 'Sam Rivera',
    credentials: { url: fake.url },
    dailyLimit: 1000,
    hourlyLimit: null,
    minGapSeconds: 0,
    warmup: null,
  });
  const [ana] = await w.contacts([{ email: 'ana@acme.example.com', timezone: 'UTC' }]);
  await w.enroll(await w.sequence(instant([{ channel: 'email', template: 'intro' }])), [ana as string]);
  await w.engine.tick();
  const [message] = await w.messages('&status=sent');
  return { w, messageId: message?.id as string };
}

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

function clickOf(w: World, messageId: string, url: string, issuedAt: Date | null = w.clock.now()) {
  const token = signToken(w.engine.deps.links.trackingSecret, {
    kind: 'click',
    messageId,
    url,
    ...(issuedAt ? { issuedAt: Math.floor(issuedAt.getTime() / 1000) } : {}),
  });
  return w.app.inject({ method: 'GET', url: `/t/c/${token}`, headers: { 'user-agent': BROWSER } });
}

describe('click links', () => {
  it('redirect at once only to the workspace’s domains; any other destination gets a page naming it', async () => {
    const { w, messageId } = await sentMessage();
    await w.ok('PATCH', '/v1/workspace', { clickDomains: ['Partner.Example.', 'partner.example'] });
    expect((await w.ok('GET', '/v1/workspace')).clickDomains).toEqual(['partner.example']);
    w.clock.advance(3600_000);

    const own = await clickOf(w, messageId, 'https://www.ours.example.com/pricing');
    expect([own.statusCode, own.headers.location]).toEqual([302, 'https://www.ours.example.com/pricing']);
    const listed = await clickOf(w, messageId, 'https://go.partner.example/x?y=1');
    expect([listed.statusCode, listed.headers.location]).toEqual([302, 'https://go.partner.example/x?y=1']);

    const elsewhere = await clickOf(w, messageId, 'https://evil.example/login?next="<x>"');
    expect(elsewhere.statusCode).toBe(200);
    expect(elsewhere.headers.location).toBeUndefined();
    expect(elsewhere.headers['content-type']).toMatch(/^text\/html/);
    expect(elsewhere.body).toContain('This link goes to evil.example');
    expect(elsewhere.body).toContain('href="https://evil.example/login?next=%22%3Cx%3E%22"');
    // A look-alike is not a subdomain.
    expect((await clickOf(w, messageId, 'https://notpartner.example/')).statusCode).toBe(200);
    // Every shown click counts as a click.
    const [row] = await w.row<{ clickedAt: Date | null }>('SELECT clicked_at AS "clickedAt" FROM messages');
    expect(row?.clickedAt).not.toBeNull();
  });

  it('expire after 180 days, tokens made before they carried a time by their message’s', async () => {
    const { w, messageId } = await sentMessage();
    const madeAt = w.clock.now();
    const url = 'https://ours.example.com/';
    w.clock.advance(179 * DAY);
    expect((await clickOf(w, messageId, url, madeAt)).statusCode).toBe(302);
    expect((await clickOf(w, messageId, url, null)).statusCode).toBe(302);
    w.clock.advance(2 * DAY);
    const expired = await clickOf(w, messageId, url, madeAt);
    expect(expired.statusCode).toBe(410);
    expect(expired.headers.location).toBeUndefined();
    expect(expired.body).toContain('This link has expired');
    expect((await clickOf(w, messageId, url, null)).statusCode).toBe(410);
    // Freshly made, the same destination still works.
    expect((await clickOf(w, messageId, url)).statusCode).toBe(302);
  });

  it('of a message we no longer know: a page at most, never a redirect', async () => {
    const { w } = await sentMessage();
    const gone = randomUUID();
    expect((await clickOf(w, gone, 'https://ours.example.com/')).statusCode).toBe(200);
    expect((await clickOf(w, gone, 'https://ours.example.com/', null)).statusCode).toBe(410);
  });

  it('click domains are validated precisely', async () => {
    const { w } = await sentMessage();
    for (const [domains, message] of [
      [['https://acme.com'], /clickDomains\.0.*must be a domain name such as acme\.com/],
      [['*.acme.com'], /must be a domain name/],
      [['acme.com:443'], /must be a domain name/],
      [Array.from({ length: 101 }, (_, i) => `d${i}.example`), /at most 100 domains/],
      ['acme.com', /clickDomains/],
    ] as const) {
      const res = await w.call('PATCH', '/v1/workspace', { clickDomains: domains });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(message);
    }
    expect((await w.ok('GET', '/v1/workspace')).clickDomains).toEqual([]);
  });

  it('emails carry when their click links were made', () => {
    const { html } = buildEmail({
      messageId: 'msg-1',
      fromEmail: 'sam@acme.io',
      subject: 's',
      text: 'See https://acme.io/x',
      postalAddress: 'Acme',
      links: { publicBaseUrl: 'https://app.test', trackingBaseUrl: 'https://t.acme.io', secret: 'k' },
      tracking: true,
      issuedAt: new Date('2026-03-02T09:00:00Z'),
    });
    const token = /https:\/\/t\.acme\.io\/t\/c\/([^"]+)"/.exec(html ?? '')?.[1] ?? '';
    expect(verifyToken('k', token)).toEqual({
      kind: 'click',
      messageId: 'msg-1',
      url: 'https://acme.io/x',
      issuedAt: Date.parse('2026-03-02T09:00:00Z') / 1000,
    });
  });

  it('an installation may keep redirecting unlisted destinations (QUOTAHIT_CLICK_UNLISTED=redirect)', () => {
    const now = new Date('2026-03-02T09:00:00Z');
    const payload = {
      kind: 'click',
      messageId: 'm',
      url: 'https://elsewhere.example/',
      issuedAt: now.getTime() / 1000,
    } as const;
    const base = { payload, fallbackIssuedAt: undefined, allowedDomains: [], now };
    expect(decideClick({ ...base, policy: { ttlDays: 180, unlisted: 'redirect' } }).action).toBe('redirect');
    expect(decideClick({ ...base, policy: { ttlDays: 180, unlisted: 'interstitial' } }).action).toBe('interstitial');
    const later = new Date(now.getTime() + 8 * DAY);
    expect(decideClick({ ...base, now: later, policy: { ttlDays: 7, unlisted: 'redirect' } }).action).toBe('expired');
  });
});
