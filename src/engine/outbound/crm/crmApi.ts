// What a CRM push needs from a CRM (HubSpot, Pipedrive), as one narrow interface each CRM's
// client implements over its REST API, and the one place an HTTP answer becomes either parsed JSON
// or a failure: 429 waits as long as the CRM says (Retry-After, its rate-limit headers, a spent
// daily budget until the next UTC midnight), 401/403/400/404/422 are permanent, the rest retried.
import type { AttemptResult } from '../../../core/outboundRetry.ts';
import type { OutboundHttp, OutboundResponse } from '../http.ts';

export type CrmContact = {
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  company?: string | null;
  title?: string | null;
  phone?: string | null;
};

export type CrmApi = {
  /** Finds the person by email or creates it; the CRM's id. */
  upsertPerson(contact: CrmContact): Promise<string>;
  /** A deal of this person with this title (after a lost answer, before creating one again). */
  findDeal(input: { personId: string; title: string }): Promise<string | undefined>;
  createDeal(input: { personId: string; title: string; stage: string }): Promise<string>;
  setDealStage(input: { dealId: string; stage: string }): Promise<void>;
  /** Writes our stage into a property/custom field of the person. */
  setPersonField(input: { personId: string; field: string; value: string }): Promise<void>;
  /** Whether a note carrying `marker` is already on the person. */
  findNote(input: { personId: string; marker: string }): Promise<boolean>;
  addNote(input: { personId: string; dealId: string | null; body: string; at: Date }): Promise<void>;
};

export type CrmSettings = {
  baseUrl: string;
  pipeline?: string;
  dealStage?: string;
  /** Our stage (or enrollment.completed|stopped) → the CRM's deal stage. */
  stages?: Record<string, string>;
  /** A person property/custom field that receives our stage. */
  stageProperty?: string;
};

export type CrmClientInput = { http: OutboundHttp; token: string; settings: CrmSettings; now: Date };

/** A CRM call that did not succeed, carrying the attempt's result; caught once in crmTarget.ts. */
export class CrmFailure extends Error {
  constructor(readonly result: Extract<AttemptResult, { kind: 'failed' }>) {
    super(result.error);
  }
}

const PERMANENT = new Set([400, 401, 403, 404, 405, 409, 422]);
const header = (r: OutboundResponse, name: string) => r.headers[name.toLowerCase()];
const seconds = (value: string | undefined) =>
  value && /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : undefined;

/** Milliseconds to the next UTC midnight, when a daily budget starts again. */
export const untilNextUtcDay = (now: Date) =>
  Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime();

/** How long a 429 asks us to wait, from the headers each CRM sends (see hubspot.ts, pipedrive.ts). */
export function rateLimitWaitMs(response: OutboundResponse, now: Date, daily: boolean): number | undefined {
  if (daily) return untilNextUtcDay(now);
  const retryAfter = header(response, 'retry-after');
  if (retryAfter) {
    const at = Date.parse(retryAfter);
    return seconds(retryAfter) ?? (Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime()));
  }
  const interval = header(response, 'x-hubspot-ratelimit-interval-milliseconds');
  if (interval && /^\d+$/.test(interval)) return Number(interval);
  return seconds(header(response, 'x-ratelimit-reset'));
}

export type CallInput = {
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  /** Statuses the caller reads itself (e.g. HubSpot's 404 for an unknown email, 409 for an existing contact). */
  expect?: readonly number[];
  /** Whether a 429 means the daily budget is spent (read from the answer by the CRM's client). */
  isDaily?: (response: OutboundResponse) => boolean;
  now: Date;
};

/** One JSON call: the answer's status and parsed body, or a CrmFailure. */
export async function callJson(
  http: OutboundHttp,
  input: CallInput,
): Promise<{ status: number; json: Record<string, unknown>; response: OutboundResponse }> {
  const response = await http.request({
    url: input.url,
    method: input.method,
    headers: {
      accept: 'application/json',
      'user-agent': 'QuotaHit-CRM/1',
      ...input.headers,
      ...(input.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(input.body === undefined ? {} : { body: JSON.stringify(input.body) }),
  });
  let json: Record<string, unknown> = {};
  try {
    const parsed: unknown = response.body ? JSON.parse(response.body) : {};
    if (parsed && typeof parsed === 'object') json = parsed as Record<string, unknown>;
  } catch {
    // A non-JSON answer (a proxy's error page) is described by its status below.
  }
  const ok = response.status >= 200 && response.status < 300;
  if (ok || input.expect?.includes(response.status)) return { status: response.status, json, response };
  const message = typeof json.message === 'string' ? json.message : typeof json.error === 'string' ? json.error : '';
  const error = `${input.method} ${new URL(input.url).pathname}: HTTP ${response.status}${message ? ` ${message}` : ''}`;
  if (response.status === 429) {
    const wait = rateLimitWaitMs(response, input.now, input.isDaily?.(response) ?? false);
    throw new CrmFailure({ kind: 'failed', status: 429, error, ...(wait === undefined ? {} : { retryAfterMs: wait }) });
  }
  throw new CrmFailure({ kind: 'failed', status: response.status, error, permanent: PERMANENT.has(response.status) });
}

/** A string id from a CRM's JSON (HubSpot's are strings, Pipedrive's numbers). */
export function idOf(value: unknown, what: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  throw new CrmFailure({ kind: 'failed', error: `the CRM's answer has no ${what} id` });
}
