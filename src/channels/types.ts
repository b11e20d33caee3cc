// The contract every channel provider implements, covering a provider's whole life: its
// credentials and the request keys that name them, preparing a message for the wire, sending,
// looking a message up after a crash, its webhooks (verify, route to an account, parse, handshake),
// polling, a connection check, OAuth connection and its installation-wide settings. Each part but
// send and lookup is optional. Adapters are stateless: credentials and data in, normalized results
// out; they never touch the database, the engine or the environment.
import type { z } from 'zod';
import type { Channel } from '../core/channels.ts';
import type { InboundEvent, KeyedEvent } from '../core/events.ts';
import type { AccountAddress, ProviderPoll, ProviderWebhook } from './inboundTypes.ts';
export type Address = {
  email?: string;
  phone?: string;
  linkedinUrl?: string;
  name?: string;
  /** The person's facts a template's named variables may ask for (WhatsApp: company, title, city, custom fields). */
  facts?: Readonly<Record<string, string>>;
};

export type OutboundMessage = {
  /** Our message id: the idempotency key wherever the provider has one. */
  id: string;
  channel: Channel;
  purpose: string;
  to: Address;
  from: Address;
  subject?: string;
  text: string;
  html?: string;
  /** Extra protocol headers (email: Message-ID, In-Reply-To, References, List-Unsubscribe …). */
  headers?: Record<string, string>;
  /** The provider's thread of an earlier message in this sequence (Gmail threadId …). */
  providerThreadId?: string;
  /** An approved template to send instead of free text (WhatsApp outside the 24-hour window). */
  template?: TemplateSend;
};

/** A template message: the approved template by name and language, its variables filled. */
export type TemplateSend = {
  name: string;
  language: string;
  /** In the template's order; `name` set for named variables ({{first_name}}). */
  parameters: { name?: string; text: string }[];
};

export type TemplateList = { ok: true; templates: ChannelTemplate[] } | { ok: false; failure: SendFailure };

/** A message template registered with the provider for an account (WhatsApp). */
export type ChannelTemplate = {
  name: string;
  language: string;
  category: string;
  body: string;
  /** As the provider says: APPROVED, PENDING, REJECTED, PAUSED, DISABLED … */
  status: string;
};

export type SendSuccess = {
  providerMessageId: string;
  providerThreadId?: string;
  /** The Message-ID the provider stored, when it replaced ours (Gmail may): threading and bounces use it. */
  rfcMessageId?: string;
  /** Credentials the adapter renewed during the call (OAuth refresh): the engine stores them encrypted. */
  refreshedCredentials?: unknown;
};

/** Expected failures are values; failureAction (below) is the one place that decides what follows. */
export type SendFailure =
  | {
      kind: 'rate_limited';
      message: string;
      retryAfterSeconds?: number;
      /** The account's own sending limit (a day's quota) is reached: it sends nothing until then. */
      accountLimit?: true;
    }
  | { kind: 'temporary'; message: string; retryAfterSeconds?: number }
  | { kind: 'provider_down'; message: string }
  | { kind: 'auth_expired'; message: string }
  | { kind: 'invalid_recipient'; message: string }
  | { kind: 'rejected'; message: string }
  /** Outside the conversation window where only an approved template may go (WhatsApp 24 h). */
  | { kind: 'window_closed'; message: string }
  /** No usable (approved) template for a message that needs one. */
  | { kind: 'template_required'; message: string }
  /** The person opted out on this channel at the provider (Twilio 21610, a WhatsApp block). */
  | { kind: 'opted_out'; message: string }
  /** The provider already used our idempotency key for a send it will not repeat (Resend 409 invalid_idempotent_request). */
  | { kind: 'already_sent'; message: string };

export type SendFailureKind = SendFailure['kind'];

/**
 * What the engine does with a failure:
 * - retry: defer with back-off and try again (an expired authorization disconnects the account
 *   first; its steps go out once it is reconnected);
 * - hold: keep the step waiting, with the reason, until what it needs exists (a template, an
 *   open window); never dropped and never sent as something else;
 * - bounce: the address cannot receive: suppress it on this channel and stop the enrollment;
 * - suppress: the person opted out on this channel: suppress and move on;
 * - fail: this message is refused as it is: record it failed and go on with the sequence;
 * - unknown: it may well have gone out already and must not go again: record it unknown and go on.
 */
export type FailureAction = 'retry' | 'hold' | 'bounce' | 'suppress' | 'fail' | 'unknown';

export function failureAction(failure: SendFailure): FailureAction {
  switch (failure.kind) {
    case 'rate_limited':
    case 'temporary':
    case 'provider_down':
    case 'auth_expired':
      return 'retry';
    case 'window_closed':
    case 'template_required':
      return 'hold';
    case 'invalid_recipient':
      return 'bounce';
    case 'opted_out':
      return 'suppress';
    case 'rejected':
      return 'fail';
    case 'already_sent':
      return 'unknown';
  }
}

export function isRetryable(failure: SendFailure): boolean {
  return failureAction(failure) === 'retry';
}

export type SendResult = { ok: true; value: SendSuccess } | { ok: false; failure: SendFailure };

export const ok = (value: SendSuccess): SendResult => ({ ok: true, value });
export const fail = (failure: SendFailure): SendResult => ({ ok: false, failure });

/**
 * What a provider knows of a message we may or may not have sent (crash recovery). `found: false`
 * proves it never went out (it may be sent); `unsupported` cannot tell, with why when it can say.
 */
export type LookupResult =
  { found: true; value: SendSuccess } | { found: false } | { unsupported: true; reason?: string };

/** What the engine knows of the message being looked up, beyond its id. */
export type LookupContext = AdapterContext & {
  /** Email: the Message-ID header stored on our row before the provider was called. */
  rfcMessageId?: string;
  /**
   * Email: Message-IDs of earlier messages of the same account that went out, newest first (a
   * few): found where ours is not, they show the mailbox files what is sent (SMTP's Sent folder).
   */
  sentEarlier?: readonly string[];
};

export type AdapterContext = {
  /** Aborts the provider call (the engine's send timeout). */
  signal?: AbortSignal;
  /** The provider's installation-wide settings (its `settings` below), resolved from config. */
  settings?: unknown;
  now?: Date;
};

/** What the engine knows of the conversation a message continues (for prepare). */
export type Conversation = {
  /** Earlier messages of this enrollment on this channel from the same account that went out, oldest first. */
  earlier: {
    messageId: string;
    rfcMessageId: string | null;
    subject: string | null;
    providerMessageId: string | null;
    providerThreadId: string | null;
  }[];
  /** The contact's last inbound message on this channel (a reply), which opens a service window. */
  lastInboundAt: Date | null;
};

export type PrepareContext = {
  now: Date;
  workspace: { name: string; postalAddress: string | null };
  /** The sequence's settings (tracking, plain-text first touch …), as stored. */
  sequenceSettings: Record<string, unknown>;
  /** Public links and the secret that signs them (tracking, unsubscribe). */
  links: { publicBaseUrl: string; trackingBaseUrl: string; secret: string };
  /** The account's message templates as last synced (WhatsApp); empty where the channel has none. */
  templates?: readonly ChannelTemplate[];
};

/**
 * The message as it goes on the wire, and what to store on our row before the provider is called
 * (so a reply or a bounce can be matched even if we crash right after sending).
 */
export type PreparedMessage =
  | { ok: true; message: OutboundMessage; record?: { rfcMessageId?: string; subject?: string; body?: string } }
  | { ok: false; failure: SendFailure };

export type {
  AccountAddress,
  HeaderBag,
  ParsedWebhook,
  PollResult,
  ProviderPoll,
  ProviderWebhook,
  WebhookRequest,
  WebhookVerdict,
} from './inboundTypes.ts';

/** A connection check also knows the account's addresses (a sending domain to look up). */
export type ConnectionContext = AdapterContext & { account?: { fromEmail?: string | null; fromPhone?: string | null } };

export type ConnectionCheck = { name: string; verdict: 'ok' | 'warning' | 'failed'; detail: string; fix?: string };

export type OAuthExchange<Credentials> =
  | { ok: true; credentials: Credentials; account: { fromEmail: string; name?: string } }
  | { ok: false; message: string };

export type ProviderOAuth<Credentials, Settings> = {
  /** The path segment of /v1/oauth/<name>/start and /oauth/<name>/callback. */
  name: string;
  /** Who grants access, as people know it ("Google"). */
  label: string;
  /** Why the installation cannot connect accounts yet (settings missing), or undefined. */
  notConfigured(settings: Settings): string | undefined;
  authorizeUrl(settings: Settings, input: { state: string; redirectUri: string; loginHint?: string }): string;
  exchange(
    settings: Settings,
    input: { code: string; redirectUri: string },
    context: AdapterContext & { now: Date },
  ): Promise<OAuthExchange<Credentials>>;
};

/** A provider's installation-wide settings: the environment variables it reads (config.ts merges them). */
export type ProviderSettings<Settings> = {
  env: z.ZodObject<z.ZodRawShape>;
  resolve(env: Record<string, unknown>): Settings;
};

/** What a provider's per-sender rate is spent on: a message as it goes out, or a new call. */
export type PacedWork = { kind: 'send'; message: OutboundMessage } | { kind: 'dial' };
/** The work's cost in the provider's units (SMS segments), and how many units a second the sender takes. */
export type Pace = { units: number; perSecond: number };

/** Click-to-call: ring the rep's phone, then bridge the prospect with the account's number as caller id. */
export type DialRequest = {
  repPhone: string;
  prospectPhone: string;
  callerId: string;
  /** Where the provider reports the call's statuses (our /webhooks/<provider>). */
  statusCallbackUrl: string;
  record: boolean;
  /** Played to both sides before the bridge when recording (consent). */
  consentNotice?: string;
};
export type DialResult = { ok: true; callId: string } | { ok: false; failure: SendFailure };

/** Checks the engine runs for a provider that really delivers (the sandbox delivers nowhere). */
export type Screen =
  /** The recipient can receive on this channel (email: syntax, disposable domain, MX). */
  | 'recipient'
  /** The written content passes the channel's content check (email: spam score). */
  | 'content'
  /** Bounce and complaint rates pause the account and the sequence. */
  | 'health';

export type SenderDns = { spfIncludes?: readonly string[]; dkimSelectors?: readonly string[] };

export type ChannelAdapter<Credentials = unknown, Settings = undefined, Provider extends string = string> = {
  provider: Provider;
  /** The provider's name as people know it ("Resend"), for messages. */
  label: string;
  channels: readonly Channel[];
  /** The stored credentials, whole: what the provider needs and what the engine keeps with them. */
  credentials: z.ZodType<Credentials>;
  /**
   * Keys of the credentials that are kept apart on an update: given alone, they change only
   * themselves (an IMAP mailbox, a webhook secret); the rest is replaced as one part.
   */
  credentialParts?: readonly string[];
  /**
   * Request body keys that also carry credentials (kept so older clients keep working): `'.'`
   * merges the object into the credentials, a name sets that part (`null` removes it).
   */
  credentialAliases?: Readonly<Record<string, '.' | string>>;
  /** True when re-sending with the same message id can never deliver twice (idempotency keys). */
  idempotent: boolean;
  /** How long the provider keeps an idempotency key (Resend: 24 h); past it a resend is a new send. */
  idempotencyWindowMs?: number;
  /**
   * What the doctor expects in the From domain's DNS when an email account sends through this
   * provider: SPF includes and the DKIM selectors it usually signs with.
   */
  senderDns?: SenderDns;
  screens?: readonly Screen[];
  settings?: ProviderSettings<Settings>;
  prepare?(
    message: OutboundMessage,
    conversation: Conversation,
    context: PrepareContext & { credentials: Credentials },
  ): PreparedMessage | Promise<PreparedMessage>;
  send(message: OutboundMessage, credentials: Credentials, context: AdapterContext): Promise<SendResult>;
  /**
   * Several prepared messages of one account and one purpose (at most `batchMax`) in one provider
   * call that reads them from `spreadsheetUrl` (a CSV QuotaHit serves behind a signed, expiring
   * token: core/batchSheet.ts): Phantombuster's batched launches. One provider id for all; the
   * poll reports each message's outcome by that id and its recipient, and a batch that ended with
   * no outcome at all by an event whose ref has `wholeBatch`. Used only when the installation lets
   * the provider reach PUBLIC_URL.
   */
  sendBatch?(
    messages: readonly OutboundMessage[],
    credentials: Credentials,
    context: AdapterContext & { spreadsheetUrl: string },
  ): Promise<SendResult>;
  /** Most messages one `sendBatch` carries (given with sendBatch; Phantombuster: 10 profiles a launch). */
  batchMax?: number;
  /** Finds a message by our id after a crash; providers that cannot answer say `unsupported`. */
  lookup(messageId: string, credentials: Credentials, context: LookupContext): Promise<LookupResult>;
  webhook?: ProviderWebhook<Credentials, Settings>;
  poll?: ProviderPoll<Credentials>;
  checkConnection?(credentials: Credentials, context: ConnectionContext): Promise<ConnectionCheck[]>;
  /** The account's message templates as the provider holds them (WhatsApp), for syncing. */
  listTemplates?(credentials: Credentials, context: AdapterContext): Promise<TemplateList>;
  oauth?: ProviderOAuth<Credentials, Settings>;
  /** A per-sender rate the provider enforces (Twilio: segments per second per number): the engine paces by it. */
  pace?(work: PacedWork, credentials: Credentials, account: AccountAddress): Pace | undefined;
  /** Click-to-call (channel `call`): providers that can bridge a rep and a prospect. */
  dial?(request: DialRequest, credentials: Credentials, context: AdapterContext): Promise<DialResult>;
};

export type { InboundEvent, KeyedEvent };
