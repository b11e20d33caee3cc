// Resend webhooks (delivered by Svix): signature verification and normalization. Pure: the clock
// is an argument. Verification follows docs.svix.com/receiving/verifying-payloads/how-manual —
// HMAC-SHA256 over `${svix-id}.${svix-timestamp}.${raw body}` keyed with the base64-decoded part of
// the `whsec_…` secret, compared in constant time against each space-separated `v1,<base64>`
// signature (several during key rotation) — decoded bytes equal and the text their canonical
// base64 —, timestamp within 5 minutes either way.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { decodeCanonical } from '../../core/canonicalBase64.ts';
import type { InboundEvent } from '../../core/events.ts';
import type { HeaderBag, ProviderWebhook } from '../types.ts';
import type { ResendCredentials } from './credentials.ts';
import type { ResendSettings } from './settings.ts';
import { parseJsonInput } from '../../core/jsonInput.ts';

export type SvixVerdict = { ok: true; id: string; timestamp: number } | { ok: false; reason: string };

const TOLERANCE_SECONDS = 5 * 60;

export function verifySvix(input: {
  secret: string;
  headers: HeaderBag;
  rawBody: string | Buffer;
  now: Date;
  toleranceSeconds?: number;
}): SvixVerdict {
  const id = header(input.headers, 'svix-id') ?? header(input.headers, 'webhook-id');
  const timestamp = header(input.headers, 'svix-timestamp') ?? header(input.headers, 'webhook-timestamp');
  const signatures = header(input.headers, 'svix-signature') ?? header(input.headers, 'webhook-signature');
  if (!id || !timestamp || !signatures)
    return { ok: false, reason: 'missing svix-id, svix-timestamp or svix-signature header' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'svix-timestamp is not a unix time' };
  const seconds = Number(timestamp);
  const skew = Math.abs(Math.floor(input.now.getTime() / 1000) - seconds);
  if (skew > (input.toleranceSeconds ?? TOLERANCE_SECONDS))
    return { ok: false, reason: `timestamp is ${skew} s away from now` };
  const key = Buffer.from(input.secret.replace(/^whsec_/, ''), 'base64');
  if (key.length === 0) return { ok: false, reason: 'webhook secret is empty' };
  const body = Buffer.isBuffer(input.rawBody) ? input.rawBody : Buffer.from(input.rawBody, 'utf8');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
  for (const entry of signatures.split(' ')) {
    const [version, signature] = entry.split(',', 2);
    if (version !== 'v1' || !signature) continue;
    // Standard base64 with its padding, exactly as Svix writes it: any other spelling of the bytes is refused.
    const given = decodeCanonical(signature, 'base64');
    if (given && given.length === expected.length && timingSafeEqual(given, expected))
      return { ok: true, id, timestamp: seconds };
  }
  return { ok: false, reason: 'no signature matches' };
}

function header(headers: HeaderBag, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

export const RESEND_EVENT_TYPES = {
  'email.sent': 'sent',
  'email.delivered': 'delivered',
  'email.delivery_delayed': 'delivery_delayed',
  'email.opened': 'opened',
  'email.clicked': 'clicked',
  'email.bounced': 'bounced',
  'email.complained': 'complained',
  'email.failed': 'failed',
  'email.suppressed': 'suppressed',
} as const;
export type EmailEventType = (typeof RESEND_EVENT_TYPES)[keyof typeof RESEND_EVENT_TYPES];

export type ResendEmailEvent = {
  /** The svix-id: unique per event, the same on redelivery (the dedupe key). */
  providerEventId: string;
  type: EmailEventType;
  /** Resend's email id (SendSuccess.providerMessageId). */
  providerMessageId: string;
  /** The Message-ID header of the email (`data.message_id`): matches our row even before Resend's id is stored. */
  rfcMessageId?: string;
  /** ISO 8601; absent when `created_at` is not a timestamp (the engine then takes when it learnt of it). */
  occurredAt?: string;
  recipient?: string;
  bounceType?: 'hard' | 'soft';
  bounceMessage?: string;
  /** Why Resend did not send it (email.failed) or why it suppressed the address (email.suppressed). */
  reason?: string;
  url?: string;
  userAgent?: string;
  ip?: string;
};

const Payload = z.object({
  type: z.string(),
  created_at: z.string(),
  data: z.object({
    email_id: z.string().min(1),
    message_id: z.string().nullish(),
    to: z.array(z.string()).optional(),
    failed: z.object({ reason: z.string().optional() }).optional(),
    suppressed: z.object({ message: z.string().optional(), type: z.string().optional() }).optional(),
    bounce: z
      .object({ type: z.string().optional(), subType: z.string().optional(), message: z.string().optional() })
      .optional(),
    click: z
      .object({ link: z.string(), ipAddress: z.string().optional(), userAgent: z.string().optional() })
      .optional(),
  }),
});

/** ISO 8601, or PostgreSQL's text form that Resend also uses ("2024-11-22 23:41:11.894719+00"). */
function parseTimestamp(text: string): Date {
  const iso = text
    .trim()
    .replace(' ', 'T')
    .replace(/([+-]\d{2})$/, '$1:00');
  return new Date(iso);
}

function isKnownType(type: string): type is keyof typeof RESEND_EVENT_TYPES {
  return Object.hasOwn(RESEND_EVENT_TYPES, type);
}

/** A verified body → one normalized event, or why it is not one we act on. */
export function parseResendEvent(
  body: unknown,
  svixId: string,
): { ok: true; event: ResendEmailEvent } | { ok: false; reason: string } {
  const parsed = Payload.safeParse(body);
  if (!parsed.success) return { ok: false, reason: 'not a Resend email event' };
  const { type, created_at: createdAt, data } = parsed.data;
  if (!isKnownType(type)) return { ok: false, reason: `unhandled event type ${type}` };
  const occurredAt = parseTimestamp(createdAt);
  const event: ResendEmailEvent = {
    providerEventId: svixId,
    type: RESEND_EVENT_TYPES[type],
    providerMessageId: data.email_id,
  };
  // Text that is no timestamp would fail where the event is applied (a 500, then a job failing forever).
  if (!Number.isNaN(occurredAt.getTime())) event.occurredAt = occurredAt.toISOString();
  if (data.to?.[0]) event.recipient = data.to[0];
  if (data.message_id) event.rfcMessageId = bracketed(data.message_id);
  if (event.type === 'bounced') {
    // email.bounced is "the recipient's mail server permanently rejected the email": hard unless
    // the payload says it was transient (SES's Transient; `type` may be missing altogether).
    event.bounceType = isTransient(data.bounce?.type) ? 'soft' : 'hard';
    if (data.bounce?.message) event.bounceMessage = data.bounce.message;
  }
  if (event.type === 'failed') event.reason = data.failed?.reason ?? 'Resend could not send the email';
  if (event.type === 'suppressed')
    event.reason = `Resend suppressed the address${data.suppressed?.message ? `: ${data.suppressed.message}` : ''}`;
  if (event.type === 'clicked' && data.click) {
    event.url = data.click.link;
    if (data.click.userAgent) event.userAgent = data.click.userAgent;
    if (data.click.ipAddress) event.ip = data.click.ipAddress;
  }
  return { ok: true, event };
}

function isTransient(type: string | undefined): boolean {
  const t = type?.toLowerCase();
  return t === 'transient' || t === 'soft';
}

function bracketed(id: string): string {
  const trimmed = id.trim();
  return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
}

/** A Resend event as the channel-neutral event it is (or none: `sent` and `delivery_delayed` change nothing). */
export function toInboundEvent(event: ResendEmailEvent): InboundEvent | undefined {
  const base = {
    ref: {
      providerMessageId: event.providerMessageId,
      ...(event.rfcMessageId ? { rfcMessageIds: [event.rfcMessageId] } : {}),
      channel: 'email' as const,
    },
    via: 'resend',
    ...(event.occurredAt ? { at: event.occurredAt } : {}),
  };
  switch (event.type) {
    case 'sent':
    case 'delivery_delayed':
      return undefined;
    case 'delivered':
      return { type: 'delivered', ...base };
    case 'opened':
      return { type: 'opened', ...base, reportedBy: 'Resend' };
    case 'clicked':
      return {
        type: 'clicked',
        ...base,
        reportedBy: 'Resend',
        ...(event.url ? { url: event.url } : {}),
        ...(event.userAgent ? { userAgent: event.userAgent } : {}),
        ...(event.ip ? { ip: event.ip } : {}),
      };
    case 'bounced':
      return {
        type: 'bounced',
        ...base,
        bounceType: event.bounceType ?? 'hard',
        ...(event.bounceMessage ? { reason: event.bounceMessage } : {}),
      };
    case 'failed':
      return { type: 'failed', ...base, reason: event.reason ?? 'Resend could not send the email' };
    case 'suppressed':
      // Resend refused to send to an address on its suppression list (earlier bounces or
      // complaints): the address is as dead to us as a hard bounce.
      return { type: 'bounced', ...base, bounceType: 'hard', reason: event.reason ?? 'Resend suppressed the address' };
    case 'complained':
      return { type: 'complained', ...base };
  }
}

export const resendWebhook: ProviderWebhook<ResendCredentials, ResendSettings> = {
  verify(request, secrets, now) {
    const secret = secrets.credentials ? secrets.credentials.webhookSecret : secrets.settings.webhookSecret;
    if (!secret) return { ok: false, reason: 'no signing secret', unconfigured: true };
    const verdict = verifySvix({ secret, headers: request.headers, rawBody: request.rawBody, now });
    return verdict.ok ? { ok: true, eventId: verdict.id } : verdict;
  },
  verifiesWithSettings: (settings) => settings.webhookSecret !== undefined,
  secretHint: 'set RESEND_WEBHOOK_SECRET or the account\'s "webhookSecret"',
  parse(request, verdict) {
    let body: unknown;
    try {
      body = parseJsonInput(request.rawBody.toString('utf8'));
    } catch {
      return { kind: 'invalid', reason: 'webhook body is not JSON' };
    }
    const svixId = verdict.eventId ?? '';
    // Non-email events (contact.*, domain.*) are acknowledged: Svix would retry a refusal for days.
    const type = typeof body === 'object' && body !== null && 'type' in body ? body.type : undefined;
    if (typeof type === 'string' && !type.startsWith('email.'))
      return { kind: 'ignored', reason: `not an email event: ${type}` };
    const parsed = parseResendEvent(body, svixId);
    if (!parsed.ok) {
      if (parsed.reason.startsWith('unhandled event type')) return { kind: 'ignored', reason: parsed.reason };
      return { kind: 'invalid', reason: `malformed Resend event: ${parsed.reason}` };
    }
    const event = toInboundEvent(parsed.event);
    return { kind: 'events', deliveryId: svixId, events: event ? [{ key: `resend:${svixId}`, event }] : [] };
  },
};
