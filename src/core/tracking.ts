// Tracking tokens and machine-traffic detection. A token is `base64url(payload).base64url(hmac)`:
// the HMAC-SHA256 seals the kind, our message id and, for clicks, the destination and when the
// link was made, so the click endpoint only ever redirects to a URL we wrote into that message,
// only for a while (decideClick: tokens expire), and straight away only to the workspace's own
// domains (others get a page that shows where the link goes).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { decodeCanonical } from './canonicalBase64.ts';

export const TOKEN_KINDS = ['open', 'click', 'unsubscribe'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export const TrackingPayload = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('open'), messageId: z.string().min(1) }),
  z.strictObject({ kind: z.literal('unsubscribe'), messageId: z.string().min(1) }),
  z.strictObject({
    kind: z.literal('click'),
    messageId: z.string().min(1),
    url: z.url({ protocol: /^https?$/ }),
    /** When the link was made (unix seconds); links made before tokens carried it have none. */
    issuedAt: z.number().int().nonnegative().optional(),
  }),
]);
export type TrackingPayload = z.infer<typeof TrackingPayload>;

// Short keys keep tracked links short; the wire form is private to this file.
const Wire = z.strictObject({
  k: z.enum(['o', 'c', 'u']),
  m: z.string(),
  u: z.string().optional(),
  t: z.number().optional(),
});
const KIND_TO_WIRE = { open: 'o', click: 'c', unsubscribe: 'u' } as const;
const WIRE_TO_KIND = { o: 'open', c: 'click', u: 'unsubscribe' } as const;

export function signToken(secret: string, payload: TrackingPayload): string {
  const wire = {
    k: KIND_TO_WIRE[payload.kind],
    m: payload.messageId,
    ...(payload.kind === 'click' ? { u: payload.url } : {}),
    ...(payload.kind === 'click' && payload.issuedAt !== undefined ? { t: payload.issuedAt } : {}),
  };
  const body = Buffer.from(JSON.stringify(wire)).toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

/** The payload when the token is intact and signed with `secret`; undefined otherwise. */
export function verifyToken(secret: string, token: string): TrackingPayload | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return undefined;
  const body = token.slice(0, dot);
  // The bytes must match, and the text must be their one base64url form (no padding, no stray characters).
  const given = decodeCanonical(token.slice(dot + 1), 'base64url');
  const expected = mac(secret, body);
  if (!given || given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const wire = Wire.safeParse(parseJson(Buffer.from(body, 'base64url').toString('utf8')));
  if (!wire.success) return undefined;
  const candidate = {
    kind: WIRE_TO_KIND[wire.data.k],
    messageId: wire.data.m,
    ...(wire.data.u ? { url: wire.data.u } : {}),
    ...(wire.data.t !== undefined ? { issuedAt: wire.data.t } : {}),
  };
  const parsed = TrackingPayload.safeParse(candidate);
  return parsed.success ? parsed.data : undefined;
}

/** What a valid click token does. */
export type ClickDecision =
  | { action: 'redirect'; url: string }
  /** A page that names the destination and lets the person go on (an unlisted domain). */
  | { action: 'interstitial'; url: string }
  /** Older than the installation's click-token lifetime, or of a message we no longer know. */
  | { action: 'expired' };

export type ClickPolicy = {
  /** How long a click token works after it was made (QUOTAHIT_CLICK_TTL_DAYS). */
  ttlDays: number;
  /** What an unlisted destination gets (QUOTAHIT_CLICK_UNLISTED). */
  unlisted: 'interstitial' | 'redirect';
};

/**
 * A click decided: expired once `ttlDays` have passed since the token was made (its own time, or
 * for an older token the message's, `fallbackIssuedAt`; neither known: expired); a redirect when
 * the destination's host is one of `allowedDomains` or below one; otherwise as the policy says.
 */
export function decideClick(input: {
  payload: Extract<TrackingPayload, { kind: 'click' }>;
  fallbackIssuedAt: Date | undefined;
  allowedDomains: readonly string[];
  policy: ClickPolicy;
  now: Date;
}): ClickDecision {
  const { payload, policy } = input;
  const issuedMs = payload.issuedAt !== undefined ? payload.issuedAt * 1000 : input.fallbackIssuedAt?.getTime();
  if (issuedMs === undefined || input.now.getTime() - issuedMs > policy.ttlDays * 86_400_000)
    return { action: 'expired' };
  if (policy.unlisted === 'redirect' || isAllowedHost(payload.url, input.allowedDomains))
    return { action: 'redirect', url: payload.url };
  return { action: 'interstitial', url: payload.url };
}

/** Whether the URL's host is one of the domains or a subdomain of one (case-insensitive). */
export function isAllowedHost(url: string, domains: readonly string[]): boolean {
  const host = new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  return domains.some((domain) => {
    const d = domain.toLowerCase().replace(/\.$/, '');
    return d !== '' && (host === d || host.endsWith(`.${d}`));
  });
}

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export type TrafficInput = {
  method: string;
  userAgent: string | undefined;
  ip?: string;
  /** Seconds between our send (or the provider's delivery) and this request. */
  secondsSinceDelivery: number;
  kind: 'open' | 'click';
  /** Clicks sooner than this after delivery are scanners (default 10 s). */
  minHumanClickSeconds?: number;
};
export type TrafficVerdict = { machine: boolean; reason?: string };

/** User agents of image proxies that pre-fetch every open: the open says nothing about a person. */
const PRIVACY_PROXIES: readonly [RegExp, string][] = [
  [/GoogleImageProxy|ggpht\.com/i, 'Gmail image proxy'],
  [/YahooMailProxy/i, 'Yahoo Mail proxy'],
  [/Outlook-iOS|OutlookImageProxy|ms-office.*ImageProxy/i, 'Outlook image proxy'],
  // Apple Mail Privacy Protection fetches with a bare Mozilla/5.0 user agent and no version info.
  [/^Mozilla\/5\.0$/, 'Apple Mail privacy proxy'],
];

/** Security scanners and tools that follow every link or fetch every image. */
const SCANNERS: readonly [RegExp, string][] = [
  [/Barracuda/i, 'Barracuda scanner'],
  [/Mimecast/i, 'Mimecast scanner'],
  [/Proofpoint|ppops/i, 'Proofpoint scanner'],
  [
    /SafeLinks|Microsoft Defender|MSOffice ATP|BingPreview|Microsoft Office Protocol Discovery/i,
    'Microsoft Defender Safe Links',
  ],
  [/Symantec|MessageLabs|Forcepoint|Sophos|Trend ?Micro|FireEye|Cisco|IronPort|Zscaler/i, 'security gateway'],
  [/^curl\//i, 'curl'],
  [
    /python-requests|python-urllib|aiohttp|Go-http-client|okhttp|Java\/|libwww-perl|Wget|axios|node-fetch|undici/i,
    'HTTP library',
  ],
  [/HeadlessChrome|PhantomJS|Puppeteer|Playwright/i, 'headless browser'],
  [/bot\b|bot\/|crawler|spider|scanner|preview|slurp|facebookexternalhit/i, 'bot or crawler'],
];

/** Decides whether a tracking hit came from a machine; machine hits are stored but never counted. */
export function classifyMachineTraffic(input: TrafficInput): TrafficVerdict {
  const method = input.method.toUpperCase();
  if (method === 'HEAD') return { machine: true, reason: 'HEAD request (link checker)' };
  const ua = (input.userAgent ?? '').trim();
  if (ua === '') return { machine: true, reason: 'no user agent' };
  for (const [pattern, name] of SCANNERS) if (pattern.test(ua)) return { machine: true, reason: name };
  if (input.kind === 'open') {
    for (const [pattern, name] of PRIVACY_PROXIES)
      if (pattern.test(ua)) return { machine: true, reason: `${name} pre-fetch` };
    // Apple owns 17.0.0.0/8; Mail Privacy Protection fetches images from there.
    if (input.ip?.startsWith('17.')) return { machine: true, reason: 'Apple Mail privacy proxy pre-fetch' };
  }
  if (input.kind === 'click') {
    const threshold = input.minHumanClickSeconds ?? 10;
    if (input.secondsSinceDelivery < threshold) {
      return {
        machine: true,
        reason: `clicked ${Math.max(0, Math.round(input.secondsSinceDelivery))} s after delivery`,
      };
    }
  }
  return { machine: false };
}
