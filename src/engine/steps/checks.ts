// Checks before a step is written and reserved. A real send waits while the workspace has no name
// or offer to write as, or an email account no person's name to sign with (identityHold.ts). Then, for accounts whose provider asks for them (its
// adapter's `screens`; the sandbox delivers nowhere and asks for none): the sequence is not paused
// by its health, the recipient can receive (email: syntax, disposable domain, MX — cached), and the
// written content passes the channel's content check (email: the spam score).
import type { Screen } from '../../channels/types.ts';
import { scoreContent } from '../../core/spamCheck.ts';
import type { SenderRow } from '../../db/senders.ts';
import type { EngineDeps } from '../ports.ts';
import { identityHold } from './identityHold.ts';
import type { Hold } from './types.ts';

const PAUSED_RETRY_MS = 60 * 60 * 1000;

export type RecipientVerdict =
  | { kind: 'ok'; warnings: string[] }
  | { kind: 'skip'; reason: string }
  | { kind: 'defer'; until: Date; reason: string; hold: Hold };

function screensOf(deps: Pick<EngineDeps, 'adapters'>, sender: SenderRow | null): readonly Screen[] {
  return sender ? (deps.adapters[sender.provider]?.screens ?? []) : [];
}

export async function checkBeforeWriting(
  deps: EngineDeps,
  input: {
    channel: string;
    sender: SenderRow | null;
    email: string | null;
    /** As loaded with the step. */
    sequence: { id: string; status: string; statusReason: string | null };
    now: Date;
    /** What the messages say about who is writing (a real send waits until it is set). */
    workspace?: { name: string; offer: string | null; postalAddress: string | null } | null;
  },
): Promise<RecipientVerdict> {
  const held = identityHold(input);
  if (held) {
    const { senderId, ...defer } = held;
    return { ...defer, hold: { by: 'identity', ref: senderId } };
  }
  const screens = screensOf(deps, input.sender);
  if (screens.includes('health') && input.sequence.status === 'paused') {
    return {
      kind: 'defer',
      until: new Date(input.now.getTime() + PAUSED_RETRY_MS),
      reason: `the sequence is paused (${input.sequence.statusReason ?? 'paused'})`,
      hold: { by: 'sequence', ref: input.sequence.id },
    };
  }
  if (!screens.includes('recipient') || input.channel !== 'email') return { kind: 'ok', warnings: [] };
  const check = await deps.recipients.check(input.email);
  const blocking = check.issues.filter((issue) => issue.severity === 'block');
  if (!check.ok) return { kind: 'skip', reason: blocking.map((issue) => issue.reason).join('; ') };
  return { kind: 'ok', warnings: check.issues.map((issue) => issue.reason) };
}

/** The written content's check; a reason when it blocks the step. */
export function contentBlock(
  deps: Pick<EngineDeps, 'adapters'>,
  input: { channel: string; sender: SenderRow | null; subject: string | null; body: string },
): string | undefined {
  if (!screensOf(deps, input.sender).includes('content') || input.channel !== 'email') return undefined;
  const report = scoreContent({ ...(input.subject ? { subject: input.subject } : {}), text: input.body });
  if (report.passed) return undefined;
  const why = report.reasons.map((reason) => reason.detail).slice(0, 3);
  return `content check failed: spam score ${report.score} is not under ${report.threshold} (${why.join('; ')})`;
}
