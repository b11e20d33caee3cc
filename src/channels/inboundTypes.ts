// The inbound half of the adapter contract (src/channels/types.ts re-exports it): a webhook
// request as received, verifying it, routing it to an account, parsing it into channel-neutral
// events and the optional handshake; and polling an account for what is new since a cursor.
import type { Channel } from '../core/channels.ts';
import type { KeyedEvent } from '../core/events.ts';
import type { AdapterContext, SendFailure } from './types.ts';

export type HeaderBag = Record<string, string | string[] | undefined>;

/** A webhook request as received: the exact bytes (signatures cover them) and the URL called. */
export type WebhookRequest = {
  method: 'GET' | 'POST';
  rawBody: Buffer;
  headers: HeaderBag;
  /** The public URL the provider called (PUBLIC_URL + path + query), never forwarded headers. */
  url: string;
  query: Record<string, string>;
};

/** What an account is besides its credentials, where a webhook key needs it (Twilio: the number). */
export type AccountAddress = { channel?: Channel; fromPhone?: string | null };

/** `unconfigured`: the credentials (or settings) hold no signing secret at all. */
export type WebhookVerdict = { ok: true; eventId?: string } | { ok: false; reason: string; unconfigured?: boolean };

export type ParsedWebhook =
  /** The request's events, and the provider's id for the delivery (unique; the same on redelivery). */
  | { kind: 'events'; deliveryId: string; events: KeyedEvent[] }
  /** Verified, understood, and nothing we act on (a provider's non-message events): acknowledged. */
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; reason: string };

export type ProviderWebhook<Credentials, Settings> = {
  /**
   * Checks the request's signature against one account's credentials, or (credentials undefined)
   * the installation-wide settings. A verdict names why a request was refused.
   */
  verify(
    request: WebhookRequest,
    secrets: { credentials?: Credentials; settings: Settings },
    now: Date,
  ): WebhookVerdict;
  /** Whether installation-wide settings can verify at all (a shared signing secret is configured). */
  verifiesWithSettings?(settings: Settings): boolean;
  /**
   * Which account a request belongs to, read from the request without any secret (Meta's
   * phone_number_id); several keys when the request may name an account in several ways.
   */
  accountKey?(request: WebhookRequest): string | readonly string[] | undefined;
  /** The key an account answers to, in the same space as accountKey (stored unencrypted to route by). */
  accountKeyOf?(credentials: Credentials, account?: AccountAddress): string | undefined;
  /** The request's events, or why there are none. */
  parse(request: WebhookRequest, verdict: { eventId?: string }): ParsedWebhook;
  /** A GET handshake (Meta's hub.challenge): the answer, given every account's credentials. */
  handshake?(request: WebhookRequest, accounts: readonly Credentials[]): { status: number; body: string };
  /** How to configure a signing secret, for the refusal when none is configured anywhere. */
  secretHint?: string;
  /** What to answer a verified request with (Twilio wants TwiML); JSON otherwise. */
  acknowledge?: { contentType: string; body: string };
  /** The status a missing or wrong signature gets (401 unless the provider documents another: Twilio 403). */
  refusalStatus?: 401 | 403;
};

export type PollResult<Credentials> =
  | { ok: true; events: KeyedEvent[]; cursor: Record<string, unknown>; refreshedCredentials?: Credentials }
  | {
      ok: false;
      failure: SendFailure;
      /** What the poll got through before it failed (saved, so it is not read again). */
      cursor?: Record<string, unknown>;
      /**
       * Provider ids of sends the provider accepted and then never carried out (an asynchronous
       * launch that died on the account's session): the engine puts their steps back, held by the account.
       */
      unsent?: string[];
      /**
       * The account's own session at the provider ended and only a person can renew it (a LinkedIn
       * session cookie): the account is paused with the failure's message as its reason, not
       * disconnected (which is for the provider's own credentials: an API key refused).
       */
      pauseAccount?: true;
    };

export type ProviderPoll<Credentials> = {
  /** Whether this account has anything to poll (an SMTP account only with an IMAP mailbox). */
  pollable(credentials: Credentials): boolean;
  /** Reads what is new since `cursor` (empty on the first poll) and returns the next cursor. */
  poll(
    credentials: Credentials,
    cursor: Record<string, unknown>,
    context: AdapterContext & { now: Date },
  ): Promise<PollResult<Credentials>>;
};
