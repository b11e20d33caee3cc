// What the WhatsApp tests share: the POST /v1/senders bodies of a Meta and a Gallabox account on
// their fakes (`extra` adds sender fields such as limits; `credentials` overrides credential fields).
import type { FakeGallabox } from '../fakes/gallabox.ts';
import type { FakeMeta } from '../fakes/meta.ts';

/** The verify token of the Meta accounts these bodies register (the GET hub.challenge handshake). */
export const META_VERIFY_TOKEN = 'verify-me-please';

type Overrides = { baseUrl?: string; extra?: Record<string, unknown>; credentials?: Record<string, unknown> };

export const metaSender = (meta: FakeMeta, input: Overrides = {}) => ({
  channel: 'whatsapp',
  provider: 'meta',
  fromPhone: '+15550783881',
  ...input.extra,
  credentials: {
    accessToken: meta.accessToken,
    phoneNumberId: meta.phoneNumberId,
    wabaId: meta.wabaId,
    appSecret: meta.appSecret,
    verifyToken: META_VERIFY_TOKEN,
    baseUrl: input.baseUrl ?? meta.url,
    ...input.credentials,
  },
});

export const gallaboxSender = (gallabox: FakeGallabox, input: Overrides = {}) => ({
  channel: 'whatsapp',
  provider: 'gallabox',
  fromPhone: '+919800000000',
  ...input.extra,
  credentials: {
    apiKey: gallabox.apiKey,
    apiSecret: gallabox.apiSecret,
    channelId: gallabox.channelId,
    accountId: gallabox.accountId,
    webhookSecret: gallabox.webhookSecret,
    baseUrl: input.baseUrl ?? gallabox.url,
    ...input.credentials,
  },
});
