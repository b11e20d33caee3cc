// The second half of running an enrollment: call the provider for a reserved message (or, after a
// crash, find out whether it went out), then record the outcome in one transaction. Never sends
// blindly twice: a reservation whose fate is unknown is resent only where the provider's
// idempotency key makes that safe, and otherwise marked `unknown`.
import { isRetryable, type OutboundMessage, type ProviderId, type SendResult } from '../../channels/types.ts';
import { addActivity } from '../../db/activities.ts';
import type { Contact } from '../../db/contacts.ts';
import type { Sql } from '../../db/database.ts';
import { getEnrollment, updateEnrollment } from '../../db/enrollments.ts';
import { addMessageEvent, markMessage, type MessageRow } from '../../db/messages.ts';
import { recordSent } from '../../db/reservations.ts';
import { uuidv7 } from '../../db/uuidv7.ts';
import { setSenderStatus, updateSender, type SenderRow } from '../../db/senders.ts';
import { suppressContact } from '../../db/suppressions.ts';
import type { EngineDeps } from '../ports.ts';
import type { AfterCommit } from './types.ts';
import { checkSenderHealth } from '../accounts/health.ts';
import { emailOutbound } from './outbound.ts';
import { openCredentials, resealCredentials } from '../accounts/credentials.ts';

const MAX_ATTEMPTS = 10;

export type Delivery = {
  message: MessageRow;
  sender: SenderRow | null;
  contact: Contact;
  reconcile: boolean;
  /** The caller runs the enrollment on at once when its next step is due now: schedule no job for it. */
  inline?: boolean;
  /** The sequence has no step after this one: recording the send completes the enrollment. */
  last?: boolean;
};

type Settled = SendResult | { unknown: true; reason: string };
type Outcome = Settled | { abandoned: true };

/** 'continue' when the enrollment's next step is due now (and, inline, no job was scheduled for it). */
export type Delivered = { next: 'continue' | 'done' };

export async function deliverStep(deps: EngineDeps, delivery: Delivery): Promise<Delivered> {
  const outcome = await callProvider(deps, delivery);
  // The lease ran out before the call could start: leave the reservation to reconciliation.
  if ('abandoned' in outcome) return { next: 'done' };
  if (isPlainSend(outcome)) return recordPlainSend(deps, delivery, outcome.value);
  const after: AfterCommit = [];
  const next = await deps.db.tenant(delivery.message.workspaceId, (sql) =>
    recordOutcome(sql, deps, delivery, outcome, after),
  );
  for (const action of after) await action();
  return { next: next ?? 'done' };
}

type Accepted = Extract<SendResult, { ok: true }>['value'];

/** Accepted, with no refreshed credentials to store: the one-statement path (recordSent). */
function isPlainSend(outcome: Settled): outcome is { ok: true; value: Accepted } {
  return (
    'ok' in outcome && outcome.ok && !('refreshedCredentials' in outcome.value && outcome.value.refreshedCredentials)
  );
}

async function recordPlainSend(deps: EngineDeps, d: Delivery, value: Accepted): Promise<Delivered> {
  const { message } = d;
  const now = deps.clock.now();
  const recorded = await recordSent(deps.db, {
    workspaceId: message.workspaceId,
    messageId: message.id,
    enrollmentId: message.enrollmentId,
    contactId: d.contact.id,
    providerMessageId: value.providerMessageId,
    providerThreadId: value.providerThreadId ?? null,
    sentAt: now,
    activity: {
      id: uuidv7(),
      summary: sentSummary(message),
      data: {
        enrollmentId: message.enrollmentId,
        messageId: message.id,
        step: message.step,
        channel: message.channel,
        provider: message.provider,
        senderId: message.senderId,
        subject: message.subject,
      },
    },
    last: d.last === true,
    ...(d.last ? { completedActivityId: uuidv7() } : {}),
  });
  const ref = { workspaceId: message.workspaceId, enrollmentId: message.enrollmentId };
  if (recorded.completed) await deps.completed(ref);
  if (!recorded.continues) return { next: 'done' };
  if (!d.inline) await deps.schedule([{ ref, at: now }]);
  return { next: 'continue' };
}

const sentSummary = (message: MessageRow) =>
  `Sent step ${message.step} (${message.channel}, ${message.purpose}) via ${message.provider}`;

async function callProvider(deps: EngineDeps, { message, sender, contact, reconcile }: Delivery): Promise<Outcome> {
  const adapter = deps.adapters[message.provider as ProviderId] as (typeof deps.adapters)[ProviderId] | undefined;
  if (!adapter)
    return { ok: false, failure: { kind: 'rejected', message: `no adapter for provider "${message.provider}"` } };
  let credentials: unknown = {};
  try {
    if (sender?.credentials) credentials = openCredentials(deps.encryptionKey, sender.credentials).adapter;
  } catch {
    return {
      ok: false,
      failure: { kind: 'auth_expired', message: 'stored credentials cannot be decrypted with the configured key' },
    };
  }
  // The call must end before the reservation's lease does: past it, another runner may reconcile
  // the message, and a provider without idempotency keys could then see it twice.
  const leftMs = message.leaseUntil
    ? message.leaseUntil.getTime() - deps.clock.now().getTime() - 1000
    : deps.sendTimeoutMs;
  if (leftMs <= 0) return { abandoned: true };
  const context = { signal: AbortSignal.timeout(Math.min(deps.sendTimeoutMs, leftMs)) };
  try {
    if (reconcile) {
      const found = await adapter.lookup(message.id, credentials, context);
      if ('found' in found && found.found) return { ok: true, value: found.value };
      const provenAbsent = 'found' in found && !found.found;
      if (!provenAbsent && !adapter.idempotent) {
        return { unknown: true, reason: `${message.provider} cannot tell whether it was delivered` };
      }
    }
    const email = await emailOutbound(deps, message, toOutbound(message, sender, contact));
    if (!email.ok) return { ok: false, failure: email.failure };
    return await adapter.send(email.outbound, credentials, context);
  } catch (error) {
    // An adapter that throws has a bug; treat it as a provider outage so the step is retried.
    deps.log.error({ err: error, messageId: message.id }, 'adapter threw');
    return {
      ok: false,
      failure: { kind: 'provider_down', message: error instanceof Error ? error.message : String(error) },
    };
  }
}

function toOutbound(message: MessageRow, sender: SenderRow | null, contact: Contact): OutboundMessage {
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ') || undefined;
  return {
    id: message.id,
    channel: message.channel as OutboundMessage['channel'],
    purpose: message.purpose,
    to: {
      email: contact.email ?? undefined,
      phone: contact.phone ?? undefined,
      linkedinUrl: contact.linkedinUrl ?? undefined,
      name,
    },
    from: {
      email: sender?.fromEmail ?? undefined,
      name: sender?.fromName ?? undefined,
      phone: sender?.fromPhone ?? undefined,
    },
    ...(message.subject ? { subject: message.subject } : {}),
    text: message.body,
    ...(message.providerThreadId ? { providerThreadId: message.providerThreadId } : {}),
  };
}

async function recordOutcome(
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
  const { rows: current } = await sql.query<{ status: string }>(
    'SELECT status FROM messages WHERE id = $1 FOR UPDATE',
    [message.id],
  );
  if (current[0]?.status !== 'sending') return;
  const ws = message.workspaceId;
  const note = (type: string, summary: string, data: Record<string, unknown> = {}) =>
    addActivity(sql, {
      workspaceId: ws,
      contactId: contact.id,
      type,
      summary,
      data: {
        enrollmentId: enrollment.id,
        messageId: message.id,
        step: message.step,
        channel: message.channel,
        ...data,
      },
      occurredAt: now,
    });
  const running = enrollment.status === 'active' || enrollment.status === 'paused';
  const continueNow = async (): Promise<'continue' | undefined> => {
    if (!running) return undefined;
    await updateEnrollment(sql, enrollment.id, { nextRunAt: now });
    if (!d.inline)
      after.push(() => deps.schedule([{ ref: { workspaceId: ws, enrollmentId: enrollment.id }, at: now }]));
    return 'continue';
  };

  if ('unknown' in outcome) {
    await markMessage(sql, message.id, { status: 'unknown', error: outcome.reason });
    await note(
      'unknown',
      `Step ${message.step} may or may not have gone out before a crash (${outcome.reason}); it was not sent again`,
    );
    return continueNow();
  }
  if (outcome.ok) {
    await markMessage(sql, message.id, {
      status: 'sent',
      providerMessageId: outcome.value.providerMessageId,
      ...(outcome.value.providerThreadId ? { providerThreadId: outcome.value.providerThreadId } : {}),
      sentAt: now,
    });
    await addMessageEvent(sql, { workspaceId: ws, messageId: message.id, type: 'sent', occurredAt: now });
    await sql.query(`UPDATE contacts SET status = 'contacted', updated_at = now() WHERE id = $1 AND status = 'new'`, [
      contact.id,
    ]);
    const refreshed = 'refreshedCredentials' in outcome.value ? outcome.value.refreshedCredentials : undefined;
    if (refreshed && d.sender)
      await updateSender(sql, d.sender.id, {
        credentials: resealCredentials(deps.encryptionKey, d.sender.credentials, refreshed),
      });
    await note('sent', sentSummary(message), {
      provider: message.provider,
      senderId: message.senderId,
      subject: message.subject,
    });
    return continueNow();
  }

  const failure = outcome.failure;
  if (isRetryable(failure) && message.attempts < MAX_ATTEMPTS) {
    const backoffSeconds =
      'retryAfterSeconds' in failure && failure.retryAfterSeconds
        ? failure.retryAfterSeconds
        : Math.min(6 * 3600, 300 * 2 ** (message.attempts - 1));
    const retryAt = new Date(now.getTime() + backoffSeconds * 1000);
    // The account row before the message: a reservation locks the account, then its counters
    // (the message trigger); taking them in the other order here could deadlock with it.
    if (failure.kind === 'auth_expired' && d.sender)
      await setSenderStatus(sql, d.sender.id, 'disconnected', failure.message);
    await markMessage(sql, message.id, { status: 'deferred', error: `${failure.kind}: ${failure.message}` });
    if (running && enrollment.currentStep === message.step + 1) {
      await updateEnrollment(sql, enrollment.id, { currentStep: message.step, nextRunAt: retryAt });
      after.push(() => deps.schedule([{ ref: { workspaceId: ws, enrollmentId: enrollment.id }, at: retryAt }]));
    }
    await note('deferred', `Step ${message.step} deferred until ${retryAt.toISOString()}: ${failure.message}`, {
      reason: failure.kind,
      until: retryAt.toISOString(),
    });
    return;
  }
  if (failure.kind === 'invalid_recipient') {
    await markMessage(sql, message.id, { status: 'bounced', error: failure.message });
    await addMessageEvent(sql, {
      workspaceId: ws,
      messageId: message.id,
      type: 'bounced',
      occurredAt: now,
      metadata: { type: 'hard', reason: failure.message },
    });
    await suppressContact(
      sql,
      ws,
      {
        email: message.channel === 'email' ? contact.email : null,
        phone: ['sms', 'whatsapp', 'call'].includes(message.channel) ? contact.phone : null,
        linkedinUrl: null,
      },
      message.channel,
      'hard_bounce',
    );
    await sql.query(`UPDATE contacts SET status = 'bounced', updated_at = now() WHERE id = $1`, [contact.id]);
    if (running)
      await updateEnrollment(sql, enrollment.id, {
        status: 'stopped',
        stopReason: 'bounced',
        stopped: true,
        nextRunAt: null,
      });
    await note('bounced', `Step ${message.step} bounced: ${failure.message}`);
    if (message.channel === 'email') await checkSenderHealth(sql, { message, contactId: contact.id, now });
    return;
  }
  await markMessage(sql, message.id, { status: 'failed', error: `${failure.kind}: ${failure.message}` });
  await note('failed', `Step ${message.step} failed: ${failure.message}`, { reason: failure.kind });
  return continueNow();
}
