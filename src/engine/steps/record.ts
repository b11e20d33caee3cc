// Recording what a provider call came to, when it is not the common accepted send (deliver.ts
// records that in one statement): an unknown fate after a crash, an accepted send with renewed
// credentials, or a failure — retried with back-off, held until what it needs exists, a bounce, an
// opt-out or a final failure (failureAction in channels/types.ts decides which). One transaction
// with the enrollment locked; a reservation is settled once.
import { failureAction, type SendFailure, type SendResult } from '../../channels/types.ts';
import { decideOnRefusal } from '../../core/decideOnEvent.ts';
import { redactSecrets } from '../../core/redact.ts';
import { contactNotes } from '../../db/activities.ts';
import { setContactStatus } from '../../db/contacts.ts';
import type { Sql } from '../../db/database.ts';
import { getEnrollment, updateEnrollment, type EnrollmentRow } from '../../db/enrollments.ts';
import { addMessageEvent, lockMessageStatus, markMessage, refundAttempt, type MessageRow } from '../../db/messages.ts';
import { setSenderLimit, setSenderStatus, updateSender } from '../../db/senders.ts';
import { resealCredentials } from '../accounts/credentials.ts';
import { applyEffects } from '../events/applyEffects.ts';
import type { EngineDeps } from '../ports.ts';
import type { Delivery } from './deliver.ts';
import type { AfterCommit, Hold } from './types.ts';

const MAX_ATTEMPTS = 10;
/** How long a held step waits before it is tried again (unless what holds it is released sooner). */
const HOLD_RETRY_MS = 60 * 60 * 1000;

export type Settled = SendResult | { unknown: true; reason: string };

export const sentSummary = (message: MessageRow) =>
  `Sent step ${message.step} (${message.channel}, ${message.purpose}) via ${message.provider}`;

type Recording = {
  sql: Sql;
  deps: EngineDeps;
  d: Delivery;
  enrollment: EnrollmentRow;
  now: Date;
  after: AfterCommit;
  note: (type: string, summary: string, data?: Record<string, unknown>) => Promise<void>;
  /** Runs the enrollment on now (its next step), when it still runs. */
  continueNow: () => Promise<'continue' | undefined>;
};

export async function recordOutcome(
  sql: Sql,
  deps: EngineDeps,
  d: Delivery,
  outcome: Settled,
  after: AfterCommit,
): Promise<'continue' | undefined> {
  const now = deps.clock.now();
  const { message, contact } = d;
  // Lock order: enrollment first, as everywhere else.
  const enrollment = await getEnrollment(sql, message.enrollmentId, { lock: true });
  if (!enrollment) return;
  // Someone else already settled this reservation (a reconciliation, a cancellation): record nothing twice.
  if ((await lockMessageStatus(sql, message.id)) !== 'sending') return;
  const ws = message.workspaceId;
  const running = enrollment.status === 'active' || enrollment.status === 'paused';
  const r: Recording = {
    sql,
    deps,
    d,
    enrollment,
    now,
    after,
    note: contactNotes(sql, {
      workspaceId: ws,
      contactId: contact.id,
      occurredAt: now,
      base: { enrollmentId: enrollment.id, messageId: message.id, step: message.step, channel: message.channel },
    }),
    async continueNow() {
      if (!running) return undefined;
      await updateEnrollment(sql, enrollment.id, { nextRunAt: now });
      if (!d.inline)
        after.push(() => deps.schedule([{ ref: { workspaceId: ws, enrollmentId: enrollment.id }, at: now }]));
      return 'continue';
    },
  };
  if ('unknown' in outcome) {
    await markMessage(sql, message.id, { status: 'unknown', error: outcome.reason });
    await r.note(
      'unknown',
      `Step ${message.step} may or may not have gone out before a crash (${outcome.reason}); it was not sent again`,
    );
    return r.continueNow();
  }
  if (outcome.ok) return recordAccepted(r, outcome.value);
  // Whatever the provider, its words are stored and shown: never with a URL's credentials in them.
  return recordFailure(r, { ...outcome.failure, message: redactSecrets(outcome.failure.message) }, running);
}

async function recordAccepted(
  r: Recording,
  value: Extract<SendResult, { ok: true }>['value'],
): Promise<'continue' | undefined> {
  const { sql, d, now } = r;
  const { message } = d;
  await markMessage(sql, message.id, {
    status: 'sent',
    providerMessageId: value.providerMessageId,
    ...(value.providerThreadId ? { providerThreadId: value.providerThreadId } : {}),
    ...(value.rfcMessageId ? { rfcMessageId: value.rfcMessageId } : {}),
    sentAt: now,
  });
  await addMessageEvent(sql, {
    workspaceId: message.workspaceId,
    messageId: message.id,
    type: 'sent',
    occurredAt: now,
  });
  await setContactStatus(sql, d.contact.id, 'contacted', ['new']);
  if (value.refreshedCredentials && d.sender)
    await updateSender(sql, d.sender.id, {
      credentials: resealCredentials(r.deps, d.sender, value.refreshedCredentials),
    });
  await r.note('sent', sentSummary(message), {
    provider: message.provider,
    senderId: message.senderId,
    subject: message.subject,
  });
  return r.continueNow();
}

async function recordFailure(r: Recording, failure: SendFailure, running: boolean): Promise<'continue' | undefined> {
  const { sql, d, now, enrollment } = r;
  const { message } = d;
  const action = failureAction(failure);
  // A provider's rate limit or quota says "not now", not "this message fails": it never uses up
  // the attempts, however long the limit lasts.
  const throttled = failure.kind === 'rate_limited';
  if (action === 'retry' && (throttled || message.attempts < MAX_ATTEMPTS)) {
    const backoffSeconds =
      'retryAfterSeconds' in failure && failure.retryAfterSeconds
        ? failure.retryAfterSeconds
        : Math.min(6 * 3600, 300 * 2 ** (message.attempts - 1));
    const retryAt = new Date(now.getTime() + backoffSeconds * 1000);
    if (failure.kind === 'rate_limited' && failure.accountLimit && d.sender)
      await setSenderLimit(sql, d.sender.id, retryAt, failure.message);
    if (throttled) await refundAttempt(sql, message.id);
    // The account row before the message: a reservation locks the account, then its counters
    // (the message trigger); taking them in the other order here could deadlock with it.
    if (failure.kind === 'auth_expired' && d.sender)
      await setSenderStatus(sql, d.sender.id, 'disconnected', failure.message);
    const hold: Hold =
      failure.kind === 'auth_expired' && d.sender
        ? { by: 'account', ref: d.sender.id }
        : { by: 'retry', ref: d.sender?.id ?? null };
    return defer(r, running, failure, retryAt, hold);
  }
  if (action === 'unknown') {
    await markMessage(sql, message.id, { status: 'unknown', error: `${failure.kind}: ${failure.message}` });
    await r.note(
      'unknown',
      `Step ${message.step} may already have gone out (${failure.message}); it was not sent again`,
    );
    return r.continueNow();
  }
  if (action === 'hold')
    return defer(r, running, failure, new Date(now.getTime() + HOLD_RETRY_MS), {
      by: failure.kind === 'window_closed' ? 'window_closed' : 'template_required',
      ref: d.sender?.id ?? null,
    });
  if (action === 'bounce' || action === 'suppress') {
    const checkHealth = action === 'bounce' && (r.deps.adapters[message.provider]?.screens ?? []).includes('health');
    const effects = decideOnRefusal(action, {
      step: message.step,
      channel: message.channel,
      message: failure.message,
      checkHealth,
    });
    await applyEffects(sql, effects, { message, enrollment, contact: d.contact, occurredAt: now, now });
    return action === 'suppress' ? r.continueNow() : undefined;
  }
  await markMessage(sql, message.id, { status: 'failed', error: `${failure.kind}: ${failure.message}` });
  await r.note('failed', `Step ${message.step} failed: ${failure.message}`, { reason: failure.kind });
  return r.continueNow();
}

/** Defers the step (the message `deferred`, the enrollment back on it) until `retryAt`, with what holds it. */
async function defer(
  r: Recording,
  running: boolean,
  failure: SendFailure,
  retryAt: Date,
  hold: Hold,
): Promise<undefined> {
  const { sql, d, enrollment } = r;
  const { message } = d;
  await markMessage(sql, message.id, { status: 'deferred', error: `${failure.kind}: ${failure.message}` });
  if (running && enrollment.currentStep === message.step + 1) {
    await updateEnrollment(sql, enrollment.id, { currentStep: message.step, nextRunAt: retryAt, hold });
    const ref = { workspaceId: message.workspaceId, enrollmentId: enrollment.id };
    r.after.push(() => r.deps.schedule([{ ref, at: retryAt }]));
  }
  await r.note('deferred', `Step ${message.step} deferred until ${retryAt.toISOString()}: ${failure.message}`, {
    reason: failure.kind,
    until: retryAt.toISOString(),
  });
  return undefined;
}
