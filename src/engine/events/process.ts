// inbound/event.received: acts on a stored inbound request (a provider webhook, or one polled
// event) once — processed_at is set when it is done. Each event is matched to one of our messages
// in the owning workspace; a reply goes through the reply path (classified, acted on at once), any
// other event through decideOnEvent (apply.ts). Idempotent: events dedupe on their keys.
// A provider's event can arrive before the send that it is about has been recorded (the webhook
// beats our commit): an event naming a provider message id we do not have yet is left unprocessed
// and matched again by the inbound sweep, for MATCH_WINDOW_MS, before it is closed as not ours.
import { occurredAt, type KeyedEvent } from '../../core/events.ts';
import { finishInboundEvent, loadInboundEvent, setInboundOwner, type StoredInbound } from '../../db/inboundEvents.ts';
import { messagesOfProviderId, unsettledOfProviderId } from '../../db/batchedSends.ts';
import { findMessageByRef } from '../../db/messages.ts';
import type { EngineDeps } from '../ports.ts';
import { applyCallStatus } from '../commands/tasks.ts';
import { applyMessageEvent } from './apply.ts';
import { ownerOf } from './ingest.ts';
import type { IncomingReply, ReplyOutcome } from './replies.ts';

export type ReceiveReply = (
  workspaceId: string,
  reply: Omit<IncomingReply, 'receivedAt'> & { receivedAt?: Date },
) => Promise<ReplyOutcome | undefined>;

export async function processInboundEvent(
  deps: EngineDeps,
  eventId: string,
  receiveReply: ReceiveReply,
): Promise<void> {
  const row = await deps.db.system((sql) => loadInboundEvent(sql, eventId));
  if (!row || row.processedAt) return;
  const events = row.events ?? reparse(deps, row);
  const now = deps.clock.now();
  const waiting = now.getTime() - row.receivedAt.getTime() < MATCH_WINDOW_MS && events.some(namesProviderMessage);
  const workspaceId = row.workspaceId ?? (await ownerNow(deps, eventId, row, events));
  if (!workspaceId) {
    if (!waiting) await finishInboundEvent(deps.db, eventId, now, 'no message of ours');
    return;
  }
  const outcomes: string[] = [];
  let unmatched = false;
  for (const keyed of events) {
    const outcome = await applyInbound(deps, { workspaceId, provider: row.provider, keyed, receiveReply });
    if (outcome === NOT_OURS && namesProviderMessage(keyed)) unmatched = true;
    outcomes.push(outcome);
  }
  // Matched again by the sweep (the applied ones dedupe on their keys).
  if (unmatched && waiting) return;
  await finishInboundEvent(deps.db, eventId, deps.clock.now(), outcomes.join('; ') || 'nothing to do');
}

/** How long an event about a provider message we do not know yet is matched again. */
export const MATCH_WINDOW_MS = 15 * 60 * 1000;
const NOT_OURS = 'no message of ours';

const namesProviderMessage = (keyed: KeyedEvent) => keyed.event.ref.providerMessageId !== undefined;

/** A request stored without an owner: its message may have been recorded since. */
async function ownerNow(
  deps: EngineDeps,
  eventId: string,
  row: StoredInbound,
  events: readonly KeyedEvent[],
): Promise<string | undefined> {
  if (!row.ownerCandidates) return undefined;
  const candidates = row.ownerCandidates;
  return deps.db.system(async (sql) => {
    const owner = await ownerOf(sql, row.provider, events, candidates);
    if (owner) await setInboundOwner(sql, eventId, owner);
    return owner;
  });
}

/** Acts on one event in a workspace; returns what came of it, for the stored row's outcome. */
export async function applyInbound(
  deps: EngineDeps,
  input: { workspaceId: string; provider: string; keyed: KeyedEvent; receiveReply: ReceiveReply },
): Promise<string> {
  const { workspaceId, provider, keyed } = input;
  const { event, key } = keyed;
  if (event.type === 'call' && event.ref.channel === 'call' && event.ref.providerMessageId) {
    const at = occurredAt(event.at, deps.clock.now());
    const outcome = await applyCallStatus(deps, workspaceId, {
      callSid: event.ref.providerMessageId,
      status: event.outcome,
      at,
    });
    return `call: ${outcome}`;
  }
  if (event.ref.wholeBatch && event.ref.providerMessageId)
    return applyToBatch(deps, { ...input, providerMessageId: event.ref.providerMessageId });
  const messageId = await deps.db.tenant(workspaceId, (sql) =>
    findMessageByRef(sql, event.ref, { provider, byThread: event.type === 'replied' }),
  );
  if (!messageId) return NOT_OURS;
  if (event.type === 'replied') {
    const outcome = await input.receiveReply(workspaceId, {
      messageId,
      body: event.text,
      ...(event.subject ? { subject: event.subject } : {}),
      ...(event.headers ? { headers: event.headers } : {}),
      source: event.via,
      providerEventId: key,
      ...(event.at ? { receivedAt: occurredAt(event.at, deps.clock.now()) } : {}),
    });
    return `replied: ${outcome ? (outcome.duplicate ? 'duplicate' : outcome.action) : 'no message of ours'}`;
  }
  const now = deps.clock.now();
  const result = await deps.db.tenant(workspaceId, (sql) => applyMessageEvent(sql, { messageId, event, now, key }));
  return `${event.type}: ${result}`;
}

/**
 * An event about a whole batch (a send that ended with no outcome for some or all of its
 * messages): applied to each message of its provider id that has no outcome of its own.
 */
async function applyToBatch(
  deps: EngineDeps,
  input: { workspaceId: string; provider: string; keyed: KeyedEvent; providerMessageId: string },
): Promise<string> {
  const { workspaceId, keyed } = input;
  // A reply is always one person's: never a whole batch's.
  if (keyed.event.type === 'replied') return `${keyed.event.type}: not applied to a whole batch`;
  const ids = await deps.db.tenant(workspaceId, (sql) =>
    unsettledOfProviderId(sql, input.provider, input.providerMessageId),
  );
  if (ids.length === 0) {
    // Not recorded yet (the send's answer is being stored by another worker): matched again later.
    const known = await deps.db.tenant(workspaceId, (sql) =>
      messagesOfProviderId(sql, input.provider, input.providerMessageId),
    );
    return known.length === 0 ? NOT_OURS : `${keyed.event.type}: every message of the batch has its outcome`;
  }
  const now = deps.clock.now();
  const results: string[] = [];
  for (const messageId of ids) {
    const event = { ...keyed.event, ref: { ...keyed.event.ref, messageId } };
    const key = `${keyed.key}:${messageId}`;
    results.push(await deps.db.tenant(workspaceId, (sql) => applyMessageEvent(sql, { messageId, event, now, key })));
  }
  return `${keyed.event.type} (batch of ${ids.length}): ${results.join(', ')}`;
}

/** Rows stored before events were kept with them: parse the stored body again. */
function reparse(deps: EngineDeps, row: { provider: string; providerEventId: string; payload: unknown }): KeyedEvent[] {
  const webhook = (deps.adapters as Record<string, (typeof deps.adapters)[keyof typeof deps.adapters]>)[row.provider]
    ?.webhook;
  if (!webhook) return [];
  const parsed = webhook.parse(
    { method: 'POST', rawBody: Buffer.from(JSON.stringify(row.payload)), headers: {}, url: '', query: {} },
    { eventId: row.providerEventId },
  );
  return parsed.kind === 'events' ? parsed.events : [];
}
