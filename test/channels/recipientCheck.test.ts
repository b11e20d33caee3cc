import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecipientChecker } from '../../src/channels/email/recipientCheck.ts';
import { checkAddressOffline, isDisposableDomain, isRoleAddress } from '../../src/core/emailChecks.ts';
import { startDnsServer, type LocalDns } from './support/dnsServer.ts';

describe('checkAddressOffline', () => {
  const cases: { input: string | undefined; ok: boolean; codes: string[]; reason?: RegExp }[] = [
    { input: 'dana@acme.io', ok: true, codes: [] },
    { input: '  Dana.Smith@ACME.io ', ok: true, codes: [] },
    { input: 'josé@exämple.de', ok: true, codes: [] },
    { input: undefined, ok: false, codes: ['missing'], reason: /^Invalid email address/ },
    { input: '', ok: false, codes: ['missing'], reason: /^Invalid email address/ },
    { input: 'dana@', ok: false, codes: ['syntax'], reason: /^Invalid email address: dana@$/ },
    { input: 'dana acme.io', ok: false, codes: ['syntax'] },
    { input: 'dana@localhost', ok: false, codes: ['syntax'] },
    { input: 'dana@[127.0.0.1]', ok: false, codes: ['syntax'] },
    {
      input: 'someone@mailinator.com',
      ok: false,
      codes: ['disposable'],
      reason: /Disposable email domain: mailinator.com/,
    },
    { input: 'info@acme.io', ok: true, codes: ['role'], reason: /Role address \(info@\)/ },
    { input: 'Sales+eu@acme.io', ok: true, codes: ['role'] },
    { input: 'noreply@acme.io', ok: true, codes: ['role'] },
    { input: 'support@mailinator.com', ok: false, codes: ['disposable', 'role'] },
  ];
  it.each(cases)('$input', ({ input, ok, codes, reason }) => {
    const result = checkAddressOffline(input);
    expect(result.ok).toBe(ok);
    expect(result.issues.map((issue) => issue.code)).toEqual(codes);
    if (reason) expect(result.issues[0]?.reason).toMatch(reason);
  });

  it('normalizes the domain but keeps the local part', () => {
    expect(checkAddressOffline(' Dana.Smith@ACME.io ')).toMatchObject({
      email: 'Dana.Smith@acme.io',
      domain: 'acme.io',
    });
  });

  it('knows wildcard disposable domains and role names', () => {
    expect(isDisposableDomain('acme.io')).toBe(false);
    expect(isDisposableDomain('MAILINATOR.COM')).toBe(true);
    expect(isDisposableDomain('anything.33mail.com')).toBe(true);
    expect(isRoleAddress('admin')).toBe(true);
    expect(isRoleAddress('adam')).toBe(false);
  });
});

describe('recipient checker against a local DNS server', () => {
  let dns: LocalDns;
  beforeAll(async () => {
    dns = await startDnsServer({
      'acme.io': {
        MX: [
          { exchange: 'mx2.acme.io', priority: 20 },
          { exchange: 'mx1.acme.io', priority: 10 },
        ],
      },
      'a-only.io': { A: ['192.0.2.10'] },
      'nomail.io': { TXT: [['v=spf1 -all']] },
      'nullmx.io': { MX: [{ exchange: '', priority: 0 }] },
    });
  });
  afterAll(async () => dns.close());

  it('accepts a domain with MX records, ordered by priority', async () => {
    const checker = createRecipientChecker({ resolver: dns.resolver });
    expect(await checker.lookupDomain('acme.io')).toEqual({
      accepts: true,
      via: 'mx',
      hosts: ['mx1.acme.io', 'mx2.acme.io'],
    });
    expect((await checker.check('dana@acme.io')).ok).toBe(true);
  });

  it('falls back to the implicit MX of an A record', async () => {
    const checker = createRecipientChecker({ resolver: dns.resolver });
    expect(await checker.lookupDomain('a-only.io')).toEqual({ accepts: true, via: 'a', hosts: ['a-only.io'] });
  });

  it('blocks domains that do not exist, have no mail server or publish a null MX', async () => {
    const checker = createRecipientChecker({ resolver: dns.resolver });
    const missing = await checker.check('dana@does-not-exist.io');
    expect(missing.ok).toBe(false);
    expect(missing.issues).toEqual([
      { code: 'no_mail_server', severity: 'block', reason: 'does-not-exist.io does not exist' },
    ]);
    expect((await checker.check('dana@nomail.io')).issues[0]?.reason).toBe(
      'nomail.io has no mail server (no MX or address record)',
    );
    expect((await checker.check('dana@nullmx.io')).issues[0]?.reason).toBe('nullmx.io accepts no email (null MX)');
  });

  it('never looks up an address that fails offline checks', async () => {
    const checker = createRecipientChecker({ resolver: dns.resolver });
    expect((await checker.check('not an address')).issues[0]?.code).toBe('syntax');
    expect(checker.lookupCount()).toBe(0);
  });

  it('caches answers per domain until the TTL passes', async () => {
    let now = 1_000_000;
    const checker = createRecipientChecker({ resolver: dns.resolver, now: () => now, ttlSeconds: 60 });
    await checker.check('a@acme.io');
    await checker.check('b@ACME.io');
    expect(checker.lookupCount()).toBe(1);
    now += 61_000;
    await checker.check('c@acme.io');
    expect(checker.lookupCount()).toBe(2);
  });

  it('does not block when the resolver itself fails', async () => {
    const broken = {
      resolveMx: () => Promise.reject(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })),
      resolve4: () => Promise.reject(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })),
      resolve6: () => Promise.reject(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })),
    };
    const checker = createRecipientChecker({ resolver: broken });
    expect(await checker.lookupDomain('acme.io')).toEqual({
      accepts: 'unknown',
      reason: 'MX lookup for acme.io failed (ETIMEOUT)',
    });
    expect((await checker.check('dana@acme.io')).ok).toBe(true);
  });
});
