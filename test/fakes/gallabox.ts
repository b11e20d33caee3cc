// A local fake of Gallabox's developer API (a WhatsApp BSP), written from PROVIDERS.md (Gallabox's
// docs at docs.gallabox.com, marked there ✔/◐/✘):
//   send ✔:      POST /devapi/messages/whatsapp with `apiKey` and `apiSecret` headers (a Bearer
//                header gets 401 ◐), {channelId, channelType:"whatsapp", recipient:{name, phone},
//                whatsapp:{type:"text", text:{body}} | {type:"template", template:{templateName,
//                bodyValues:{<variable>: value}}}}; phone digits with the country code, no `+` ◐
//   answer ✘:    undocumented; clients read `id` or `messageId`: the fake answers either (`idField`)
//   templates ✔: GET /devapi/accounts/{accountId}/whatsappTemplates → [{name, language, category,
//                status, components[]}]
//   webhooks ◐:  event name in `x-event-name` (Message.received, Message.WA.status.received,
//                Message.WA.status.failed); body {id, conversationId, contactId, accountId,
//                channelId, contact:{id, name, phone:[…]}, whatsapp:{from, type, text:{body}, status,
//                time}}; signature `x-gallabox-signature` = HMAC-SHA256(secret, raw body), hex or
//                base64 (`signatureEncoding`), or a shared secret in a custom header (`sharedHeader`).
// Like Meta behind it, the fake refuses free text outside the 24-hour window, templates that are
// missing or not approved, and template values with newlines, tabs or runs of spaces (132018).
// Shortcut: error bodies are {message} (their shape is ✘).
import { applyFault, FaultPlan } from './faults.ts';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeGallaboxTemplate = { name: string; language: string; category: string; status: string; body: string };
export type FakeGallaboxMessage = { id: string; body: Record<string, unknown> };

const WINDOW_MS = 24 * 3600 * 1000;

export class FakeGallabox {
  url = '';
  readonly apiKey = `gbk_${randomBytes(8).toString('hex')}`;
  readonly apiSecret = `gbs_${randomBytes(8).toString('hex')}`;
  readonly channelId = '64f1c0de0123456789abcdef';
  readonly accountId = '64f1c0de0123456789a0000a';
  readonly webhookSecret = 'fake-gallabox-webhook-secret';
  readonly messages: FakeGallaboxMessage[] = [];
  readonly templates: FakeGallaboxTemplate[] = [];
  /** Which field the send answer names the message by (undocumented: clients read either). */
  idField: 'id' | 'messageId' = 'id';
  /** Answer the next sends with these HTTP statuses (and a message). */
  readonly failNext: { status: number; message: string }[] = [];
  /** Faults injected into sends (R-provider), keyed by the recipient's phone. */
  faults = new FaultPlan();
  private readonly lastInbound = new Map<string, number>();
  now: () => Date = () => new Date();
  private readonly server = createServer((req, res) => void this.handle(req, res));

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address: AddressInfo | string | null = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('fake Gallabox has no TCP address');
    this.url = `http://127.0.0.1:${address.port}`;
    return this;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** The person wrote (opens the window); returns the Message.received body. */
  inbound(input: { from: string; text: string; id?: string; at?: Date }): string {
    const at = input.at ?? this.now();
    this.lastInbound.set(input.from, at.getTime());
    return JSON.stringify({
      id: input.id ?? randomBytes(12).toString('hex'),
      conversationId: randomBytes(12).toString('hex'),
      contactId: randomBytes(12).toString('hex'),
      accountId: this.accountId,
      channelId: this.channelId,
      contact: { id: randomBytes(12).toString('hex'), name: 'Ana', phone: [input.from] },
      whatsapp: { from: input.from, type: 'text', text: { body: input.text }, time: at.toISOString() },
    });
  }

  /** A status body for one of our messages. */
  status(input: {
    id: string;
    status: 'sent' | 'delivered' | 'read' | 'failed';
    to: string;
    at?: Date;
    reason?: string;
  }) {
    return JSON.stringify({
      id: randomBytes(12).toString('hex'),
      messageId: input.id,
      accountId: this.accountId,
      channelId: this.channelId,
      contact: { name: 'Ana', phone: [input.to] },
      whatsapp: {
        status: input.status,
        time: (input.at ?? this.now()).toISOString(),
        ...(input.reason ? { failureReason: input.reason } : {}),
      },
    });
  }

  /** The headers Gallabox sends with a webhook. */
  sign(
    body: string,
    options: { event?: string; encoding?: 'hex' | 'base64'; shared?: boolean; secret?: string } = {},
  ): Record<string, string> {
    const secret = options.secret ?? this.webhookSecret;
    const auth: Record<string, string> = options.shared
      ? { 'x-webhook-secret': secret }
      : {
          'x-gallabox-signature': createHmac('sha256', secret)
            .update(body)
            .digest(options.encoding ?? 'hex'),
        };
    return { 'content-type': 'application/json', 'x-event-name': options.event ?? 'Message.received', ...auth };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    if (req.headers.apikey !== this.apiKey || req.headers.apisecret !== this.apiSecret)
      return json(res, 401, { message: 'Unauthorized' });
    const path = new URL(req.url ?? '/', this.url).pathname;
    if (req.method === 'GET' && path === `/devapi/accounts/${this.accountId}/whatsappTemplates`)
      return json(
        res,
        200,
        this.templates.map((t) => ({
          name: t.name,
          language: t.language,
          category: t.category,
          status: t.status,
          components: [{ type: 'BODY', text: t.body }],
        })),
      );
    if (req.method !== 'POST' || path !== '/devapi/messages/whatsapp') return json(res, 404, { message: 'Not Found' });
    const recipient = parseObject(text)?.recipient as { phone?: unknown } | undefined;
    const faulted = applyFault(this.faults.take(String(recipient?.phone ?? '')), res, (status, headers) =>
      writeFault(res, status, headers, { message: status === 429 ? 'Too many requests' : 'Internal server error' }),
    );
    if (faulted === 'answered') return;
    const scripted = this.failNext.shift();
    if (scripted) return json(res, scripted.status, { message: scripted.message });
    const body = parseObject(text);
    const refused = body ? this.refusal(body) : 'body is not JSON';
    if (refused || !body) return json(res, 400, { message: refused ?? 'invalid' });
    const id = randomBytes(12).toString('hex');
    this.messages.push({ id, body });
    json(res, 202, { [this.idField]: id, status: 'ACCEPTED' });
  }

  private refusal(body: Record<string, unknown>): string | undefined {
    if (body.channelId !== this.channelId) return 'channelId is not a channel of this account';
    if (body.channelType !== 'whatsapp') return 'channelType must be whatsapp';
    const recipient = body.recipient as { phone?: unknown } | undefined;
    const phone = recipient?.phone;
    if (typeof phone !== 'string' || !/^\d{7,15}$/.test(phone))
      return 'recipient.phone must be digits with country code';
    const wa = body.whatsapp as { type?: unknown; text?: { body?: unknown }; template?: Record<string, unknown> };
    if (wa?.type === 'text') {
      if (typeof wa.text?.body !== 'string' || wa.text.body === '') return 'whatsapp.text.body is required';
      const last = this.lastInbound.get(phone);
      if (last === undefined || this.now().getTime() - last > WINDOW_MS)
        return 'Message failed: (#131047) Re-engagement message: more than 24 hours since the customer last replied';
      return undefined;
    }
    if (wa?.type !== 'template') return 'whatsapp.type must be text or template';
    const name = wa.template?.templateName;
    const found = this.templates.find((t) => t.name === name);
    if (!found || found.status !== 'APPROVED') return `Template ${String(name)} not found or not approved`;
    const values = (wa.template?.bodyValues ?? {}) as Record<string, unknown>;
    const expected = [...found.body.matchAll(/\{\{\s*([^{}\s]+)\s*\}\}/g)].map((m) => m[1] ?? '');
    for (const variable of expected) {
      const value = values[variable];
      if (typeof value !== 'string') return `Template ${found.name}: bodyValues.${variable} is required`;
      // Meta, behind Gallabox, refuses newlines, tabs and more than four consecutive spaces in a parameter.
      if (/[\n\t]| {5,}/.test(value)) return '(#132018) There was an issue with the parameters';
    }
    return undefined;
  }
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
