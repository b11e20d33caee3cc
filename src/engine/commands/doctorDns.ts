// The doctor's DNS checks of a sending domain (SPF, DKIM, DMARC, MX) and of the tracking domain
// (its CNAME), through a resolver that QUOTAHIT_DNS_SERVERS can point at split-horizon or local
// servers. Each finding is a verdict with, when it is not ok, the record to add or change.
import { createPublicKey } from 'node:crypto';
import { promises as dns } from 'node:dns';
import type { DoctorCheck } from './doctor.ts';

/** The slice of node:dns's Resolver the checks use. */
export type DnsResolver = Pick<dns.Resolver, 'resolveTxt' | 'resolveMx' | 'resolveCname' | 'resolve4'>;

export function dnsResolver(servers: readonly string[] | undefined): DnsResolver {
  const resolver = new dns.Resolver({ timeout: 4000, tries: 2 });
  if (servers && servers.length > 0) resolver.setServers([...servers]);
  return resolver;
}

/** What the domain's accounts tell us: DKIM selectors (and keys we sign with), SPF includes. */
export type DomainUse = {
  domain: string;
  /** Selector → the private key QuotaHit signs with (SMTP accounts with DKIM), or null (the provider signs). */
  selectors: Map<string, string | null>;
  /** SPF mechanisms the accounts' providers need, e.g. include:_spf.google.com. */
  spfIncludes: Set<string>;
  accounts: string[];
};

const COMMON_SELECTORS = ['google', 'selector1', 'selector2', 'default', 'dkim', 'mail', 'k1', 's1', 'resend'];
const NOT_FOUND = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN', 'ENONAME']);

type Lookup<T> = { found: T } | { missing: true } | { error: string };

async function lookup<T>(fn: () => Promise<T>): Promise<Lookup<T>> {
  try {
    return { found: await fn() };
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'EUNKNOWN';
    return NOT_FOUND.has(code) ? { missing: true } : { error: code };
  }
}

const txt = (resolver: DnsResolver, name: string) =>
  lookup(async () => (await resolver.resolveTxt(name)).map((chunks) => chunks.join('')));

export async function checkDomain(resolver: DnsResolver, use: DomainUse): Promise<DoctorCheck[]> {
  const base = { area: 'domain' as const, subject: use.domain };
  const failedLookup = (name: string, what: string, code: string): DoctorCheck => ({
    ...base,
    name,
    verdict: 'warning',
    detail: `could not look up ${what} (${code})`,
    fix: 'check that this machine reaches a DNS server (QUOTAHIT_DNS_SERVERS sets which), then run the doctor again',
  });
  const checks: DoctorCheck[] = [];

  const spf = await txt(resolver, use.domain);
  if ('error' in spf) checks.push(failedLookup('SPF', `TXT ${use.domain}`, spf.error));
  else checks.push({ ...base, name: 'SPF', ...judgeSpf(use, 'found' in spf ? spf.found : []) });

  for (const check of await checkDkim(resolver, use)) checks.push({ ...base, ...check });

  const dmarc = await findDmarc(resolver, use.domain);
  if ('error' in dmarc) checks.push(failedLookup('DMARC', `TXT _dmarc.${use.domain}`, dmarc.error));
  else checks.push({ ...base, name: 'DMARC', ...judgeDmarc(use.domain, 'found' in dmarc ? dmarc.found : undefined) });

  const mx = await lookup(() => resolver.resolveMx(use.domain));
  if ('error' in mx) checks.push(failedLookup('MX', `MX ${use.domain}`, mx.error));
  else {
    const hosts = 'found' in mx ? mx.found.filter((r) => r.exchange !== '').map((r) => r.exchange) : [];
    checks.push(
      hosts.length > 0
        ? { ...base, name: 'MX', verdict: 'ok', detail: `mail for ${use.domain} goes to ${hosts.join(', ')}` }
        : {
            ...base,
            name: 'MX',
            verdict: 'failed',
            detail: `${use.domain} has no mail server: replies and bounces to your From address cannot arrive`,
            fix: `add the MX records your mail provider gives for ${use.domain}`,
          },
    );
  }
  return checks;
}

type Verdict = Pick<DoctorCheck, 'verdict' | 'detail' | 'fix'>;

function judgeSpf(use: DomainUse, records: string[]): Verdict {
  const spf = records.filter((r) => /^v=spf1(\s|$)/i.test(r.trim()));
  const includes = [...use.spfIncludes];
  const suggested = `${use.domain} TXT "v=spf1 ${[...includes, 'mx'].join(' ')} ~all"`;
  if (spf.length === 0) return { verdict: 'failed', detail: `no SPF record on ${use.domain}`, fix: `add ${suggested}` };
  if (spf.length > 1)
    return {
      verdict: 'failed',
      detail: `${spf.length} SPF records on ${use.domain}: receivers treat that as an error (permerror)`,
      fix: 'merge them into one v=spf1 record',
    };
  const record = (spf[0] ?? '').trim();
  if (/\s\+all\b/i.test(` ${record}`))
    return {
      verdict: 'failed',
      detail: `"${record}" lets anyone send as ${use.domain}`,
      fix: 'end it with ~all or -all',
    };
  const missing = includes.filter((m) => !record.toLowerCase().includes(m.toLowerCase()));
  if (missing.length > 0)
    return {
      verdict: 'warning',
      detail: `"${record}" does not list ${missing.join(', ')}, which your accounts send through`,
      fix: `add ${missing.join(' ')} before the all at the end`,
    };
  if (!/[~-]all\b/i.test(record))
    return { verdict: 'warning', detail: `"${record}" does not end with ~all or -all`, fix: 'end it with ~all' };
  return { verdict: 'ok', detail: record };
}

async function checkDkim(resolver: DnsResolver, use: DomainUse): Promise<Omit<DoctorCheck, 'area' | 'subject'>[]> {
  if (use.selectors.size === 0) {
    for (const selector of COMMON_SELECTORS) {
      const found = await txt(resolver, `${selector}._domainkey.${use.domain}`);
      if ('found' in found && found.found.some((r) => /(^|;)\s*p=/.test(r)))
        return [{ name: 'DKIM', verdict: 'ok', detail: `a DKIM key is published at ${selector}._domainkey` }];
    }
    return [
      {
        name: 'DKIM',
        verdict: 'warning',
        detail: `no DKIM selector is configured for ${use.domain} and none of the usual ones has a key`,
        fix: 'set QUOTAHIT_DKIM_SELECTOR to the selector your mail provider signs with (its admin page shows the record), or give the SMTP account a dkim key',
      },
    ];
  }
  const checks: Omit<DoctorCheck, 'area' | 'subject'>[] = [];
  for (const [selector, privateKey] of use.selectors) {
    const name = `${selector}._domainkey.${use.domain}`;
    const expected = privateKey ? publicKeyOf(privateKey) : undefined;
    const record = expected ? `${name} TXT "v=DKIM1; k=rsa; p=${expected}"` : undefined;
    const found = await txt(resolver, name);
    if ('error' in found) {
      checks.push({
        name: `DKIM ${selector}`,
        verdict: 'warning',
        detail: `could not look up TXT ${name} (${found.error})`,
      });
      continue;
    }
    const published = ('found' in found ? found.found : []).find((r) => /(^|;)\s*p=/.test(r));
    if (!published) {
      checks.push({
        name: `DKIM ${selector}`,
        verdict: 'failed',
        detail: `no DKIM key at ${name}: receivers cannot verify the signature`,
        fix: record ? `add ${record}` : `publish the DKIM record your mail provider gives for selector ${selector}`,
      });
      continue;
    }
    const key = /(?:^|;)\s*p=([^;]*)/.exec(published)?.[1]?.replace(/\s+/g, '') ?? '';
    if (expected && key !== expected) {
      checks.push({
        name: `DKIM ${selector}`,
        verdict: 'failed',
        detail: `the key at ${name} is not the public half of the key QuotaHit signs with`,
        fix: `replace it with ${record}`,
      });
    } else if (key === '') {
      checks.push({
        name: `DKIM ${selector}`,
        verdict: 'failed',
        detail: `the key at ${name} is revoked (empty p=)`,
        fix: record ? `replace it with ${record}` : 'publish the current key',
      });
    } else {
      checks.push({ name: `DKIM ${selector}`, verdict: 'ok', detail: `key published at ${name}` });
    }
  }
  return checks;
}

/** The base64 SubjectPublicKeyInfo of a PEM private key, as a DKIM record's p= holds it. */
function publicKeyOf(privateKeyPem: string): string | undefined {
  try {
    return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'der' }).toString('base64');
  } catch {
    return undefined;
  }
}

/** The DMARC record of the domain, else of its parent domains (the organizational domain's applies). */
async function findDmarc(resolver: DnsResolver, domain: string): Promise<Lookup<{ at: string; record: string }>> {
  const labels = domain.split('.');
  for (let i = 0; labels.length - i >= 2; i++) {
    const at = labels.slice(i).join('.');
    const found = await txt(resolver, `_dmarc.${at}`);
    if ('error' in found) return found;
    const record = ('found' in found ? found.found : []).find((r) => /^v=DMARC1\s*(;|$)/i.test(r.trim()));
    if (record) return { found: { at, record: record.trim() } };
  }
  return { missing: true };
}

function judgeDmarc(domain: string, found: { at: string; record: string } | undefined): Verdict {
  if (!found)
    return {
      verdict: 'failed',
      detail: `no DMARC record: Gmail, Yahoo and Outlook.com require one from bulk senders`,
      fix: `add _dmarc.${domain} TXT "v=DMARC1; p=none; rua=mailto:dmarc@${domain}"`,
    };
  const from = found.at === domain ? '' : ` (from ${found.at}, which covers ${domain})`;
  const policy = /(?:^|;)\s*p=(\w+)/i.exec(found.record)?.[1]?.toLowerCase();
  if (policy === 'none')
    return {
      verdict: 'ok',
      detail: `"${found.record}"${from}: monitoring only; move to p=quarantine once the reports are clean`,
    };
  return { verdict: 'ok', detail: `"${found.record}"${from}` };
}

/** The tracking domain (TRACKING_BASE_URL) must lead to this server: a CNAME to PUBLIC_URL's host. */
export async function checkTrackingDomain(
  resolver: DnsResolver,
  urls: { publicUrl: string; trackingBaseUrl: string },
): Promise<DoctorCheck> {
  const publicHost = new URL(urls.publicUrl).hostname;
  const trackingHost = new URL(urls.trackingBaseUrl).hostname;
  const base = { area: 'tracking' as const, subject: trackingHost, name: 'tracking domain' };
  if (trackingHost === publicHost)
    return { ...base, verdict: 'ok', detail: `open and click links use PUBLIC_URL's host ${publicHost}` };
  const fix = `add ${trackingHost} CNAME ${publicHost} (and serve it over TLS)`;
  const cname = await lookup(() => resolver.resolveCname(trackingHost));
  if ('found' in cname && cname.found.some((t) => t.replace(/\.$/, '').toLowerCase() === publicHost.toLowerCase()))
    return { ...base, verdict: 'ok', detail: `${trackingHost} is a CNAME of ${publicHost}` };
  if ('error' in cname)
    return { ...base, verdict: 'warning', detail: `could not look up ${trackingHost} (${cname.error})`, fix };
  // An address record that matches the public host's addresses works as well as a CNAME.
  const [mine, theirs] = await Promise.all([
    lookup(() => resolver.resolve4(trackingHost)),
    lookup(() => resolver.resolve4(publicHost)),
  ]);
  if ('found' in mine && 'found' in theirs && mine.found.some((a) => theirs.found.includes(a)))
    return { ...base, verdict: 'ok', detail: `${trackingHost} points at the same address as ${publicHost}` };
  const detail =
    'found' in cname
      ? `${trackingHost} is a CNAME of ${cname.found.join(', ')}, not of ${publicHost}`
      : `${trackingHost} does not lead to ${publicHost}: open and click links would not reach QuotaHit`;
  return { ...base, verdict: 'failed', detail, fix };
}
