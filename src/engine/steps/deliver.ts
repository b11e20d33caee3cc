// The second half of running an enrollment: call the provider for a reserved message (or, after a
// crash, find out whether it went out), then record the outcome (record.ts). Never sends blindly
// twice: a reservation whose fate is unknown is resent only where the provider's idempotency key
// makes that safe, and otherwise marked `unknown`.
import type { RegisteredAdapter } from '../../channels/register.ts';
import type { AdapterContext, OutboundMessage, SendResult } from '../../channels/types.ts';
import type { Contact } from '../../db/contacts.ts';
import { sentEarlierBy, type MessageRow } from '../../db/messages.ts';
import { recordSent } from '../../db/reservations.ts';
import type { SenderRow } from '../../db/senders.ts';
import { uuidv7 } from '../../db/uuidv7.ts';
import { openCredentials } from '../accounts/credentials.ts';
import { sendsInBatches } from '../accounts/batchedSends.ts';
import { queuedId } from '../../db/batchedSends.ts';
import type { EngineDeps } from '../ports.ts';
import { prepareOutbound } from './outbound.ts';
import { paceAccount } from './pacing.ts';
import { recordOutcome, sentSummary, type Settled } from './record.ts';
import type { AfterCommit } from './types.ts';

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

/** Accepted, with no refreshed credentials nor a replaced Message-ID to store: the one-statement path (recordSent). */
function isPlainSend(outcome: Settled): outcome is { ok: true; value: Accepted } {
  return (
    'ok' in outcome && outcome.ok && !outcome.value.refreshedCredentials && outcome.value.rfcMessageId === undefined
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

async function callProvider(deps: EngineDeps, { message, sender, contact, reconcile }: Delivery): Promise<Outcome> {
  const adapter = deps.adapters[message.provider];
  if (!adapter)
    return { ok: false, failure: { kind: 'rejected', message: `no adapter for provider "${message.provider}"` } };
  let credentials: unknown = {};
  try {
    if (sender) credentials = openCredentials(deps, sender);
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
  const context = { signal: AbortSignal.timeout(Math.min(deps.sendTimeoutMs, leftMs)), now: deps.clock.now() };
  try {
    if (reconcile) {
      const settled = await reconcileByLookup(deps, { adapter, message, credentials, context });
      if (settled) return settled;
    }
    const base = toOutbound(message, sender, contact);
    const prepared = await prepareOutbound(deps, { message, adapter, base, credentials, contact, sender });
    if (!prepared.ok) return { ok: false, failure: prepared.failure };
    // Batched sends: the reservation is the send; the account's next poll sends it with others.
    if (sender && sendsInBatches(deps, message.provider))
      return { ok: true, value: { providerMessageId: queuedId(message.id) } };
    const paced = await paceAccount(deps, {
      adapter,
      sender,
      credentials,
      work: { kind: 'send', message: prepared.outbound },
      reserve: true,
    });
    if (paced)
      return {
        ok: false,
        failure: { kind: paced.kind, message: paced.message, retryAfterSeconds: paced.retryAfterSeconds },
      };
    const sent = await adapter.send(prepared.outbound, credentials, context);
    // Timed out mid-call: the request may have reached a provider that keeps no idempotency key
    // (WhatsApp, SMTP): resending could deliver it twice, so its fate is unknown.
    if (!sent.ok && sent.failure.kind === 'provider_down' && context.signal.aborted && !adapter.idempotent)
      return { unknown: true, reason: `${message.provider} did not answer in time: ${sent.failure.message}` };
    return sent;
  } catch (error) {
    // An adapter that throws has a bug; treat it as a provider outage so the step is retried.
    deps.log.error({ err: error, messageId: message.id }, 'adapter threw');
    return {
      ok: false,
      failure: { kind: 'provider_down', message: error instanceof Error ? error.message : String(error) },
    };
  }
}

/** How many earlier sends of the account a lookup may check for (email: does the mailbox file what is sent?). */
const SENT_EARLIER = 3;

/**
 * After a crash: what the provider knows of the message. Settled when it was found, or when it
 * cannot be sent again safely (unknown); undefined when it may be sent (proven absent, or an
 * idempotency key that still holds).
 */
async function reconcileByLookup(
  deps: EngineDeps,
  input: { adapter: RegisteredAdapter; message: MessageRow; credentials: unknown; context: AdapterContext },
): Promise<Settled | undefined> {
  const { adapter, message } = input;
  const sentEarlier =
    message.channel === 'email' && message.senderId !== null
      ? await deps.db.tenant(message.workspaceId, (sql) =>
          sentEarlierBy(sql, { senderId: message.senderId ?? '', before: deps.clock.now(), limit: SENT_EARLIER }),
        )
      : [];
  const found = await adapter.lookup(message.id, input.credentials, {
    ...input.context,
    ...(message.rfcMessageId ? { rfcMessageId: message.rfcMessageId } : {}),
    sentEarlier,
  });
  if ('found' in found && found.found) return { ok: true, value: found.value };
  if ('found' in found) return undefined;
  const unsafe = unsafeToResend(adapter, message, deps.clock.now());
  if (!unsafe) return undefined;
  return { unknown: true, reason: found.reason ? `${unsafe}: ${found.reason}` : unsafe };
}

/** Keys a resend must not outlive: the provider may have forgotten the first call's key by then. */
const KEY_MARGIN_MS = 10 * 60 * 1000;

/** Why resending a message whose fate is unknown could deliver it twice, or undefined when it cannot. */
function unsafeToResend(
  adapter: { idempotent: boolean; idempotencyWindowMs?: number },
  message: MessageRow,
  now: Date,
): string | undefined {
  if (!adapter.idempotent) return `${message.provider} cannot tell whether it was delivered`;
  const window = adapter.idempotencyWindowMs;
  if (window !== undefined && now.getTime() - message.reservedAt.getTime() > window - KEY_MARGIN_MS)
    return `${message.provider} cannot tell whether it was delivered, and its idempotency key may have expired`;
  return undefined;
}

function toOutbound(message: MessageRow, sender: SenderRow | null, contact: Contact): OutboundMessage {
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ') || undefined;
  return {
    id: message.id,
    channel: message.channel,
    purpose: message.purpose,
    to: {
      email: contact.email ?? undefined,
      phone: contact.phone ?? undefined,
      linkedinUrl: contact.linkedinUrl ?? undefined,
      name,
      ...(message.channel === 'whatsapp' ? { facts: templateFacts(contact) } : {}),
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

/** What a WhatsApp template's named variables may ask of the person: custom fields, then the contact's own facts. */
function templateFacts(contact: Contact): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const [key, value] of Object.entries(contact.custom))
    if (typeof value === 'string' || typeof value === 'number') facts[key] = String(value);
  const own = { company: contact.company, title: contact.title, city: contact.city, country: contact.country };
  for (const [key, value] of Object.entries(own)) if (value) facts[key] = value;
  return facts;
}
