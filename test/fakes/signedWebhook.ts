// A provider's webhook as it goes on the wire — the path on our server, the signed headers, the
// exact body — built once by the fakes' signing helpers and delivered either to a running server
// (a real process, over HTTP) or into an in-process one (app.inject). Signing follows each
// fake's sources (resend.ts: Svix; meta.ts: X-Hub-Signature-256; twilio.ts: X-Twilio-Signature;
// gallabox.ts: x-gallabox-signature).
import type { FastifyInstance } from 'fastify';
import type { FakeGallabox } from './gallabox.ts';
import { signMeta } from './meta.ts';
import { signSvix } from './resend.ts';
import type { FakeTwilioWebhook } from './twilio.ts';

export type SignedWebhook = { path: string; headers: Record<string, string>; body: string };

/** A Resend (Svix) delivery: `svixId` is the delivery id a redelivery repeats; signed at `at`. */
export function resendWebhook(input: { secret: string; svixId: string; body: string; at: Date }): SignedWebhook {
  const timestamp = Math.floor(input.at.getTime() / 1000);
  return {
    path: '/webhooks/resend',
    headers: {
      'content-type': 'application/json',
      ...signSvix({ secrets: [input.secret], id: input.svixId, timestamp, body: input.body }),
    },
    body: input.body,
  };
}

/** A Meta (WhatsApp Cloud API) delivery, signed with the app secret. */
export function metaWebhook(appSecret: string, body: string): SignedWebhook {
  return {
    path: '/webhooks/meta',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMeta(appSecret, body) },
    body,
  };
}

/**
 * A Gallabox delivery: the event name in `x-event-name`, signed with the account's webhook secret
 * in hex or base64 (Gallabox's encoding is disputed; our inbound accepts both).
 */
export function gallaboxWebhook(
  gallabox: FakeGallabox,
  body: string,
  options: { event: string; encoding: 'hex' | 'base64' },
): SignedWebhook {
  return { path: '/webhooks/gallabox', headers: gallabox.sign(body, options), body };
}

/** A Twilio delivery as the fake signs it (for the full public URL it names). */
export function twilioWebhook(hook: FakeTwilioWebhook): SignedWebhook {
  return { path: new URL(hook.url).pathname, headers: hook.headers, body: hook.body };
}

/** POSTs a webhook to a running server; resolves with the status, rejects when the connection fails. */
export async function postWebhook(baseUrl: string, hook: SignedWebhook, timeoutMs = 30_000): Promise<number> {
  const res = await fetch(`${baseUrl}${hook.path}`, {
    method: 'POST',
    headers: hook.headers,
    body: hook.body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  await res.arrayBuffer();
  return res.status;
}

/** Delivers a webhook into an in-process server. */
export function injectWebhook(app: FastifyInstance, hook: SignedWebhook) {
  return app.inject({ method: 'POST', url: hook.path, headers: hook.headers, payload: hook.body });
}
