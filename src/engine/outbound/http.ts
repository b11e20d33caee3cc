// The one HTTP client of outbound deliveries: undici with the address policy applied when the
// connection is made (after DNS, so a name that resolves to an internal address is refused
// however the URL was written, and a name that changes its answer later gains nothing), a
// 15-second limit on connecting, on the answer's headers and on its body.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
import type { AddressPolicy } from './addressPolicy.ts';

export const OUTBOUND_TIMEOUT_MS = 15_000;

export class RefusedAddressError extends Error {
  readonly code = 'ERR_OUTBOUND_REFUSED';
}

export type OutboundResponse = { status: number; headers: Record<string, string | undefined>; body: string };

export type OutboundHttp = {
  request(input: {
    url: string;
    method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    headers?: Record<string, string>;
    body?: string;
  }): Promise<OutboundResponse>;
  close(): Promise<void>;
};

function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 4);
      const refused = addresses.find((a) => !policy.allows(hostname, a.address));
      if (refused || addresses.length === 0)
        return callback(
          new RefusedAddressError(
            `${hostname} resolves to ${refused?.address ?? 'nothing'}, which outbound requests may not reach`,
          ),
          '',
          4,
        );
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0] as LookupAddress;
      return callback(null, first.address, first.family);
    });
  };
}

export function createOutboundHttp(options: { policy: AddressPolicy; timeoutMs?: number }): OutboundHttp {
  const timeout = options.timeoutMs ?? OUTBOUND_TIMEOUT_MS;
  const connector = buildConnector({ timeout, lookup: guardedLookup(options.policy) });
  const agent = new Agent({
    headersTimeout: timeout,
    bodyTimeout: timeout,
    connect: (connectOptions, callback) => {
      const host = connectOptions.hostname.replace(/^\[|\]$/g, '');
      // An address written in the URL is never looked up: checked here.
      if (isIP(host) && !options.policy.allows(host, host))
        return callback(new RefusedAddressError(`${host} is an address outbound requests may not reach`), null);
      return connector(connectOptions, callback);
    },
  });
  return {
    async request(input) {
      const response = await request(input.url, {
        method: input.method ?? 'POST',
        headers: input.headers ?? {},
        ...(input.body === undefined ? {} : { body: input.body }),
        dispatcher: agent,
        signal: AbortSignal.timeout(timeout + 1000),
      });
      const text = await response.body.text();
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(response.headers))
        headers[name] = Array.isArray(value) ? value.join(', ') : value;
      return { status: response.statusCode, headers, body: text.slice(0, 64_000) };
    },
    close: () => agent.close(),
  };
}

/** Whether a URL is one outbound requests may be made to (scheme and, for literal addresses, the policy). */
export function checkOutboundUrl(url: string, policy: AddressPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an http(s) URL';
  if (parsed.username || parsed.password) return 'must not carry a user name or password';
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !policy.allows(host, host)) return `points at ${host}, a private, loopback or link-local address`;
  if (host === 'localhost' || host.endsWith('.localhost')) {
    if (!policy.allows(host, '127.0.0.1')) return `points at ${host}, a loopback address`;
  }
  return undefined;
}
