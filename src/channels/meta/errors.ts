// Meta's Graph error codes for WhatsApp sends, classified once
// (developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes). The same codes arrive in
// the send answer, in a `failed` status webhook, or both.
import type { SendFailure } from '../types.ts';

/** Reasons people can act on, by code (the timeline and the message's error say these). */
export const META_REASONS: Readonly<Record<number, string>> = {
  131047: 'more than 24 hours since the person last wrote: only an approved template may go (131047)',
  132000: "the template's variables do not match the ones Meta approved (132000): sync the templates",
  132001: 'the template does not exist at Meta in this language or is not approved yet (132001)',
  132015: 'the template is paused by Meta for low quality (132015)',
  132016: 'the template is disabled by Meta for low quality (132016)',
  130429: 'the number is over its throughput (130429)',
  131056: 'too many messages to this person in a short time (131056)',
  131048: 'Meta limits this number for spam signals (131048)',
  131049: 'Meta held this marketing message back: the person gets too many (131049)',
  131026: 'the number cannot receive WhatsApp messages or blocked the business (131026)',
  190: 'the access token expired or was revoked (190)',
};

export function classifyMetaError(status: number, code: number | undefined, message: string): SendFailure {
  const reason = code !== undefined ? META_REASONS[code] : undefined;
  const text = `Meta ${status}: ${reason ?? message}`.slice(0, 300);
  switch (code) {
    case 131047:
      return { kind: 'window_closed', message: text };
    case 132000:
    case 132001:
    case 132015:
    case 132016:
      return { kind: 'template_required', message: text };
    case 130429:
      return { kind: 'rate_limited', message: text, retryAfterSeconds: 5 };
    case 131056:
      return { kind: 'rate_limited', message: text, retryAfterSeconds: 6 };
    case 131048:
      return { kind: 'rate_limited', message: text, retryAfterSeconds: 3600 };
    case 131049:
      return { kind: 'rate_limited', message: text, retryAfterSeconds: 24 * 3600 };
    case 131026:
      return { kind: 'invalid_recipient', message: text };
    case 190:
      return { kind: 'auth_expired', message: text };
  }
  if (status === 401 || status === 403) return { kind: 'auth_expired', message: text };
  if (status === 429) return { kind: 'rate_limited', message: text, retryAfterSeconds: 60 };
  if (status >= 500 || code === 1 || code === 2 || code === 131000) return { kind: 'provider_down', message: text };
  return { kind: 'rejected', message: text };
}
