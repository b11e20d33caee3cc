// The one narrow interface every channel provider implements. Adapters are stateless: credentials
// and the message in, a normalized result out. They never touch the database or read env; the
// engine chooses the account, calls send() and persists the outcome.
import type { z } from 'zod';
import type { Channel } from '../core/channels.ts';

// Every provider that has an adapter; each id must have an entry in registry.ts.
export const PROVIDER_IDS = ['sandbox', 'http', 'smtp', 'gmail', 'resend'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export type Address = { email?: string; phone?: string; linkedinUrl?: string; name?: string };

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
};

export type SendSuccess = {
  providerMessageId: string;
  providerThreadId?: string;
  /** Credentials the adapter renewed during the call (OAuth refresh): the engine stores them encrypted. */
  refreshedCredentials?: unknown;
};

/** Expected failures are values; `isRetryable` decides what the engine does with them. */
export type SendFailure =
  | { kind: 'rate_limited'; message: string; retryAfterSeconds?: number }
  | { kind: 'temporary'; message: string; retryAfterSeconds?: number }
  | { kind: 'provider_down'; message: string }
  | { kind: 'auth_expired'; message: string }
  | { kind: 'invalid_recipient'; message: string }
  | { kind: 'rejected'; message: string };

export type SendResult = { ok: true; value: SendSuccess } | { ok: false; failure: SendFailure };

export function isRetryable(failure: SendFailure): boolean {
  switch (failure.kind) {
    case 'rate_limited':
    case 'temporary':
    case 'provider_down':
    case 'auth_expired': // retried once the account is reconnected
      return true;
    case 'invalid_recipient':
    case 'rejected':
      return false;
  }
}

/** What a provider knows of a message we may or may not have sent (crash recovery). */
export type LookupResult = { found: true; value: SendSuccess } | { found: false } | { unsupported: true };

export type AdapterContext = {
  /** Aborts the provider call (the engine's send timeout). */
  signal?: AbortSignal;
};

export type ChannelAdapter<Credentials = unknown> = {
  provider: ProviderId;
  channels: readonly Channel[];
  credentials: z.ZodType<Credentials>;
  /** True when re-sending with the same message id can never deliver twice (idempotency keys). */
  idempotent: boolean;
  send(message: OutboundMessage, credentials: Credentials, context: AdapterContext): Promise<SendResult>;
  /** Finds a message by our id after a crash; providers that cannot answer say `unsupported`. */
  lookup(messageId: string, credentials: Credentials, context: AdapterContext): Promise<LookupResult>;
};

export const ok = (value: SendSuccess): SendResult => ({ ok: true, value });
export const fail = (failure: SendFailure): SendResult => ({ ok: false, failure });

/** An adapter with its credential type erased: credentials are parsed at the call. */
export type RegisteredAdapter = {
  provider: ProviderId;
  channels: readonly Channel[];
  idempotent: boolean;
  /** Validates stored or submitted credentials; the message names the bad field. */
  checkCredentials(raw: unknown): { ok: true } | { ok: false; message: string };
  send(message: OutboundMessage, credentials: unknown, context: AdapterContext): Promise<SendResult>;
  lookup(messageId: string, credentials: unknown, context: AdapterContext): Promise<LookupResult>;
};

export function register<C>(adapter: ChannelAdapter<C>): RegisteredAdapter {
  return {
    provider: adapter.provider,
    channels: adapter.channels,
    idempotent: adapter.idempotent,
    checkCredentials(raw) {
      const parsed = adapter.credentials.safeParse(raw);
      if (parsed.success) return { ok: true };
      return {
        ok: false,
        message: parsed.error.issues.map((i) => `${i.path.join('.') || 'credentials'}: ${i.message}`).join('; '),
      };
    },
    send: (message, raw, context) => adapter.send(message, adapter.credentials.parse(raw), context),
    lookup: (messageId, raw, context) => adapter.lookup(messageId, adapter.credentials.parse(raw), context),
  };
}
