// Checks before an email step is written and reserved (reserveStep's hooks), for accounts that
// deliver real email: the sequence is not paused by its health, the recipient can receive mail
// (syntax, disposable domain, MX — cached), and the written content scores under the spam
// threshold. The sandbox delivers nowhere and skips them.
import { scoreContent } from '../core/spamCheck.ts';
import type { SenderRow } from '../db/senders.ts';
import { EMAIL_PROVIDERS } from './emailOutbound.ts';
import { identityHold } from './identityHold.ts';
import type { EngineDeps } from './ports.ts';

const PAUSED_RETRY_MS = 60 * 60 * 1000;

export type RecipientVerdict =
  | { kind: 'ok'; warnings: string[] }
  | { kind: 'skip'; reason: string }
  | { kind: 'defer'; until: Date; reason: string };

function deliversEmail(channel: string, sender: SenderRow | null): sender is SenderRow {
  return channel === 'email' && sender !== null && EMAIL_PROVIDERS.includes(sender.provider);
}

export async function checkBeforeWriting(
  deps: EngineDeps,
  input: {
    channel: string;
    sender: SenderRow | null;
    email: string | null;
    /** As loaded with the step. */
    sequence: { status: string; statusReason: string | null };
    now: Date;
    workspace?: { name: string; offer: string | null; postalAddress: string | null };
  },
): Promise<RecipientVerdict> {
  const held = identityHold(input);
  if (held !== undefined) return held;
  if (!deliversEmail(input.channel, input.sender)) return { kind: 'ok', warnings: [] };
  if (input.sequence.status === 'paused') {
    return {
      kind: 'defer',
      until: new Date(input.now.getTime() + PAUSED_RETRY_MS),
      reason: `the sequence is paused (${input.sequence.statusReason ?? 'paused'})`,
    };
  }
  const check = await deps.recipients.check(input.email);
  const blocking = check.issues.filter((issue) => issue.severity === 'block');
  if (!check.ok) return { kind: 'skip', reason: blocking.map((issue) => issue.reason).join('; ') };
  return { kind: 'ok', warnings: check.issues.map((issue) => issue.reason) };
}

/** The written content's spam score; a reason when it blocks the step. */
export function contentBlock(input: {
  channel: string;
  sender: SenderRow | null;
  subject: string | null;
  body: string;
}): string | undefined {
  if (!deliversEmail(input.channel, input.sender)) return undefined;
  const report = scoreContent({ ...(input.subject ? { subject: input.subject } : {}), text: input.body });
  if (report.passed) return undefined;
  const why = report.reasons.map((reason) => reason.detail).slice(0, 3);
  return `content check failed: spam score ${report.score} is not under ${report.threshold} (${why.join('; ')})`;
}
