// A thin client of Twilio's REST API (2010-04-01): form-encoded POSTs and GETs with Basic auth
// (Account SID : Auth Token) on the account's host root, and the classification of Twilio's errors
// ({"code","message","more_info","status"}) into SendFailures, in one place.
//   twilio.com/docs/sms/api/message-resource, twilio.com/docs/voice/api/call-resource,
//   twilio.com/docs/api/errors (20003 auth, 20429/429 too many requests, 21211 invalid To,
//   21610 unsubscribed recipient, 21611 sender queue full, 21612/21614 not reachable by SMS).
import { request } from 'undici';
import type { SendFailure } from '../types.ts';
import type { TwilioCredentials } from './credentials.ts';
import type { FormParams } from './signature.ts';

export type TwilioAnswer =
  { ok: true; status: number; body: Record<string, unknown> } | { ok: false; failure: SendFailure; status?: number };

export const API_VERSION = '2010-04-01';

export function accountPath(credentials: TwilioCredentials, resource: string): string {
  const root = credentials.baseUrl.replace(/\/+$/, '');
  return `${root}/${API_VERSION}/Accounts/${encodeURIComponent(credentials.accountSid)}${resource}`;
}

export async function twilioCall(
  credentials: TwilioCredentials,
  input: { method: 'GET' | 'POST'; url: string; form?: FormParams; signal?: AbortSignal | undefined },
): Promise<TwilioAnswer> {
  const auth = Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64');
  let statusCode: number;
  let text: string;
  let retryHeader: string | string[] | undefined;
  try {
    const res = await request(input.url, {
      method: input.method,
      headers: {
        authorization: `Basic ${auth}`,
        accept: 'application/json',
        ...(input.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(input.form ? { body: new URLSearchParams(input.form).toString() } : {}),
      ...(input.signal ? { signal: input.signal } : {}),
    });
    statusCode = res.statusCode;
    retryHeader = res.headers['retry-after'];
    text = await res.body.text();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, failure: { kind: 'provider_down', message: `cannot reach Twilio: ${reason}` } };
  }
  const body = parseObject(text);
  if (statusCode >= 200 && statusCode < 300 && body) return { ok: true, status: statusCode, body };
  return { ok: false, status: statusCode, failure: classifyTwilioError(statusCode, body, retryHeader) };
}

/** Twilio's documented error codes and statuses, as what the engine does with them. */
export function classifyTwilioError(
  status: number,
  body: Record<string, unknown> | undefined,
  retryAfterHeader?: string | string[],
): SendFailure {
  const code = typeof body?.code === 'number' ? body.code : Number(body?.code);
  const detail = typeof body?.message === 'string' ? body.message : 'no error message';
  const message = `Twilio ${status}${Number.isFinite(code) ? ` error ${code}` : ''}: ${detail}`.slice(0, 300);
  if (code === 21610) return { kind: 'opted_out', message };
  if (code === 20429 || status === 429) {
    const seconds = Number(Array.isArray(retryAfterHeader) ? retryAfterHeader[0] : retryAfterHeader);
    return { kind: 'rate_limited', message, retryAfterSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : 1 };
  }
  // The sender's queue holds more than 10 hours of messages: nothing more is taken for a while.
  if (code === 21611) return { kind: 'rate_limited', message, retryAfterSeconds: 15 * 60 };
  if ([21211, 21612, 21614, 21217, 21401, 21407, 21408, 21421].includes(code)) {
    // 21408 (region not enabled) is the account's setting, not the person's number.
    return code === 21408 ? { kind: 'rejected', message } : { kind: 'invalid_recipient', message };
  }
  if (status === 401 || code === 20003 || code === 20005) return { kind: 'auth_expired', message };
  if (status >= 500) return { kind: 'provider_down', message };
  return { kind: 'rejected', message };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
