// WhatsApp through Gallabox (a BSP): `POST {baseUrl}/devapi/messages/whatsapp` with `apiKey` and
// `apiSecret` headers, the account's `channelId`, the phone as digits with the country code. The
// answer's body is undocumented: the message id is read from `id` or `messageId` (either at the top
// or under `data`). Errors are undocumented too: they are classified by status and by the Meta code
// or words their message carries. No idempotency key and no lookup: after a crash an unconfirmed
// message is marked `unknown`, never resent blindly.
import { z } from 'zod';
import { prepareWhatsApp, waDigits } from '../whatsapp/prepare.ts';
import {
  fail,
  ok,
  type AdapterContext,
  type ChannelAdapter,
  type OutboundMessage,
  type SendFailure,
  type SendResult,
  type TemplateList,
} from '../types.ts';
import { classifyMetaError } from '../meta/errors.ts';
import { GallaboxCredentials } from './credentials.ts';
import { gallaboxWebhook } from './webhook.ts';

const IdOf = z.object({ id: z.string().min(1).optional(), messageId: z.string().min(1).optional() });
const Answer = IdOf.extend({ data: IdOf.optional() });
const Template = z.object({
  name: z.string(),
  language: z.string().default(''),
  category: z.string().default(''),
  status: z.string().default(''),
  components: z.array(z.object({ type: z.string(), text: z.string().optional() })).default([]),
});
const Templates = z.union([z.array(Template), z.object({ data: z.array(Template) }).transform((v) => v.data)]);

/** Gallabox's `whatsapp` part: a session text, or the template by name with `bodyValues` keyed by variable. */
export function gallaboxPayload(message: OutboundMessage, credentials: GallaboxCredentials, phone: string) {
  const whatsapp = message.template
    ? {
        type: 'template',
        template: {
          templateName: message.template.name,
          bodyValues: Object.fromEntries(message.template.parameters.map((p, i) => [p.name ?? String(i + 1), p.text])),
        },
      }
    : { type: 'text', text: { body: message.text } };
  return {
    channelId: credentials.channelId,
    channelType: 'whatsapp',
    recipient: { name: message.to.name ?? phone, phone },
    whatsapp,
  };
}

async function call(
  credentials: GallaboxCredentials,
  path: string,
  init: { method: 'GET' | 'POST'; body?: unknown; signal?: AbortSignal | undefined },
): Promise<{ ok: true; json: unknown } | { ok: false; failure: SendFailure }> {
  let response: Response;
  try {
    response = await fetch(`${credentials.baseUrl.replace(/\/+$/, '')}${path}`, {
      method: init.method,
      headers: { apiKey: credentials.apiKey, apiSecret: credentials.apiSecret, 'content-type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, failure: { kind: 'provider_down', message: `cannot reach Gallabox: ${message}` } };
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  if (response.ok) return { ok: true, json };
  return { ok: false, failure: classifyGallaboxError(response.status, json) };
}

/** Gallabox passes Meta's refusals on in its message: its code, else its words, else the status. */
export function classifyGallaboxError(status: number, body: unknown): SendFailure {
  const said =
    typeof body === 'string'
      ? body
      : typeof body === 'object' && body !== null && 'message' in body
        ? String(body.message)
        : JSON.stringify(body);
  const code = /\(#?(\d{3,6})\)|\b(13\d{4})\b/.exec(said);
  const metaCode = code ? Number(code[1] ?? code[2]) : undefined;
  if (metaCode !== undefined && status < 500) {
    const failure = classifyMetaError(status, metaCode, said);
    return { ...failure, message: failure.message.replace(/^Meta/, 'Gallabox') };
  }
  const text = `Gallabox ${status}: ${said}`.slice(0, 300);
  if (status === 401 || status === 403) return { kind: 'auth_expired', message: text };
  if (status === 429) return { kind: 'rate_limited', message: text, retryAfterSeconds: 60 };
  if (status >= 500) return { kind: 'provider_down', message: text };
  if (/24.?hour|re-?engagement|session (window )?(expired|closed)/i.test(said))
    return { kind: 'window_closed', message: text };
  if (/template/i.test(said)) return { kind: 'template_required', message: text };
  return { kind: 'rejected', message: text };
}

async function listTemplates(credentials: GallaboxCredentials, context: AdapterContext): Promise<TemplateList> {
  const answer = await call(credentials, `/devapi/accounts/${credentials.accountId}/whatsappTemplates`, {
    method: 'GET',
    signal: context.signal,
  });
  if (!answer.ok) return answer;
  const parsed = Templates.safeParse(answer.json);
  if (!parsed.success)
    return {
      ok: false,
      failure: { kind: 'provider_down', message: 'Gallabox answered templates in an unknown shape' },
    };
  return {
    ok: true,
    templates: parsed.data.map((t) => ({
      name: t.name,
      language: t.language,
      category: t.category.toUpperCase(),
      status: t.status.toUpperCase(),
      body: t.components.find((c) => c.type.toUpperCase() === 'BODY')?.text ?? '',
    })),
  };
}

export const gallaboxAdapter: ChannelAdapter<GallaboxCredentials, undefined, 'gallabox'> = {
  provider: 'gallabox',
  label: 'Gallabox',
  channels: ['whatsapp'],
  credentials: GallaboxCredentials,
  credentialParts: ['webhookSecret', 'webhookSecretHeader', 'defaultTemplate'],
  idempotent: false,
  screens: ['health'],
  prepare: (message, conversation, context) => prepareWhatsApp(message, conversation, context),
  async send(message, credentials, context): Promise<SendResult> {
    const phone = waDigits(message.to.phone);
    if (!phone) return fail({ kind: 'invalid_recipient', message: 'no phone number with a country code to send to' });
    const answer = await call(credentials, '/devapi/messages/whatsapp', {
      method: 'POST',
      body: gallaboxPayload(message, credentials, phone),
      signal: context.signal,
    });
    if (!answer.ok) return fail(answer.failure);
    const parsed = Answer.safeParse(answer.json);
    const id = parsed.success
      ? (parsed.data.id ?? parsed.data.messageId ?? parsed.data.data?.id ?? parsed.data.data?.messageId)
      : undefined;
    if (!id) return fail({ kind: 'provider_down', message: 'Gallabox answered without a message id' });
    return ok({ providerMessageId: id });
  },
  lookup: async () => ({ unsupported: true }),
  webhook: gallaboxWebhook,
  listTemplates,
  async checkConnection(credentials, context) {
    const listed = await listTemplates(credentials, context);
    if (listed.ok) return [{ name: 'api_key', verdict: 'ok', detail: 'Gallabox accepts the API key and account id' }];
    return [
      {
        name: 'api_key',
        verdict: 'failed',
        detail: listed.failure.message,
        fix: 'create an API key and secret in Gallabox (Settings → Developers) and check the account id',
      },
    ];
  },
};
