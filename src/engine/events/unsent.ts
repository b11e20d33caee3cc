// Sends a provider accepted and then never carried out: an asynchronous launch (Phantombuster) that
// died on the account's session. Each such message goes back to `deferred` and its enrollment back
// to its step, held by the account: reconnecting the account (or resuming it) releases the step
// and it goes out again. Never dropped, never sent as something else.
import { addActivity } from '../../db/activities.ts';
import type { Sql } from '../../db/database.ts';
import { getEnrollment, updateEnrollment } from '../../db/enrollments.ts';
import { messagesOfProviderId } from '../../db/batchedSends.ts';
import { getMessage, lockMessageStatus, markMessage } from '../../db/messages.ts';

/** How long a held step waits before it is tried again, unless the account is reconnected sooner. */
const HOLD_RETRY_MS = 60 * 60 * 1000;
const OUTSTANDING = ['sending', 'sent', 'delivered', 'unknown'];

/** Puts each unsent message's step back, held by the account; returns the enrollments held. */
export async function holdUnsent(
  sql: Sql,
  input: { provider: string; senderId: string; providerMessageIds: readonly string[]; reason: string; now: Date },
): Promise<string[]> {
  const held: string[] = [];
  const ids: string[] = [];
  // A batched launch names every message of its batch.
  for (const providerMessageId of input.providerMessageIds)
    ids.push(...(await messagesOfProviderId(sql, input.provider, providerMessageId)));
  for (const id of ids) {
    const found = await getMessage(sql, id);
    if (!found) continue;
    // Lock order: the enrollment first, as everywhere else.
    const enrollment = await getEnrollment(sql, found.enrollmentId, { lock: true });
    const status = await lockMessageStatus(sql, found.id);
    if (!enrollment || !status || !OUTSTANDING.includes(status)) continue;
    await markMessage(sql, found.id, { status: 'deferred', error: `auth_expired: ${input.reason}` });
    // A sequence that ended on this step did not really end: it runs again from it.
    const reopen = enrollment.status === 'completed';
    const running = reopen || enrollment.status === 'active' || enrollment.status === 'paused';
    const until = new Date(input.now.getTime() + HOLD_RETRY_MS);
    if (running && enrollment.currentStep === found.step + 1) {
      await updateEnrollment(sql, enrollment.id, {
        ...(reopen ? { status: 'active', completedAt: null } : {}),
        currentStep: found.step,
        nextRunAt: until,
        hold: { by: 'account', ref: input.senderId },
      });
      held.push(enrollment.id);
    }
    await addActivity(sql, {
      workspaceId: found.workspaceId,
      contactId: found.contactId,
      type: 'deferred',
      summary: `Step ${found.step} did not go out and waits for the account: ${input.reason}`,
      data: { enrollmentId: enrollment.id, messageId: found.id, step: found.step, reason: 'auth_expired' },
      occurredAt: input.now,
    });
  }
  return held;
}
