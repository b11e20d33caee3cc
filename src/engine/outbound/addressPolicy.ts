// Where outbound requests (webhooks, notifications, CRMs) may go: public addresses only, unless
// the installation names an internal receiver in QUOTAHIT_OUTBOUND_ALLOW_HOSTS (host names, IP
// addresses or CIDRs). Link-local addresses (169.254.0.0/16, where cloud metadata services
// answer, and fe80::/10) stay refused even under a broad CIDR: only an entry that is itself
// link-local opens them.
import { BlockList, isIP } from 'node:net';

const PRIVATE_V4 = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const;
const PRIVATE_V6 = [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const;

const family = (address: string): 'ipv4' | 'ipv6' => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

function rangeList(ranges: readonly (readonly [string, number])[], type: 'ipv4' | 'ipv6', list = new BlockList()) {
  for (const [network, prefix] of ranges) list.addSubnet(network, prefix, type);
  return list;
}

const privateRanges = rangeList(PRIVATE_V6, 'ipv6', rangeList(PRIVATE_V4, 'ipv4'));
const linkLocal = rangeList([['fe80::', 10]], 'ipv6', rangeList([['169.254.0.0', 16]], 'ipv4'));

export type AddressPolicy = {
  /** Whether a connection to `address` (resolved from `host`) is allowed. */
  allows(host: string, address: string): boolean;
};

export class AllowListError extends Error {}

/** Parses QUOTAHIT_OUTBOUND_ALLOW_HOSTS entries: a host name, an IP address or a CIDR. */
export function createAddressPolicy(allowEntries: readonly string[] = []): AddressPolicy {
  const hosts = new Set<string>();
  const allowed = new BlockList();
  const allowedLinkLocal = new BlockList();
  for (const raw of allowEntries) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    const [network = '', prefixText] = entry.split('/');
    const kind = isIP(network);
    if (kind === 0) {
      if (prefixText !== undefined || !/^[a-z0-9.-]+$/.test(entry))
        throw new AllowListError(`not a host name, IP address or CIDR: ${raw}`);
      hosts.add(entry);
      continue;
    }
    const type = kind === 6 ? 'ipv6' : 'ipv4';
    const prefix = prefixText === undefined ? (kind === 6 ? 128 : 32) : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (kind === 6 ? 128 : 32))
      throw new AllowListError(`not a CIDR: ${raw}`);
    allowed.addSubnet(network, prefix, type);
    if (linkLocal.check(network, type)) allowedLinkLocal.addSubnet(network, prefix, type);
  }
  return {
    allows(host, address) {
      const type = family(address);
      if (linkLocal.check(address, type)) return allowedLinkLocal.check(address, type);
      if (!privateRanges.check(address, type)) return true;
      return allowed.check(address, type) || hosts.has(host.toLowerCase().replace(/^\[|\]$/g, ''));
    },
  };
}
