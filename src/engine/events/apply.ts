// Acting on one event about one of our messages, whoever told us (a stored provider webhook, a
// mailbox poll, a tracking link): decideOnEvent says what it means, applyEffects carries it out, in
// one tenant transaction with the enrollment locked. Idempotent and order-independent (see
// core/decideOnEvent.ts).
import { decideOnEvent } from '../../core/decideOnEvent.ts';
import { occurredAt as eventTime, type InboundEvent } from '../../core/events.ts';
import { classifyMachineTraffic } from '../../core/tracking.ts';
import type { Channel } from '../../core/channels.ts';
import { getContact } from '../../db/contacts.ts';
import type { Sql } from '../../db/database.ts';
import { getEnrollment } from '../../db/enrollments.ts';
import { getMessage, type MessageRow } from '../../db/messages.ts';
import { applyEffects } from './applyEffects.ts';

export type EventApplied = 'applied' | 'duplicate' | 'unknown_message';
type MessageEvent = Exclude<InboundEvent, { type: 'replied' }>;

/** Applies one event to one of our messages (by id) inside the caller's tenant transaction. */
export async function applyMessageEvent(
  sql: Sql,
  input: { messageId: string; event: MessageEvent; now: Date; key?: string },
): Promise<EventApplied> {
  const { now } = input;
  const found = await getMessage(sql, input.messageId);
  if (!found) return 'unknown_message';
  // Lock order: the enrollment first, as everywhere else.
  const enrollment = await getEnrollment(sql, found.enrollmentId, { lock: true });
  const message = (await getMessage(sql, input.messageId)) ?? found;
  const contact = await getContact(sql, message.contactId);
  if (!enrollment || !contact) return 'unknown_message';
  const occurredAt = eventTime(input.event.at, now);
  const event = judged(input.event, message, occurredAt);
  const effects = decideOnEvent(event, {
    message: { id: message.id, step: message.step, channel: message.channel as Channel, openedAt: message.openedAt },
    running: enrollment.status === 'active' || enrollment.status === 'paused',
    now,
  });
  const applied = await applyEffects(sql, effects, {
    message,
    enrollment,
    contact,
    occurredAt,
    now,
    ...(input.key ? { key: input.key } : {}),
  });
  return applied.status;
}

/**
 * Opens and clicks a provider reports are judged here, by the rules every pixel hit goes through
 * (core/tracking.ts). A provider that reports an open with no user agent and no address tells
 * nothing of a person or a privacy proxy: it is stored as provider-reported machine traffic and
 * never counted (our own pixel, which sees who fetched it, counts the person). A reported click
 * without a user agent can only be judged by its timing.
 */
function judged(event: MessageEvent, message: MessageRow, occurredAt: Date): MessageEvent {
  if ((event.type !== 'opened' && event.type !== 'clicked') || event.machine !== undefined || !event.reportedBy)
    return event;
  const seconds = message.sentAt ? (occurredAt.getTime() - message.sentAt.getTime()) / 1000 : Infinity;
  const verdict = classifyMachineTraffic({
    method: 'GET',
    userAgent: event.type === 'opened' ? event.userAgent : (event.userAgent ?? 'Mozilla/5.0 (unknown)'),
    ...(event.ip ? { ip: event.ip } : {}),
    secondsSinceDelivery: seconds,
    kind: event.type === 'opened' ? 'open' : 'click',
  });
  const reason =
    verdict.reason && event.type === 'opened' ? `reported by ${event.reportedBy}: ${verdict.reason}` : verdict.reason;
  return { ...event, machine: verdict.machine, ...(reason ? { machineReason: reason } : {}) };
}
