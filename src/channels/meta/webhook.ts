// Meta's WhatsApp webhooks. The GET handshake answers `hub.challenge` when `hub.verify_token`
// matches the verify token of any Meta account; every POST carries `X-Hub-Signature-256:
// sha256=<hex HMAC-SHA256(app secret, raw body)>` (developers.facebook.com/docs/graph-api/webhooks/
// getting-started). A request names its account by `metadata.phone_number_id`. Meta signs no time
// and sends no delivery id: the delivery is keyed by the body's hash, and each event by the wamid
// (and the status), so a redelivery or a status seen twice changes nothing. Statuses may arrive in
// any order (`read` without `delivered`).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { KeyedEvent } from '../../core/events.ts';
import { e164 } from '../whatsapp/prepare.ts';
import type { HeaderBag, ParsedWebhook, ProviderWebhook, WebhookRequest } from '../types.ts';
import type { MetaCredentials } from './credentials.ts';
import { META_REASONS } from './errors.ts';
import type { MetaSettings } from './settings.ts';

export function verifyMetaSignature(secret: string, rawBody: Buffer | string, header: string | undefined): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function header(headers: HeaderBag, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers))
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  return undefined;
}

const Message = z.object({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: z.string().optional(),
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  button: z.object({ text: z.string() }).optional(),
  interactive: z
    .object({
      button_reply: z.object({ title: z.string() }).optional(),
      list_reply: z.object({ title: z.string() }).optional(),
    })
    .optional(),
});
const Status = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: z.string().optional(),
  recipient_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  errors: z
    .array(z.object({ code: z.number().optional(), title: z.string().optional(), message: z.string().optional() }))
    .optional(),
});
const Payload = z.object({
  object: z.string(),
  entry: z.array(
    z.object({
      id: z.string().optional(),
      changes: z.array(
        z.object({
          field: z.string(),
          value: z
            .object({
              metadata: z.object({ phone_number_id: z.string() }).optional(),
              messages: z.array(Message).optional(),
              statuses: z.array(Status).optional(),
            })
            .passthrough(),
        }),
      ),
    }),
  ),
});
type Payload = z.infer<typeof Payload>;

function at(timestamp: string | undefined): string | undefined {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return undefined;
  return new Date(Number(timestamp) * 1000).toISOString();
}

function textOf(message: z.infer<typeof Message>): string {
  return (
    message.text?.body ??
    message.button?.text ??
    message.interactive?.button_reply?.title ??
    message.interactive?.list_reply?.title ??
    `[${message.type} message]`
  );
}

function statusEvent(status: z.infer<typeof Status>): KeyedEvent | undefined {
  const ref = {
    providerMessageId: status.id,
    channel: 'whatsapp' as const,
    ...(status.biz_opaque_callback_data ? { messageId: status.biz_opaque_callback_data } : {}),
  };
  const base = { ref, via: 'meta', ...(at(status.timestamp) ? { at: at(status.timestamp) } : {}) };
  const key = `meta:${status.id}:${status.status}`;
  switch (status.status) {
    case 'delivered':
      return { key, event: { type: 'delivered', ...base } };
    case 'read':
      return { key, event: { type: 'read', ...base } };
    case 'failed': {
      const error = status.errors?.[0];
      const reason =
        (error?.code !== undefined ? META_REASONS[error.code] : undefined) ??
        error?.message ??
        error?.title ??
        'failed at Meta';
      return {
        key,
        event: { type: 'failed', ...base, reason, ...(error?.code !== undefined ? { code: String(error.code) } : {}) },
      };
    }
    default:
      // `sent` (and any newer status) changes nothing we keep.
      return undefined;
  }
}

function eventsOf(payload: Payload): KeyedEvent[] {
  const events: KeyedEvent[] = [];
  for (const entry of payload.entry)
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue;
      for (const message of change.value.messages ?? [])
        events.push({
          key: `meta:${message.id}`,
          event: {
            type: 'replied',
            text: textOf(message),
            ref: { from: { phone: e164(message.from) }, channel: 'whatsapp' },
            via: 'meta',
            ...(at(message.timestamp) ? { at: at(message.timestamp) } : {}),
          },
        });
      for (const status of change.value.statuses ?? []) {
        const event = statusEvent(status);
        if (event) events.push(event);
      }
    }
  return events;
}

function parseBody(request: WebhookRequest): unknown {
  try {
    return JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function parseMetaWebhook(request: WebhookRequest): ParsedWebhook {
  const body = parseBody(request);
  if (body === undefined) return { kind: 'invalid', reason: 'webhook body is not JSON' };
  const parsed = Payload.safeParse(body);
  if (!parsed.success) return { kind: 'invalid', reason: 'not a WhatsApp Business Account webhook' };
  if (parsed.data.object !== 'whatsapp_business_account')
    return { kind: 'ignored', reason: `not a WhatsApp event: ${parsed.data.object}` };
  const fields = parsed.data.entry.flatMap((e) => e.changes.map((c) => c.field));
  if (!fields.includes('messages')) return { kind: 'ignored', reason: `fields ${fields.join(', ') || 'none'}` };
  const deliveryId = `meta:${createHash('sha256').update(request.rawBody).digest('hex')}`;
  return { kind: 'events', deliveryId, events: eventsOf(parsed.data) };
}

export const metaWebhook: ProviderWebhook<MetaCredentials, MetaSettings> = {
  verify(request, secrets) {
    const secret = secrets.credentials?.appSecret;
    if (!secret) return { ok: false, reason: 'no app secret', unconfigured: true };
    const signature = header(request.headers, 'x-hub-signature-256');
    if (!signature) return { ok: false, reason: 'missing X-Hub-Signature-256 header' };
    return verifyMetaSignature(secret, request.rawBody, signature)
      ? { ok: true }
      : { ok: false, reason: 'X-Hub-Signature-256 does not match the app secret' };
  },
  accountKey(request) {
    const body = parseBody(request) as {
      entry?: { changes?: { value?: { metadata?: { phone_number_id?: unknown } } }[] }[];
    };
    const id = body?.entry?.[0]?.changes?.[0]?.value?.metadata?.phone_number_id;
    return typeof id === 'string' && id.length > 0 ? id : undefined;
  },
  accountKeyOf: (credentials) => credentials.phoneNumberId,
  parse: (request) => parseMetaWebhook(request),
  handshake(request, accounts) {
    const { query } = request;
    if (query['hub.mode'] !== 'subscribe' || !query['hub.challenge'])
      return { status: 400, body: 'expected hub.mode=subscribe with hub.challenge' };
    const token = query['hub.verify_token'] ?? '';
    const matches = accounts.some((a) => {
      const given = Buffer.from(token);
      const expected = Buffer.from(a.verifyToken);
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    return matches
      ? { status: 200, body: query['hub.challenge'] }
      : { status: 403, body: 'verify token does not match' };
  },
  secretHint: 'register the Meta account with its "appSecret"',
};
