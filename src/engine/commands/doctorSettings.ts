// The doctor's look at PUBLIC_URL: the address every unsubscribe link, tracking link and OAuth
// callback in sent mail is built on. Its shape is checked here (and that its host resolves), not
// whether the internet reaches it: that depends on firewalls and proxies QuotaHit cannot see.
import { isIP } from 'node:net';
import type { DoctorCheck } from './doctor.ts';
import type { DnsResolver } from './doctorDns.ts';

const LOCAL = /^(localhost|.*\.localhost|.*\.local|.*\.internal|127\.\d+\.\d+\.\d+|::1|0\.0\.0\.0)$/i;
const PRIVATE = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.|f[cd][0-9a-f]{2}:)/i;

export async function checkPublicUrl(resolver: DnsResolver, publicUrl: string): Promise<DoctorCheck[]> {
  const url = new URL(publicUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const base = { area: 'setup' as const, subject: publicUrl, name: 'PUBLIC_URL' };
  const fix = 'set PUBLIC_URL to the https:// address people reach this server at (a domain behind your TLS proxy)';
  if (LOCAL.test(host) || PRIVATE.test(host))
    return [
      {
        ...base,
        verdict: 'failed',
        detail: `${host} is only reachable from this machine or network: unsubscribe and tracking links in sent mail would not open`,
        fix,
      },
    ];
  const checks: DoctorCheck[] = [];
  if (url.protocol !== 'https:')
    checks.push({
      ...base,
      verdict: 'warning',
      detail: 'plain http: mailbox providers expect https unsubscribe links, and browsers warn on them',
      fix,
    });
  if (isIP(host) !== 0)
    checks.push({ ...base, verdict: 'warning', detail: 'an IP address in links looks like spam to filters', fix });
  if (url.pathname !== '/' && url.pathname !== '')
    checks.push({
      ...base,
      verdict: 'warning',
      detail: `QuotaHit serves /u, /t and /webhooks at the root; links under ${url.pathname} work only if your proxy strips it`,
      fix: 'serve QuotaHit at the root of its host, or make sure the proxy strips the path',
    });
  if (isIP(host) === 0) {
    const found = await resolver.resolve4(host).then(
      (addresses) => addresses.length > 0,
      () => false,
    );
    if (!found)
      checks.push({
        ...base,
        verdict: 'warning',
        detail: `${host} does not resolve (no IPv4 address record)`,
        fix: `add an A record for ${host} pointing at this server (or at its proxy)`,
      });
  }
  if (checks.length === 0) checks.push({ ...base, verdict: 'ok', detail: `links in sent mail point at ${url.origin}` });
  return checks;
}
