// The HTTP channel: delivers each message as JSON to an endpoint of your own (a CRM, a dialer, a
// custom SMS gateway) with an Idempotency-Key, so a retry after a crash never delivers twice.
//   POST {url}             body: the message      → 2xx {"id"}   (same key again → same answer)
//   GET  {url}/{key}                              → 200 {"id"} | 404
// Bearer token optional (or user:password in the URL, sent as Basic). 429/5xx are retryable, other
// 4xx reject the message. The URL is the tenant's choice: error text never carries its credentials
// (user info, query values, the token), and an unreachable endpoint is "cannot reach the host" —
// never which port refused or timed out, so the channel is no scanner of the server's network.
import { request } from 'undici';
import { z } from 'zod';
import { CHANNELS } from '../../core/channels.ts';
import { displayUrl, redactSecrets, urlSecrets } from '../../core/redact.ts';
import { fail, ok, type ChannelAdapter, type SendResult } from '../types.ts';

export const HttpCredentials = z.strictObject({
  url: z.url(),
  token: z.string().min(1).max(500).optional(),
});
export type HttpCredentials = z.infer<typeof HttpCredentials>;

const Answer = z.object({ id: z.string().min(1) });

export const httpAdapter: ChannelAdapter<HttpCredentials, undefined, 'http'> = {
  provider: 'http',
  label: 'HTTP endpoint',
  channels: CHANNELS,
  credentials: HttpCredentials,
  idempotent: true,
  async send(message, credentials, context): Promise<SendResult> {
    const where = displayUrl(credentials.url);
    const clean = (text: string) => redactSecrets(text, [credentials.token, ...urlSecrets(credentials.url)]);
    try {
      const res = await request(endpoint(credentials.url), {
        method: 'POST',
        headers: headers(credentials, { 'content-type': 'application/json', 'idempotency-key': message.id }),
        body: JSON.stringify(message),
        signal: context.signal,
      });
      const text = await res.body.text();
      if (res.statusCode === 429)
        return fail({
          kind: 'rate_limited',
          message: `HTTP 429 from ${where}`,
          retryAfterSeconds: retryAfter(res.headers['retry-after']),
        });
      if (res.statusCode >= 500)
        return fail({ kind: 'provider_down', message: `HTTP ${res.statusCode} from ${where}` });
      if (res.statusCode === 401 || res.statusCode === 403)
        return fail({ kind: 'auth_expired', message: `HTTP ${res.statusCode}: the endpoint refused our token` });
      if (res.statusCode >= 400)
        return fail({
          kind: 'rejected',
          message: `HTTP ${res.statusCode} from ${where}: ${clean(text).slice(0, 200)}`,
        });
      const answer = Answer.safeParse(safeJson(text));
      return ok({ providerMessageId: answer.success ? answer.data.id : message.id });
    } catch {
      // Refused, reset, timed out, unknown name or an invalid URL: one answer for all of them.
      return fail({ kind: 'provider_down', message: `cannot reach the host (${hostOf(credentials.url)})` });
    }
  },
  async lookup(messageId, credentials, context) {
    try {
      const res = await request(lookupUrl(credentials.url, messageId), {
        method: 'GET',
        headers: headers(credentials, {}),
        signal: context.signal,
      });
      const text = await res.body.text();
      if (res.statusCode === 404) return { found: false };
      const answer = Answer.safeParse(safeJson(text));
      if (res.statusCode === 200 && answer.success)
        return { found: true, value: { providerMessageId: answer.data.id } };
      return { unsupported: true };
    } catch {
      return { unsupported: true };
    }
  },
};

function headers(credentials: HttpCredentials, extra: Record<string, string>): Record<string, string> {
  if (credentials.token) return { ...extra, authorization: `Bearer ${credentials.token}` };
  const url = new URL(credentials.url);
  if (!url.username && !url.password) return extra;
  const basic = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { ...extra, authorization: `Basic ${Buffer.from(basic).toString('base64')}` };
}

/** The URL to call: without its user info (sent as a header instead). */
function endpoint(raw: string): string {
  const url = new URL(raw);
  url.username = '';
  url.password = '';
  return url.toString();
}

/** {url}/{key}, the key appended to the path (the query, if any, kept). */
function lookupUrl(raw: string, messageId: string): string {
  const url = new URL(endpoint(raw));
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(messageId)}`;
  return url.toString();
}

function hostOf(raw: string): string {
  try {
    return new URL(raw).hostname;
  } catch {
    return 'invalid URL';
  }
}

function retryAfter(value: string | string[] | undefined): number | undefined {
  const seconds = Number(Array.isArray(value) ? value[0] : value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
