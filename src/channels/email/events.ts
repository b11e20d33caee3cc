// An email that came back to a sending mailbox (parsed by inbound.ts), as a channel-neutral event:
// a bounce report about the message it returns, or a reply (a person's or an automatic one, which
// the classifier tells apart by its headers) to the messages it points back to.
import type { KeyedEvent } from '../../core/events.ts';
import { candidateMessageIds, type InboundEmail } from './inbound.ts';

export function emailEvent(
  parsed: InboundEmail,
  origin: { via: string; key: string; providerThreadId?: string },
): KeyedEvent {
  const ref = { rfcMessageIds: candidateMessageIds(parsed), channel: 'email' as const };
  if (parsed.kind === 'bounce' && parsed.bounce) {
    const bounce = parsed.bounce;
    const reason = [bounce.status, bounce.diagnostic].filter(Boolean).join(' ') || undefined;
    return {
      key: origin.key,
      event: {
        type: 'bounced',
        ref,
        via: origin.via,
        bounceType: bounce.type,
        ...(parsed.date ? { at: parsed.date } : {}),
        ...(reason ? { reason } : {}),
      },
    };
  }
  return {
    key: origin.key,
    event: {
      type: 'replied',
      ref: { ...ref, ...(origin.providerThreadId ? { providerThreadId: origin.providerThreadId } : {}) },
      via: origin.via,
      text: parsed.text || '(empty)',
      ...(parsed.subject ? { subject: parsed.subject } : {}),
      headers: parsed.headers,
    },
  };
}
