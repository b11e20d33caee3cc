// The HTTP channel: delivers each message as JSON to an endpoint of your own (a CRM, a dialer, a
// custom SMS gateway) with an Idempotency-Key, so a retry after a crash never delivers twice.
//   POST {url}             body: the message      → 2xx {"id"}   (same key again → same answer)
//   GET  {url}/{key}                              → 200 {"id"} | 404
// Bearer token optional. 429/5xx are retryable, other 4xx reject the message.
import { request } from 'undici';
import { z } from 'zod';
import { CHANNELS } from '../../core/channels.ts';
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
    try {
      const res = await request(credentials.url, {
        method: 'POST',
        headers: headers(credentials, { 'content-type': 'application/json', 'idempotency-key': message.id }),
        body: JSON.stringify(message),
        signal: context.signal,
      });
      const text = await res.body.text();
      if (res.statusCode === 429)
        return fail({
          kind: 'rate_limited',
          message: `HTTP 429 from ${credentials.url}`,
          retryAfterSeconds: retryAfter(res.headers['retry-after']),
        });
      if (res.statusCode >= 500)
        return fail({ kind: 'provider_down', message: `HTTP ${res.statusCode} from ${credentials.url}` });
      if (res.statusCode === 401 || res.statusCode === 403)
        return fail({ kind: 'auth_expired', message: `HTTP ${res.statusCode}: the endpoint refused our token` });
      if (res.statusCode >= 400)
        return fail({ kind: 'rejected', message: `HTTP ${res.statusCode}: ${text.slice(0, 200)}` });
      const answer = Answer.safeParse(safeJson(text));
      return ok({ providerMessageId: answer.success ? answer.data.id : message.id });
    } catch (error) {
      return fail({
        kind: 'provider_down',
        message: `cannot reach ${credentials.url}: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  },
  async lookup(messageId, credentials, context) {
    try {
      const res = await request(`${credentials.url.replace(/\/+$/, '')}/${encodeURIComponent(messageId)}`, {
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
  return credentials.token ? { ...extra, authorization: `Bearer ${credentials.token}` } : extra;
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
