// WhatsApp through Meta's Cloud API: `POST {baseUrl}/{version}/{phone-number-id}/messages` with the
// account's Bearer token, `to` as digits with the country code. A message goes as a session text
// or as the approved template that prepare chose (channels/whatsapp/prepare.ts). Our message id
// rides along as `biz_opaque_callback_data`, which Meta echoes in status webhooks. WhatsApp has no
// idempotency key and no lookup by our id: after a crash the engine marks an unconfirmed message
// `unknown` and never resends it blindly.
import { z } from 'zod';
import { prepareWhatsApp, waDigits } from '../whatsapp/prepare.ts';
import {
  fail,
  ok,
  type AdapterContext,
  type ChannelAdapter,
  type ChannelTemplate,
  type OutboundMessage,
  type SendResult,
  type TemplateList,
} from '../types.ts';
import { MetaCredentials } from './credentials.ts';
import { classifyMetaError } from './errors.ts';
import { metaSettings, META_DEFAULT_VERSION, type MetaSettings } from './settings.ts';
import { metaWebhook } from './webhook.ts';

const Accepted = z.object({ messages: z.array(z.object({ id: z.string().min(1) })).min(1) });
const GraphError = z.object({ error: z.object({ code: z.number().optional(), message: z.string().optional() }) });
const Templates = z.object({
  data: z.array(
    z.object({
      name: z.string(),
      language: z.string(),
      category: z.string().default(''),
      status: z.string(),
      components: z.array(z.object({ type: z.string(), text: z.string().optional() })).default([]),
    }),
  ),
  paging: z.object({ next: z.string().optional() }).optional(),
});

function graphUrl(credentials: MetaCredentials, context: AdapterContext, path: string): string {
  const settings = context.settings as MetaSettings | undefined;
  const version = credentials.apiVersion ?? settings?.apiVersion ?? META_DEFAULT_VERSION;
  return `${credentials.baseUrl.replace(/\/+$/, '')}/${version}/${path}`;
}

/** The Graph payload of a message: a session text, or the template prepare chose. */
export function metaPayload(message: OutboundMessage, to: string): Record<string, unknown> {
  const base = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to,
    biz_opaque_callback_data: message.id,
  };
  if (!message.template) return { ...base, type: 'text', text: { preview_url: false, body: message.text } };
  const { name, language, parameters } = message.template;
  return {
    ...base,
    type: 'template',
    template: {
      name,
      language: { code: language },
      ...(parameters.length > 0
        ? {
            components: [
              {
                type: 'body',
                parameters: parameters.map((p) => ({
                  type: 'text',
                  text: p.text,
                  ...(p.name ? { parameter_name: p.name } : {}),
                })),
              },
            ],
          }
        : {}),
    },
  };
}

async function graph(
  url: string,
  credentials: MetaCredentials,
  init: { method: 'GET' | 'POST'; body?: unknown; signal?: AbortSignal | undefined },
): Promise<{ ok: true; status: number; json: unknown } | { ok: false; failure: ReturnType<typeof classifyMetaError> }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: { authorization: `Bearer ${credentials.accessToken}`, 'content-type': 'application/json' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, failure: { kind: 'provider_down', message: `cannot reach Meta: ${message}` } };
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (response.ok) return { ok: true, status: response.status, json };
  const error = GraphError.safeParse(json);
  const code = error.success ? error.data.error.code : undefined;
  const message = error.success ? (error.data.error.message ?? text) : text.slice(0, 200);
  return { ok: false, failure: classifyMetaError(response.status, code, message) };
}

async function listMetaTemplates(credentials: MetaCredentials, context: AdapterContext): Promise<TemplateList> {
  const templates: ChannelTemplate[] = [];
  let url: string | undefined =
    `${graphUrl(credentials, context, `${credentials.wabaId}/message_templates`)}?limit=100`;
  for (let page = 0; url && page < 50; page++) {
    const answer = await graph(url, credentials, { method: 'GET', signal: context.signal });
    if (!answer.ok) return answer;
    const parsed = Templates.safeParse(answer.json);
    if (!parsed.success)
      return {
        ok: false,
        failure: { kind: 'provider_down', message: 'Meta answered templates in an unknown shape' },
      };
    for (const t of parsed.data.data)
      templates.push({
        name: t.name,
        language: t.language,
        category: t.category,
        status: t.status.toUpperCase(),
        body: t.components.find((c) => c.type.toUpperCase() === 'BODY')?.text ?? '',
      });
    url = parsed.data.paging?.next;
  }
  return { ok: true, templates };
}

export const metaAdapter: ChannelAdapter<MetaCredentials, MetaSettings, 'meta'> = {
  provider: 'meta',
  label: 'Meta WhatsApp Cloud API',
  channels: ['whatsapp'],
  credentials: MetaCredentials,
  credentialParts: ['defaultTemplate'],
  idempotent: false,
  screens: ['health'],
  settings: metaSettings,
  prepare: (message, conversation, context) => prepareWhatsApp(message, conversation, context),
  async send(message, credentials, context): Promise<SendResult> {
    const to = waDigits(message.to.phone);
    if (!to) return fail({ kind: 'invalid_recipient', message: 'no phone number with a country code to send to' });
    const url = graphUrl(credentials, context, `${credentials.phoneNumberId}/messages`);
    const answer = await graph(url, credentials, {
      method: 'POST',
      body: metaPayload(message, to),
      signal: context.signal,
    });
    if (!answer.ok) return fail(answer.failure);
    const accepted = Accepted.safeParse(answer.json);
    if (!accepted.success) return fail({ kind: 'provider_down', message: 'Meta answered without a message id' });
    return ok({ providerMessageId: accepted.data.messages[0]?.id ?? '' });
  },
  lookup: async () => ({ unsupported: true }),
  webhook: metaWebhook,
  listTemplates: (credentials, context) => listMetaTemplates(credentials, context),
  async checkConnection(credentials, context) {
    const listed = await listMetaTemplates(credentials, context);
    if (listed.ok)
      return [{ name: 'access_token', verdict: 'ok', detail: 'Meta accepts the access token and the WABA id' }];
    return [
      {
        name: 'access_token',
        verdict: 'failed',
        detail: listed.failure.message,
        fix: 'create a system-user token with whatsapp_business_messaging and whatsapp_business_management',
      },
    ];
  },
};
