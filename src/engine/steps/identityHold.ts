// The engine's side of "no placeholder identity": a real send (any provider but the sandbox) is
// held while the workspace has no company name or offer, or an email account has no person's name
// to sign with. Held means deferred and retried, never skipped: once the gaps are filled the step
// goes out (at once when the account's name is set: PATCH /v1/senders/:id releases what it held).
// The sandbox is never held (previews and drafts still work, with a warning).
import { FALLBACK_PROVIDER } from '../../channels/registry.ts';
import { describeIdentityGaps, identityGaps, type IdentityGap } from '../../core/identityGaps.ts';

export const IDENTITY_RETRY_MS = 60 * 60 * 1000;

/**
 * The gaps the engine holds on. A missing postal address already defers email (the CAN-SPAM
 * footer rule in the email kit) and matters to no other channel.
 */
export const HELD_GAPS: readonly IdentityGap[] = ['company_name', 'offer', 'sender_name'];

/** `senderId`: the account whose missing name holds the step (its release key), when that is a gap. */
export type IdentityHold = { kind: 'defer'; until: Date; reason: string; senderId: string | null };

export function identityHold(input: {
  channel: string;
  sender: { id?: string; provider: string; fromName: string | null } | null;
  workspace?: { name: string; offer: string | null; postalAddress: string | null } | null;
  now: Date;
  enforce?: readonly IdentityGap[];
}): IdentityHold | undefined {
  if (input.sender === null || input.sender.provider === FALLBACK_PROVIDER || input.workspace == null) return undefined;
  const enforced = input.enforce ?? HELD_GAPS;
  const gaps = identityGaps(input.workspace, input.sender, input.channel).filter((gap) => enforced.includes(gap.gap));
  if (gaps.length === 0) return undefined;
  const unsigned = gaps.some((gap) => gap.gap === 'sender_name');
  return {
    kind: 'defer',
    until: new Date(input.now.getTime() + IDENTITY_RETRY_MS),
    reason: describeIdentityGaps(gaps),
    senderId: unsigned ? (input.sender.id ?? null) : null,
  };
}
