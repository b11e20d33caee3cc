// The networked half of the recipient check: does the domain accept mail? MX records, else the
// implicit MX of an A/AAAA record (RFC 5321 §5.1), and a null MX (RFC 7505) means "no mail here".
// Answers are cached per domain; lookups that fail for reasons other than "no such domain/data"
// never block a send (a flaky resolver must not lose leads).
import { promises as dns } from 'node:dns';
import { checkAddressOffline, type AddressCheck } from '../../core/emailChecks.ts';

/** The slice of `dns.promises.Resolver` we use, so tests can point one at a local server. */
export type MxResolver = {
  resolveMx(hostname: string): Promise<{ exchange: string; priority: number }[]>;
  resolve4(hostname: string): Promise<string[]>;
  resolve6(hostname: string): Promise<string[]>;
};

export type DomainVerdict =
  | { accepts: true; via: 'mx' | 'a'; hosts: string[] }
  | { accepts: false; reason: string }
  | { accepts: 'unknown'; reason: string };

export type RecipientCheckerOptions = {
  resolver?: MxResolver;
  /** DNS servers for the default resolver (QUOTAHIT_DNS_SERVERS); the system's when absent. */
  servers?: readonly string[];
  /** Milliseconds since the epoch; injected so cache expiry is testable. */
  now?: () => number;
  ttlSeconds?: number;
  negativeTtlSeconds?: number;
  maxEntries?: number;
};

const NO_DATA = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN', 'ENONAME']);

export function createRecipientChecker(options: RecipientCheckerOptions = {}) {
  const resolver = options.resolver ?? systemResolver(options.servers);
  const now = options.now ?? (() => Date.now());
  const ttl = (options.ttlSeconds ?? 3600) * 1000;
  const negativeTtl = (options.negativeTtlSeconds ?? 600) * 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { verdict: DomainVerdict; expiresAt: number }>();
  let lookups = 0;

  async function lookupDomain(domain: string): Promise<DomainVerdict> {
    const hit = cache.get(domain);
    if (hit && hit.expiresAt > now()) return hit.verdict;
    lookups += 1;
    const verdict = await resolveDomain(resolver, domain);
    if (verdict.accepts !== 'unknown') {
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value ?? '');
      cache.set(domain, { verdict, expiresAt: now() + (verdict.accepts ? ttl : negativeTtl) });
    }
    return verdict;
  }

  return {
    lookupDomain,
    /** Offline checks, then the domain's mail servers; `ok` false means skip this recipient. */
    async check(email: string | null | undefined): Promise<AddressCheck> {
      const offline = checkAddressOffline(email);
      if (!offline.ok || !offline.domain) return offline;
      const verdict = await lookupDomain(offline.domain);
      if (verdict.accepts === false) {
        return {
          ...offline,
          ok: false,
          issues: [...offline.issues, { code: 'no_mail_server', severity: 'block', reason: verdict.reason }],
        };
      }
      return offline;
    },
    /** How many DNS lookups were made (cache misses): for tests and metrics. */
    lookupCount: () => lookups,
  };
}

export type RecipientChecker = ReturnType<typeof createRecipientChecker>;

function systemResolver(servers: readonly string[] | undefined): MxResolver {
  const resolver = new dns.Resolver({ timeout: 5000, tries: 2 });
  if (servers && servers.length > 0) resolver.setServers([...servers]);
  return resolver;
}

async function resolveDomain(resolver: MxResolver, domain: string): Promise<DomainVerdict> {
  try {
    const records = await resolver.resolveMx(domain);
    if (records.length === 1 && records[0]?.exchange === '') {
      return { accepts: false, reason: `${domain} accepts no email (null MX)` };
    }
    const hosts = records
      .filter((r) => r.exchange !== '')
      .sort((a, b) => a.priority - b.priority)
      .map((r) => r.exchange);
    if (hosts.length > 0) return { accepts: true, via: 'mx', hosts };
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOTFOUND' || code === 'NXDOMAIN') return { accepts: false, reason: `${domain} does not exist` };
    if (!NO_DATA.has(code)) return { accepts: 'unknown', reason: `MX lookup for ${domain} failed (${code})` };
  }
  // No MX: an address record is the implicit mail server.
  for (const resolve of [resolver.resolve4.bind(resolver), resolver.resolve6.bind(resolver)]) {
    try {
      const addresses = await resolve(domain);
      if (addresses.length > 0) return { accepts: true, via: 'a', hosts: [domain] };
    } catch (error) {
      const code = errorCode(error);
      if (!NO_DATA.has(code)) return { accepts: 'unknown', reason: `address lookup for ${domain} failed (${code})` };
    }
  }
  return { accepts: false, reason: `${domain} has no mail server (no MX or address record)` };
}

function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string')
    return error.code;
  return 'EUNKNOWN';
}
