// What comes back from a channel, whoever told us (a provider webhook, a mailbox poll, our own
// tracking links, a person logging it): channel-neutral data. Adapters produce these; the pure
// decideOnEvent (decideOnEvent.ts) turns one into effects; the engine carries the effects out.
import type { Channel } from './channels.ts';

/** How an event names the message (or the conversation) it is about: whatever the source knows. */
export type EventRef = {
  /** Our own message id (tracking tokens, our idempotency key echoed back). */
  messageId?: string;
  /** The provider's id of the message we sent (Resend email id, wamid, Twilio SM…). */
  providerMessageId?: string;
  /** Message-ID headers this mail points back to, most specific first (bounced original, In-Reply-To, References). */
  rfcMessageIds?: string[];
  /** The provider's thread (Gmail threadId): a reply in it answers our latest message there. */
  providerThreadId?: string;
  /** Who wrote (an inbound message on WhatsApp or SMS): matched to our latest message to them. */
  from?: { email?: string; phone?: string; linkedinUrl?: string };
  /** Our side (the number an inbound SMS was sent to): our latest message from that number wins. */
  to?: { phone?: string };
  /** The channel the event happened on, when the source knows it. */
  channel?: Channel;
  /**
   * With `providerMessageId`: the event is about every message that id names that has no outcome
   * of its own (a batched send that ended with no result for them, or with no result at all).
   */
  wholeBatch?: boolean;
};

type Base = {
  ref: EventRef;
  /** ISO 8601; when the provider says it happened (else when we learnt it). */
  at?: string;
  /** Who told us, for the timeline and the event's metadata ("resend", "imap", "pixel" …). */
  via: string;
};

/** A hit on an open pixel or a click link, judged person or machine (core/tracking.ts) when applied. */
export type Hit = {
  /** Already judged (our own pixel and redirect judge at the request). */
  machine?: boolean;
  machineReason?: string;
  userAgent?: string;
  ip?: string;
  /** Reported by a provider rather than seen by us: its name, for the reason. */
  reportedBy?: string;
};

export type InboundEvent =
  | (Base & { type: 'delivered' })
  | (Base & { type: 'read' })
  | (Base & Hit & { type: 'opened' })
  | (Base & Hit & { type: 'clicked'; url?: string })
  | (Base & { type: 'bounced'; bounceType: 'hard' | 'soft'; reason?: string })
  | (Base & { type: 'complained' })
  | (Base & { type: 'failed'; reason: string; code?: string })
  | (Base & {
      type: 'replied';
      text: string;
      subject?: string;
      /** Header values by lower-case name (automatic replies are told by them). */
      headers?: Record<string, string>;
    })
  | (Base & { type: 'opted_out'; everywhere: boolean })
  | (Base & { type: 'opted_in' })
  | (Base & { type: 'connection'; state: 'accepted' | 'declined' | 'pending' })
  | (Base & { type: 'call'; outcome: string; note?: string });

export type InboundEventType = InboundEvent['type'];

/** An event with the key it is deduplicated by (a redelivery carries the same key). */
export type KeyedEvent = { key: string; event: InboundEvent };

/**
 * When an event happened, for what we record: the source's time, never later than now (a
 * provider's clock ahead of ours, or a far-future time in a signed event, would order the event
 * after everything that follows it), and now when it gives none we can read.
 */
export function occurredAt(at: string | Date | undefined, now: Date): Date {
  const time = at === undefined ? NaN : at instanceof Date ? at.getTime() : Date.parse(at);
  return Number.isFinite(time) && time < now.getTime() ? new Date(time) : now;
}
