// A local fake of the Resend API and of its Svix webhook signing, written from Resend's docs:
//   send:        resend.com/docs/api-reference/emails/send-email (POST /emails, Bearer re_…, → {id})
//   idempotency: resend.com/docs/dashboard/emails/idempotency-keys (same key within 24 h → same
//                answer, nothing sent; same key with another body → 409 invalid_idempotent_request)
//   errors:      resend.com/docs/api-reference/errors ({statusCode, name, message}; 401
//                missing_api_key, 403 invalid_api_key, 422 missing_required_field, 429 rate_limit_exceeded)
//   webhooks:    docs.svix.com/receiving/verifying-payloads/how-manual (svix-id, svix-timestamp,
//                svix-signature "v1,<base64 HMAC-SHA256(id.timestamp.body)>")
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeResendEmail = { id: string; idempotencyKey?: string; body: Record<string, unknown> };

export class FakeResend {
  url = '';
  readonly apiKey = 're_test_123456789';
  readonly emails: FakeResendEmail[] = [];
  /** Answer the next POST /emails with 429 (rate_limit_exceeded or a quota name). */
  readonly rateLimitNext: ('rate_limit_exceeded' | 'daily_quota_exceeded')[] = [];
  private readonly keys = new Map<string, { hash: string; id: string }>();
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
    const path = new URL(req.url ?? '/', this.url).pathname;
    if (req.method === 'GET' && path.startsWith('/emails/')) {
      const email = this.emails.find((e) => e.id === path.slice('/emails/'.length));
      if (!email) return error(res, 404, 'not_found', 'Email not found');
      return json(res, 200, { object: 'email', id: email.id, ...email.body, last_event: 'sent' });
    }
    if (req.method !== 'POST' || path !== '/emails') return error(res, 405, 'method_not_allowed', 'Method not allowed');
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
      const seen = this.keys.get(key);
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
    this.emails.push({ id, idempotencyKey: key, body });
    if (key !== undefined) this.keys.set(key, { hash, id });
    json(res, 200, { id });
  }
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
