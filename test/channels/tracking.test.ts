import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { classifyMachineTraffic, signToken, verifyToken, type TrafficInput } from '../../src/core/tracking.ts';

const SECRET = 'test-secret-0123456789';

describe('tracking tokens', () => {
  it.each([
    { kind: 'open', messageId: 'msg_1' },
    { kind: 'unsubscribe', messageId: 'msg_1' },
    { kind: 'click', messageId: 'msg_1', url: 'https://acme.io/pricing?plan=team&ref=a%20b#top' },
  ] as const)('round-trips a $kind token', (payload) => {
    const token = signToken(SECRET, payload);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyToken(SECRET, token)).toEqual(payload);
  });

  it('rejects a token signed with another secret', () => {
    expect(verifyToken('other-secret', signToken(SECRET, { kind: 'open', messageId: 'm' }))).toBeUndefined();
  });

  it('never lets a click token be re-pointed at another URL', () => {
    const token = signToken(SECRET, { kind: 'click', messageId: 'm', url: 'https://acme.io/' });
    const [, signature] = token.split('.');
    const forgedBody = Buffer.from(JSON.stringify({ k: 'c', m: 'm', u: 'https://evil.example/' })).toString(
      'base64url',
    );
    expect(verifyToken(SECRET, `${forgedBody}.${signature}`)).toBeUndefined();
  });

  it.each(['', '.', 'abc', 'a.b.c', 'not base64!.sig', `${Buffer.from('{}').toString('base64url')}.`])(
    'rejects malformed token %j',
    (token) => {
      expect(verifyToken(SECRET, token)).toBeUndefined();
    },
  );

  it('refuses to seal a non-http URL', () => {
    const body = Buffer.from(JSON.stringify({ k: 'c', m: 'm', u: 'javascript:alert(1)' })).toString('base64url');
    // Even correctly signed, a javascript: URL never verifies as a click payload.
    const signature = createHmac('sha256', SECRET).update(body).digest('base64url');
    expect(verifyToken(SECRET, `${body}.${signature}`)).toBeUndefined();
  });
});

describe('classifyMachineTraffic', () => {
  const human =
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15';
  const base: TrafficInput = { method: 'GET', userAgent: human, secondsSinceDelivery: 3600, kind: 'click' };
  const cases: { name: string; input: Partial<TrafficInput>; machine: boolean; reason?: RegExp }[] = [
    { name: 'a person clicking an hour later', input: {}, machine: false },
    { name: 'a person opening', input: { kind: 'open' }, machine: false },
    { name: 'HEAD request', input: { method: 'HEAD' }, machine: true, reason: /HEAD/ },
    { name: 'no user agent', input: { userAgent: undefined }, machine: true, reason: /no user agent/ },
    {
      name: 'click 2 s after delivery',
      input: { secondsSinceDelivery: 2 },
      machine: true,
      reason: /clicked 2 s after delivery/,
    },
    { name: 'click at exactly the threshold', input: { secondsSinceDelivery: 10 }, machine: false },
    { name: 'custom threshold', input: { secondsSinceDelivery: 20, minHumanClickSeconds: 30 }, machine: true },
    { name: 'quick open is not judged by time', input: { kind: 'open', secondsSinceDelivery: 1 }, machine: false },
    {
      name: 'Gmail image proxy open',
      input: {
        kind: 'open',
        userAgent: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
      },
      machine: true,
      reason: /Gmail image proxy/,
    },
    {
      name: 'Apple privacy proxy by UA',
      input: { kind: 'open', userAgent: 'Mozilla/5.0' },
      machine: true,
      reason: /Apple/,
    },
    { name: 'Apple privacy proxy by IP', input: { kind: 'open', ip: '17.58.101.4' }, machine: true, reason: /Apple/ },
    {
      name: 'Yahoo proxy',
      input: { kind: 'open', userAgent: 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html' },
      machine: true,
    },
    { name: 'Barracuda', input: { userAgent: 'Barracuda Sentinel (EE)' }, machine: true, reason: /Barracuda/ },
    { name: 'Mimecast', input: { userAgent: 'Mimecast URL Protect' }, machine: true, reason: /Mimecast/ },
    { name: 'Proofpoint', input: { userAgent: 'Proofpoint URL Defense' }, machine: true, reason: /Proofpoint/ },
    { name: 'Safe Links', input: { userAgent: 'Microsoft Office SafeLinks' }, machine: true, reason: /Safe Links/ },
    { name: 'curl', input: { userAgent: 'curl/8.5.0' }, machine: true, reason: /curl/ },
    { name: 'python-requests', input: { userAgent: 'python-requests/2.31.0' }, machine: true, reason: /HTTP library/ },
    {
      name: 'Googlebot',
      input: { userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' },
      machine: true,
      reason: /bot/,
    },
    { name: 'crawler', input: { userAgent: 'SomeCrawler/1.0 crawler' }, machine: true },
    { name: 'Apple IP does not flag a click', input: { ip: '17.58.101.4' }, machine: false },
  ];
  it.each(cases)('$name', ({ input, machine, reason }) => {
    const verdict = classifyMachineTraffic({ ...base, ...input });
    expect(verdict.machine).toBe(machine);
    if (reason) expect(verdict.reason).toMatch(reason);
    if (!machine) expect(verdict.reason).toBeUndefined();
  });
});
