// A world (API + direct engine on a manual clock) whose email side points at local servers: a DNS
// server for recipient MX checks and DKIM keys, and known tracking/public URLs.
import { generateKeyPairSync } from 'node:crypto';
import { createRecipientChecker } from '../../src/channels/email/recipientCheck.ts';
import type { RegisteredAdapter } from '../../src/channels/register.ts';
import { defaultAdapters } from '../../src/channels/registry.ts';
import type { SendResult } from '../../src/channels/types.ts';
import { openCredentials } from '../../src/engine/accounts/credentials.ts';
import { startDnsServer, type LocalDns, type Zone } from '../channels/support/dnsServer.ts';
import type { FakeGmail } from '../fakes/gmail.ts';
import { signSvix, type FakeResend } from '../fakes/resend.ts';
import { ALWAYS_OPEN, NO_CAPS, world, type WorldOptions } from '../support/world.ts';

export const PUBLIC_URL = 'https://app.quotahit.test';
export const TRACKING_URL = 'https://t.acme.example';
export const POSTAL = 'Acme Inc., 1 Main St, Springfield, IL 62701, USA';

export const dkimKeys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'der' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const dkimRecord = `v=DKIM1; k=rsa; p=${dkimKeys.publicKey.toString('base64')}`;

/** Domains our test contacts use: globex/initech accept mail, nomail.example has a null MX. */
export function zone(): Zone {
  return {
    'globex.example': { MX: [{ exchange: 'mx.globex.example', priority: 10 }] },
    'initech.example': { MX: [{ exchange: 'mx.initech.example', priority: 10 }] },
    'umbrella.example': { A: ['192.0.2.10'] },
    'nomail.example': { MX: [{ exchange: '', priority: 0 }] },
    'qh1._domainkey.acme.example': { TXT: [dkimRecord.match(/.{1,255}/g) ?? []] },
  };
}

export async function emailWorld(dns: LocalDns, options: WorldOptions = {}) {
  const w = await world({
    publicUrl: PUBLIC_URL,
    trackingBaseUrl: TRACKING_URL,
    recipients: createRecipientChecker({ resolver: dns.resolver }),
    ...options,
  });
  const email = async (client: Omit<typeof w, 'workspace'>) => {
    await client.ok('PATCH', '/v1/workspace', { postalAddress: POSTAL });
    return {
      ...client,
      /** An account's stored credentials, opened with the world's key. */
      async credentialsOf(senderId: string) {
        const [row] = await client.row<{ credentials: Buffer }>('SELECT credentials FROM senders WHERE id = $1', [
          senderId,
        ]);
        return openCredentials(
          { encryptionKey: client.key },
          { id: senderId, workspaceId: client.workspaceId, credentials: row?.credentials ?? null },
        );
      },
    };
  };
  return {
    ...(await email(w)),
    /** Another workspace of this world, with its postal address set. */
    workspace: async (name: string) => email(await w.workspace(name)),
  };
}

export { startDnsServer };

/** Email steps `dayGap` days apart (0: all sent on one tick), always inside the window. */
export function emailSequence(steps: number, extra: Record<string, unknown> = {}, dayGap = 0) {
  return {
    name: 'email',
    steps: Array.from({ length: steps }, (_, i) => ({
      day: i * dayGap,
      channel: 'email',
      template: i === 0 ? 'intro' : 'follow_up',
    })),
    schedule: ALWAYS_OPEN,
    ...extra,
  };
}

export { NO_CAPS };

export const RESEND_WEBHOOK_SECRET = `whsec_${Buffer.from('resend-webhook-secret-32-bytes!!').toString('base64')}`;

type EmailWorld = Omit<Awaited<ReturnType<typeof emailWorld>>, 'workspace'>;

/**
 * A Resend account on the fake, caps out of the way: the fake's API key and webhooks signed with
 * RESEND_WEBHOOK_SECRET unless `keys` says others.
 */
export async function resendAccount(
  w: { ok: (method: 'POST', url: string, payload: unknown) => Promise<Record<string, unknown>> },
  resend: FakeResend,
  fromEmail = 'sam@acme.example',
  keys: { apiKey?: string; webhookSecret?: string } = {},
) {
  return (
    await w.ok('POST', '/v1/senders', {
      channel: 'email',
      provider: 'resend',
      fromEmail,
      fromName: 'Sam Rivera',
      resend: {
        apiKey: keys.apiKey ?? resend.apiKey,
        baseUrl: resend.url,
        webhookSecret: keys.webhookSecret ?? RESEND_WEBHOOK_SECRET,
      },
      ...NO_CAPS,
    })
  ).id as string;
}

/** Resend's id for one of our messages (the idempotency key we sent it with). */
export function resendIdOf(resend: FakeResend, messageId: string): string {
  const email = resend.emails.find((e) => e.idempotencyKey === messageId);
  if (!email) throw new Error(`Resend never got message ${messageId}`);
  return email.id;
}

/** POST /webhooks/resend: one event about one Resend email, signed as Svix does at the world's clock. */
export async function postResendEvent(
  w: EmailWorld,
  input: { svixId: string; type: string; emailId: string; data?: Record<string, unknown> },
) {
  const body = JSON.stringify({
    type: input.type,
    created_at: w.clock.now().toISOString(),
    data: { email_id: input.emailId, to: ['someone@example.com'], ...input.data },
  });
  const timestamp = Math.floor(w.clock.now().getTime() / 1000);
  return w.app.inject({
    method: 'POST',
    url: '/webhooks/resend',
    headers: {
      'content-type': 'application/json',
      ...signSvix({ secrets: [RESEND_WEBHOOK_SECRET], id: input.svixId, timestamp, body }),
    },
    payload: body,
  });
}

/** A Gmail account's stored credentials on the fake: a fresh grant, the access token valid until `expiresAt`. */
export function gmailCredentials(google: FakeGmail, expiresAt: Date, emailAddress = 'sam@acme.example') {
  return {
    ...google.connect(),
    expiresAt: expiresAt.toISOString(),
    clientId: google.clientId,
    clientSecret: google.clientSecret,
    apiBaseUrl: google.url,
    tokenUrl: `${google.url}/token`,
    emailAddress,
  };
}

/**
 * POST /v1/senders body: an SMTP account (sam@acme.example) on the local SMTP server, reading
 * `mailbox` over IMAP when given, signing with `dkim` when given, caps out of the way.
 */
export function smtpAccount(
  smtp: { port: number },
  options: { mailbox?: { port: number; user: string; pass: string }; dkim?: Record<string, string> } = {},
) {
  const { mailbox, dkim } = options;
  return {
    channel: 'email',
    provider: 'smtp',
    fromEmail: 'sam@acme.example',
    fromName: 'Sam Rivera',
    smtp: {
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      user: 'sam@acme.example',
      pass: 'app-password',
      allowSelfSigned: true,
      ...(dkim ? { dkim } : {}),
    },
    ...(mailbox
      ? { imap: { host: '127.0.0.1', port: mailbox.port, secure: false, user: mailbox.user, pass: mailbox.pass } }
      : {}),
    ...NO_CAPS,
  };
}

/**
 * The provider's real adapter whose `hangOn`-th send hangs until released, as a worker that died
 * mid-call; with `reach` it first hands the message to the provider (the crash came after it was
 * taken). `instead`, when given, answers that send in place of hanging.
 */
export function hangingAdapter(
  provider: 'gmail' | 'smtp' | 'resend',
  input: { reach: boolean; hangOn?: number; instead?: RegisteredAdapter['send'] },
) {
  const real = defaultAdapters()[provider];
  const hangOn = input.hangOn ?? 1;
  let entered: () => void = () => {};
  const called = new Promise<void>((resolve) => (entered = resolve));
  let release: (result: SendResult) => void = () => {};
  const hung = new Promise<SendResult>((resolve) => (release = resolve));
  let calls = 0;
  const adapter: RegisteredAdapter = {
    ...real,
    async send(message, credentials, context) {
      calls += 1;
      if (calls !== hangOn) return real.send(message, credentials, context);
      if (input.instead) return input.instead(message, credentials, context);
      if (input.reach) await real.send(message, credentials, context);
      entered();
      return hung;
    },
  };
  return { adapter, called, release, calls: () => calls };
}
