// The engine's side of "no placeholder identity": a real send (any provider but the sandbox) is
// held while the workspace has no company name, offer or postal address, or an email account has no
// person's name to sign with. Held means deferred and retried, never skipped: once the gaps are
// filled the step goes out. The sandbox is never held (previews and drafts still work).
import { FALLBACK_PROVIDER } from '../../channels/registry.ts';
import { describeIdentityGaps, identityGaps, type IdentityGap } from '../../core/identityGaps.ts';

export const IDENTITY_RETRY_MS = 60 * 60 * 1000;

/**
 * The gaps the engine holds on today. A missing postal address already defers email (the CAN-SPAM
 * footer rule in the email kit) and matters to no other channel. `sender_name` is reported by the
 * API, the preview and the CLI, and enforced when passed explicitly; the engine does not pass it
 * yet (many email accounts in the field have no person name set: see docs/writer.md).
 */
export const HELD_GAPS: readonly IdentityGap[] = ['company_name', 'offer'];

export type IdentityHold = { kind: 'defer'; until: Date; reason: string };

export function identityHold(input: {
  channel: string;
  sender: { provider: string; fromName: string | null } | null;
  workspace?: { name: string; offer: string | null; postalAddress: string | null } | null;
  now: Date;
  enforce?: readonly IdentityGap[];
}): IdentityHold | undefined {
  if (input.sender === null || input.sender.provider === FALLBACK_PROVIDER || input.workspace == null) return undefined;
  const enforced = input.enforce ?? HELD_GAPS;
  const gaps = identityGaps(input.workspace, input.sender, input.channel).filter((gap) => enforced.includes(gap.gap));
  if (gaps.length === 0) return undefined;
  return {
    kind: 'defer',
    until: new Date(input.now.getTime() + IDENTITY_RETRY_MS),
    reason: describeIdentityGaps(gaps),
  };
}
