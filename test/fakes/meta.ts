// A local fake of the WhatsApp Business Cloud API (Meta Graph API), written from Meta's docs as
// gathered in PROVIDERS.md:
//   send:      developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
//              POST /{version}/{phone-number-id}/messages, Bearer token, text or template payloads,
//              → {messaging_product, contacts:[{input, wa_id}], messages:[{id, message_status}]}
//   errors:    developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
//              {"error":{message, type, code, error_data:{messaging_product, details}, fbtrace_id}}
//              131047 outside the window, 132001 template missing/unapproved (404), 132000 parameter
//              count, 132015/132016 paused/disabled, 130429 throughput, 131056 pair rate, 190 token,
//              131049 per-user marketing cap (◐: scripted through `failNext`, as the rates are)
//   templates: GET /{version}/{waba-id}/message_templates → {data:[{name, language, category, status,
//              components}], paging}
//   webhooks:  developers.facebook.com/docs/graph-api/webhooks/getting-started —
//              X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>
// It checks what we send: the shape, the token, that a template exists in the language and is
// APPROVED, its parameter count, and the 24-hour rule (free text only within 24 h of the person's
// last message, which `inbound()` records). Opt-in is the business's duty and Meta cannot see it:
// the fake does not check it (neither does Meta). Shortcuts: no media, no interactive messages.
import { applyFault, FaultPlan } from './faults.ts';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeMetaTemplate = {
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  status: 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED';
  body: string;
};

export type FakeMetaMessage = { id: string; phoneNumberId: string; to: string; body: Record<string, unknown> };

const WINDOW_MS = 24 * 3600 * 1000;

export class FakeMeta {
  url = '';
  readonly accessToken = `EAAG${randomBytes(12).toString('hex')}`;
  readonly phoneNumberId = '106540352242922';
  readonly wabaId = '102290129340398';
  readonly appSecret = 'fake-meta-app-secret';
  readonly version = 'v21.0';
  readonly messages: FakeMetaMessage[] = [];
  readonly templates: FakeMetaTemplate[] = [];
  /** Answer the next sends with these Graph error codes (one per send). */
  readonly failNext: number[] = [];
  /** Faults injected into sends (R-provider), keyed by the `to` number. */
  faults = new FaultPlan();
  /** The person's last inbound message time, by wa_id (opens the 24-hour window). */
  private readonly lastInbound = new Map<string, number>();
  /** Accept a message, then answer this many ms late (a slow network after Meta took it). */
  answerDelayMs = 0;
  /** The fake's clock for the window rule (tests move it with their own clock). */
  now: () => Date = () => new Date();
  private readonly server = createServer((req, res) => void this.handle(req, res));

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address: AddressInfo | string | null = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('fake Meta has no TCP address');
    this.url = `http://127.0.0.1:${address.port}`;
    return this;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The person wrote to the business (their message opens the window); returns the webhook body. */
  inbound(input: { from: string; text: string; id?: string; at?: Date; name?: string }): string {
    const at = input.at ?? this.now();
    this.lastInbound.set(input.from, at.getTime());
    return JSON.stringify(
      this.envelope({
        contacts: [{ profile: { name: input.name ?? 'Ana' }, wa_id: input.from }],
        messages: [
          {
            from: input.from,
            id: input.id ?? `wamid.${randomBytes(10).toString('hex')}`,
            timestamp: String(Math.floor(at.getTime() / 1000)),
            type: 'text',
            text: { body: input.text },
          },
        ],
      }),
    );
  }

  /** A status webhook body for one of our messages. */
  status(input: {
    id: string;
    status: 'sent' | 'delivered' | 'read' | 'failed';
    to: string;
    at?: Date;
    code?: number;
  }) {
    const at = input.at ?? this.now();
    return JSON.stringify(
      this.envelope({
        statuses: [
          {
            id: input.id,
            status: input.status,
            timestamp: String(Math.floor(at.getTime() / 1000)),
            recipient_id: input.to,
            ...(input.status === 'failed'
              ? {
                  errors: [
                    {
                      code: input.code ?? 131026,
                      title: 'Message undeliverable',
                      message: 'Message undeliverable',
                      error_data: { details: 'Message Undeliverable.' },
                    },
                  ],
                }
              : {
                  pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' },
                }),
          },
        ],
      }),
    );
  }

  /** Signs a body the way Meta does. */
  sign(body: string, secret = this.appSecret): Record<string, string> {
    return { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(secret, body) };
  }

  private envelope(value: Record<string, unknown>) {
    return {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: this.wabaId,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550783881', phone_number_id: this.phoneNumberId },
                ...value,
              },
            },
          ],
        },
      ],
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    if (req.headers.authorization !== `Bearer ${this.accessToken}`)
      return graphError(res, 401, 190, 'Error validating access token: Session has expired.', 'OAuthException');
    const path = new URL(req.url ?? '/', this.url).pathname.split('/').filter(Boolean);
    if (path[0] !== this.version) return graphError(res, 400, 2500, `Unknown version ${path[0] ?? ''}`);
    if (req.method === 'GET' && path[1] === this.wabaId && path[2] === 'message_templates')
      return json(res, 200, {
        data: this.templates.map((t) => ({
          name: t.name,
          language: t.language,
          category: t.category,
          status: t.status,
          id: `tmpl_${t.name}_${t.language}`,
          components: [{ type: 'BODY', text: t.body }],
        })),
        paging: { cursors: { before: 'MAA', after: 'MAA' } },
      });
    if (req.method !== 'POST' || path[2] !== 'messages')
      return graphError(res, 400, 100, 'Unsupported request - method type: ' + (req.method ?? ''));
    if (path[1] !== this.phoneNumberId)
      return graphError(res, 400, 100, `Unsupported post request. Object with ID '${path[1] ?? ''}' does not exist`);
    const faultKey = String(parseObject(text)?.to ?? '');
    const faulted = applyFault(this.faults.take(faultKey), res, (status, headers) =>
      writeFault(res, status, headers, {
        error:
          status === 429
            ? { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429 }
            : { message: '(#131000) Something went wrong', type: 'OAuthException', code: 131000 },
      }),
    );
    if (faulted === 'answered') return;
    const scripted = this.failNext.shift();
    if (scripted !== undefined) return scriptedError(res, scripted);
    const body = parseObject(text);
    if (!body) return graphError(res, 400, 100, 'Invalid parameter: body is not JSON');
    const refused = this.refusal(body);
    if (refused) return graphError(res, refused.status, refused.code, refused.message);
    const to = String(body.to);
    const id = `wamid.${Buffer.from(`${to}:${randomBytes(8).toString('hex')}`).toString('base64')}`;
    this.messages.push({ id, phoneNumberId: path[1], to, body });
    if (this.answerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.answerDelayMs));
    json(res, 200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: to, wa_id: to }],
      messages: [{ id, message_status: 'accepted' }],
    });
  }

  private refusal(body: Record<string, unknown>): { status: number; code: number; message: string } | undefined {
    if (body.messaging_product !== 'whatsapp')
      return { status: 400, code: 100, message: '(#100) The parameter messaging_product is required.' };
    if (typeof body.to !== 'string' || !/^\d{7,15}$/.test(body.to))
      return { status: 400, code: 100, message: '(#100) Invalid parameter: to (digits with country code)' };
    if (body.type === 'text') {
      const t = body.text as { body?: unknown } | undefined;
      if (typeof t?.body !== 'string' || t.body.length === 0 || t.body.length > 4096)
        return { status: 400, code: 100, message: '(#100) Invalid parameter: text.body' };
      const last = this.lastInbound.get(body.to);
      if (last === undefined || this.now().getTime() - last > WINDOW_MS)
        return { status: 400, code: 131047, message: '(#131047) Re-engagement message' };
      return undefined;
    }
    if (body.type !== 'template') return { status: 400, code: 100, message: '(#100) Invalid parameter: type' };
    return this.templateRefusal(body.template);
  }

  private templateRefusal(raw: unknown): { status: number; code: number; message: string } | undefined {
    const t = raw as
      | { name?: unknown; language?: { code?: unknown }; components?: { type?: string; parameters?: unknown[] }[] }
      | undefined;
    if (typeof t?.name !== 'string' || typeof t.language?.code !== 'string')
      return { status: 400, code: 100, message: '(#100) Invalid parameter: template name and language.code' };
    const found = this.templates.find((x) => x.name === t.name && x.language === t.language?.code);
    if (!found || found.status === 'PENDING' || found.status === 'REJECTED')
      return { status: 404, code: 132001, message: '(#132001) Template name does not exist in the translation' };
    if (found.status === 'PAUSED') return { status: 400, code: 132015, message: '(#132015) Template is Paused' };
    if (found.status === 'DISABLED') return { status: 400, code: 132016, message: '(#132016) Template is disabled' };
    const expected = (found.body.match(/\{\{[^}]+\}\}/g) ?? []).length;
    const body = (t.components ?? []).find((c) => c.type === 'body');
    const params = (body?.parameters ?? []) as { type?: string; text?: unknown; parameter_name?: unknown }[];
    if (params.length !== expected)
      return { status: 400, code: 132000, message: '(#132000) Number of parameters does not match' };
    // Named variables ({{first_name}}) each need their `parameter_name`; positional ones go in order.
    const named = [...found.body.matchAll(/\{\{\s*([^{}\s]+)\s*\}\}/g)]
      .map((m) => m[1] ?? '')
      .filter((v) => !/^\d+$/.test(v));
    if (
      named.length > 0 &&
      !params.every((p) => typeof p.parameter_name === 'string' && named.includes(p.parameter_name))
    )
      return { status: 400, code: 132000, message: '(#132000) Parameter name is missing or invalid' };
    for (const p of params) {
      // Meta refuses newlines, tabs and more than four consecutive spaces in a parameter.
      if (p.type !== 'text' || typeof p.text !== 'string' || /[\n\t]| {5,}/.test(p.text))
        return { status: 400, code: 132018, message: '(#132018) There was an issue with the parameters' };
    }
    return undefined;
  }
}

const SCRIPTED: Record<number, { status: number; message: string }> = {
  130429: { status: 400, message: '(#130429) Rate limit hit' },
  131056: { status: 400, message: '(#131056) (Business Account, Consumer Account) pair rate limit hit' },
  131048: { status: 400, message: '(#131048) Spam rate limit hit' },
  131049: {
    status: 400,
    message: '(#131049) This message was not delivered to maintain healthy ecosystem engagement.',
  },
  131026: { status: 400, message: '(#131026) Message Undeliverable' },
  131047: { status: 400, message: '(#131047) Re-engagement message' },
  132001: { status: 404, message: '(#132001) Template name does not exist in the translation' },
  190: { status: 401, message: 'Error validating access token' },
  500: { status: 500, message: 'An unknown error has occurred.' },
};

function scriptedError(res: ServerResponse, code: number): void {
  const known = SCRIPTED[code] ?? { status: 400, message: `(#${code}) error` };
  graphError(res, known.status, code === 500 ? 1 : code, known.message);
}

/** `sha256=<hex HMAC-SHA256(secret, body)>`, Meta's X-Hub-Signature-256. */
export function signMeta(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function graphError(res: ServerResponse, status: number, code: number, message: string, type = 'OAuthException') {
  json(res, status, {
    error: {
      message,
      type,
      code,
      error_data: { messaging_product: 'whatsapp', details: message },
      fbtrace_id: `A${randomBytes(6).toString('hex')}`,
    },
  });
}

function writeFault(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
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
