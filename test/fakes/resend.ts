// A local fake of the Resend API and of its Svix webhook signing, written from Resend's docs:
//   send:        resend.com/docs/api-reference/emails/send-email (POST /emails, Bearer re_…, → {id})
//   idempotency: resend.com/docs/dashboard/emails/idempotency-keys (same key within 24 h → same
//                answer, nothing sent; same key with another body → 409 invalid_idempotent_request)
//   errors:      resend.com/docs/api-reference/errors ({statusCode, name, message}; 401
//                missing_api_key, 403 invalid_api_key, 422 missing_required_field, 429 rate_limit_exceeded)
//   list, get:   resend.com/docs/api-reference/emails/list-emails (GET /emails → {object:"list",
//                has_more, data:[{id, message_id, to, from, subject, created_at, last_event}]}; the
//                SDK's ListEmail type, resend-node src/emails/interfaces)
//   webhooks:    docs.svix.com/receiving/verifying-payloads/how-manual (svix-id, svix-timestamp,
//                svix-signature "v1,<base64 HMAC-SHA256(id.timestamp.body)>"); payloads as the
//                SDK's WebhookEventPayload types (data.email_id, data.message_id, data.bounce
//                {message, subType, type}, data.failed.reason, data.suppressed {message, type}) and
//                resend.com/docs/webhooks/emails/bounced ("permanently rejected")
// As the real service does: idempotency keys expire after 24 hours (a later send with the same key
// is a new email); the same key with another body is 409 invalid_idempotent_request; a key whose
// first request is still running is 409 concurrent_idempotent_requests (concurrentNext); bounce
// payloads may come without `bounce.type` (eventFor's `untyped`). Its clock is `now`.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { applyFault, FaultPlan } from './faults.ts';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeResendEmail = {
  id: string;
  idempotencyKey?: string;
  body: Record<string, unknown>;
  /** The Message-ID Resend sent it with: ours from `headers`, else one of its own. */
  messageId: string;
  createdAt: Date;
};

const KEY_TTL_MS = 24 * 60 * 60 * 1000;

export class FakeResend {
  url = '';
  readonly apiKey = 're_test_123456789';
  readonly emails: FakeResendEmail[] = [];
  /** Answer the next POST /emails with 429 (rate_limit_exceeded or a quota name). */
  readonly rateLimitNext: ('rate_limit_exceeded' | 'daily_quota_exceeded')[] = [];
  /** Answer the next POST /emails with 409 concurrent_idempotent_requests (its first request still running). */
  concurrentNext = 0;
  /** Faults injected into sends (R-provider), keyed by the Idempotency-Key. */
  faults = new FaultPlan();
  /** Resend's clock: idempotency keys live 24 hours from their first use. */
  now = new Date('2026-03-02T09:00:00Z');
  private readonly keys = new Map<string, { hash: string; id: string; at: number }>();
  private readonly server = createServer((req, res) => void this.handle(req, res));

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address: AddressInfo | string | null = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('fake Resend has no TCP address');
    this.url = `http://127.0.0.1:${address.port}`;
    return this;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const auth = req.headers.authorization;
    if (!auth) return error(res, 401, 'missing_api_key', 'Missing API key in the authorization header.');
    if (auth !== `Bearer ${this.apiKey}`) return error(res, 403, 'invalid_api_key', 'API key is invalid');
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname;
    if (req.method === 'GET' && path === '/emails') return this.list(url.searchParams, res);
    if (req.method === 'GET' && path.startsWith('/emails/')) {
      const email = this.emails.find((e) => e.id === path.slice('/emails/'.length));
      if (!email) return error(res, 404, 'not_found', 'Email not found');
      return json(res, 200, { object: 'email', ...summary(email), html: email.body.html ?? null });
    }
    if (req.method !== 'POST' || path !== '/emails') return error(res, 405, 'method_not_allowed', 'Method not allowed');
    const faulted = applyFault(this.faults.take(header(req, 'idempotency-key') ?? ''), res, (status, headers) =>
      status === 429
        ? error(res, 429, 'rate_limit_exceeded', 'Too many requests.', headers)
        : error(res, status, 'internal_server_error', 'An unexpected error occurred.', headers),
    );
    if (faulted === 'answered') return;
    const limit = this.rateLimitNext.shift();
    if (limit)
      return error(res, 429, limit, 'Too many requests. You can only make 2 requests per second.', {
        'retry-after': '1',
      });
    const body = parseObject(text);
    if (!body) return error(res, 422, 'validation_error', 'Invalid JSON body');
    for (const field of ['from', 'to', 'subject']) {
      if (body[field] === undefined) return error(res, 422, 'missing_required_field', `Missing \`${field}\` field.`);
    }
    const key = header(req, 'idempotency-key');
    const hash = createHash('sha256').update(text).digest('hex');
    if (key !== undefined) {
      if (key.length < 1 || key.length > 256)
        return error(res, 400, 'invalid_idempotency_key', 'The key must be between 1-256 chars.');
      if (this.concurrentNext > 0) {
        this.concurrentNext -= 1;
        return error(
          res,
          409,
          'concurrent_idempotent_requests',
          'Same idempotency key used while original request is still in progress.',
        );
      }
      const known = this.keys.get(key);
      const seen = known && this.now.getTime() - known.at < KEY_TTL_MS ? known : undefined;
      if (seen && seen.hash !== hash)
        return error(
          res,
          409,
          'invalid_idempotent_request',
          'Same idempotency key used with a different request payload.',
        );
      if (seen) return json(res, 200, { id: seen.id });
    }
    const id = randomUUID();
    const headers = body.headers;
    const ours =
      typeof headers === 'object' && headers !== null
        ? Object.entries(headers).find(([name]) => name.toLowerCase() === 'message-id')?.[1]
        : undefined;
    const messageId = typeof ours === 'string' ? ours : `<${id}@email.amazonses.com>`;
    this.emails.push({ id, idempotencyKey: key, body, messageId, createdAt: new Date(this.now.getTime()) });
    if (key !== undefined) this.keys.set(key, { hash, id, at: this.now.getTime() });
    json(res, 200, { id });
  }

  private list(params: URLSearchParams, res: ServerResponse): void {
    const limit = Math.min(Math.max(Number(params.get('limit') ?? 20), 1), 100);
    const newest = [...this.emails].reverse();
    const after = params.get('after');
    const start = after ? newest.findIndex((e) => e.id === after) + 1 : 0;
    const page = newest.slice(start, start + limit);
    json(res, 200, { object: 'list', has_more: start + limit < newest.length, data: page.map(summary) });
  }

  /** A webhook body about one of its emails, as Resend sends it (`untyped`: a bounce without bounce.type). */
  eventFor(
    type: string,
    emailId: string,
    options: { untyped?: boolean; bounceType?: string; message?: string; at?: Date } = {},
  ): string {
    const email = this.emails.find((e) => e.id === emailId);
    const at = (options.at ?? this.now).toISOString();
    const data: Record<string, unknown> = {
      created_at: (email?.createdAt ?? this.now).toISOString(),
      email_id: emailId,
      message_id: email?.messageId ?? `<${emailId}@email.amazonses.com>`,
      from: email?.body.from ?? 'sam@acme.example',
      to: email?.body.to ?? ['dana@globex.example'],
      subject: email?.body.subject ?? '',
    };
    if (type === 'email.bounced')
      data.bounce = {
        message: options.message ?? "550 5.1.1 The email account that you tried to reach doesn't exist.",
        subType: 'General',
        ...(options.untyped ? {} : { type: options.bounceType ?? 'Permanent' }),
      };
    if (type === 'email.failed') data.failed = { reason: options.message ?? 'reached_daily_quota' };
    if (type === 'email.suppressed')
      data.suppressed = {
        message: options.message ?? 'The recipient is on the suppression list because of earlier bounces.',
        type: 'OnAccountSuppressionList',
      };
    return JSON.stringify({ type, created_at: at, data });
  }
}

function summary(email: FakeResendEmail) {
  return {
    id: email.id,
    message_id: email.messageId,
    to: email.body.to,
    from: email.body.from,
    subject: email.body.subject,
    created_at: email.createdAt.toISOString(),
    last_event: 'sent',
    cc: null,
    bcc: null,
    reply_to: null,
    scheduled_at: null,
  };
}

/** Signs a webhook body the way Svix does for Resend; extra secrets add rotation signatures. */
export function signSvix(input: {
  secrets: string[];
  id: string;
  timestamp: number;
  body: string;
}): Record<string, string> {
  const signatures = input.secrets.map((secret) => {
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    return `v1,${createHmac('sha256', key).update(`${input.id}.${input.timestamp}.${input.body}`).digest('base64')}`;
  });
  return { 'svix-id': input.id, 'svix-timestamp': String(input.timestamp), 'svix-signature': signatures.join(' ') };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function error(
  res: ServerResponse,
  statusCode: number,
  name: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  json(res, statusCode, { statusCode, name, message }, headers);
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value))
      : undefined;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
