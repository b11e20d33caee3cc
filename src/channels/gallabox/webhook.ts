// Gallabox webhooks. Gallabox's docs leave the signature's encoding and the payload's details
// open (PROVIDERS.md ◐), so every variant seen is accepted: `x-gallabox-signature` = HMAC-SHA256
// (webhook secret, raw body) in hex or base64 (with or without a `sha256=` prefix), or the secret
// itself in the custom header the account names (`webhookSecretHeader`). The event name comes from
// `x-event-name` (or the body's `event`/`eventName`); a request names its account by `channelId`.
// Statuses dedupe on the message id and the status, inbound messages on their id.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { KeyedEvent } from '../../core/events.ts';
import { e164 } from '../whatsapp/prepare.ts';
import type { HeaderBag, ParsedWebhook, ProviderWebhook, WebhookRequest } from '../types.ts';
import type { GallaboxCredentials } from './credentials.ts';

function header(headers: HeaderBag, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers))
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  return undefined;
}

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

export function verifyGallaboxSignature(secret: string, rawBody: Buffer | string, signature: string): boolean {
  const digest = createHmac('sha256', secret).update(rawBody).digest();
  const given = signature.trim().replace(/^sha256=/i, '');
  if (/^[0-9a-f]{64}$/i.test(given) && same(Buffer.from(given, 'hex'), digest)) return true;
  return same(Buffer.from(given, 'base64'), digest);
}

const Payload = z.object({
  id: z.string().optional(),
  messageId: z.string().optional(),
  event: z.string().optional(),
  eventName: z.string().optional(),
  channelId: z.string().optional(),
  contact: z.object({ phone: z.union([z.array(z.string()), z.string()]).optional() }).optional(),
  whatsapp: z
    .object({
      id: z.string().optional(),
      messageId: z.string().optional(),
      from: z.string().optional(),
      type: z.string().optional(),
      text: z.object({ body: z.string() }).optional(),
      status: z.string().optional(),
      time: z.string().optional(),
      failureReason: z.string().optional(),
      error: z.unknown().optional(),
    })
    .optional(),
});
type Payload = z.infer<typeof Payload>;

function parseJson(request: WebhookRequest): unknown {
  try {
    return JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return undefined;
  }
}

function time(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const date = /^\d{9,13}$/.test(value) ? new Date(Number(value) * (value.length > 10 ? 1 : 1000)) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function statusEvent(body: Payload, status: string): KeyedEvent | undefined {
  const id = body.messageId ?? body.whatsapp?.messageId ?? body.whatsapp?.id ?? body.id;
  if (!id) return undefined;
  const at = time(body.whatsapp?.time);
  const base = { ref: { providerMessageId: id, channel: 'whatsapp' as const }, via: 'gallabox', ...(at ? { at } : {}) };
  const key = `gallabox:${id}:${status}`;
  switch (status) {
    case 'delivered':
      return { key, event: { type: 'delivered', ...base } };
    case 'read':
      return { key, event: { type: 'read', ...base } };
    case 'failed': {
      const reason = body.whatsapp?.failureReason ?? 'failed at Gallabox';
      const code = /\b(1[3-9]\d{4})\b/.exec(reason)?.[1];
      return { key, event: { type: 'failed', ...base, reason, ...(code ? { code } : {}) } };
    }
    default:
      return undefined;
  }
}

function inboundEvent(body: Payload): KeyedEvent | undefined {
  const phone =
    body.whatsapp?.from ?? (Array.isArray(body.contact?.phone) ? body.contact.phone[0] : body.contact?.phone);
  const id = body.id ?? body.whatsapp?.id;
  if (!phone || !id) return undefined;
  const at = time(body.whatsapp?.time);
  return {
    key: `gallabox:${id}`,
    event: {
      type: 'replied',
      text: body.whatsapp?.text?.body ?? `[${body.whatsapp?.type ?? 'unknown'} message]`,
      ref: { from: { phone: e164(phone) }, channel: 'whatsapp' },
      via: 'gallabox',
      ...(at ? { at } : {}),
    },
  };
}

export function parseGallaboxWebhook(request: WebhookRequest): ParsedWebhook {
  const json = parseJson(request);
  const parsed = Payload.safeParse(json);
  if (json === undefined || !parsed.success) return { kind: 'invalid', reason: 'webhook body is not a Gallabox event' };
  const body = parsed.data;
  const name = (header(request.headers, 'x-event-name') ?? body.event ?? body.eventName ?? '').toLowerCase();
  const deliveryId = `gallabox:${createHash('sha256').update(request.rawBody).digest('hex')}`;
  const status = body.whatsapp?.status?.toLowerCase();
  const isStatus = name.includes('status') || (name === '' && status !== undefined && !body.whatsapp?.from);
  const isInbound = name === 'message.received' || (name === '' && body.whatsapp?.from !== undefined);
  if (isStatus && status) {
    const event = statusEvent(body, status);
    return { kind: 'events', deliveryId, events: event ? [event] : [] };
  }
  if (isInbound) {
    const event = inboundEvent(body);
    if (!event) return { kind: 'invalid', reason: 'a received message without a sender or an id' };
    return { kind: 'events', deliveryId, events: [event] };
  }
  return { kind: 'ignored', reason: `not a message event: ${name || 'unnamed'}` };
}

export const gallaboxWebhook: ProviderWebhook<GallaboxCredentials, undefined> = {
  verify(request, secrets) {
    const credentials = secrets.credentials;
    const secret = credentials?.webhookSecret;
    if (!credentials || !secret) return { ok: false, reason: 'no webhook secret', unconfigured: true };
    const signature = header(request.headers, 'x-gallabox-signature');
    if (signature)
      return verifyGallaboxSignature(secret, request.rawBody, signature)
        ? { ok: true }
        : { ok: false, reason: 'x-gallabox-signature does not match the webhook secret' };
    const shared = header(request.headers, credentials.webhookSecretHeader);
    if (shared)
      return same(Buffer.from(shared), Buffer.from(secret))
        ? { ok: true }
        : { ok: false, reason: `${credentials.webhookSecretHeader} does not match the webhook secret` };
    return { ok: false, reason: `missing x-gallabox-signature (or ${credentials.webhookSecretHeader}) header` };
  },
  accountKey(request) {
    const body = parseJson(request) as { channelId?: unknown } | undefined;
    return typeof body?.channelId === 'string' && body.channelId.length > 0 ? body.channelId : undefined;
  },
  accountKeyOf: (credentials) => credentials.channelId,
  parse: (request) => parseGallaboxWebhook(request),
  secretHint: 'set the account\'s "webhookSecret" and the same secret in Gallabox\'s webhook settings',
};
