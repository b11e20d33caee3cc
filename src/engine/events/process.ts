// inbound/event.received: acts on a stored inbound request (a provider webhook, or one polled
// event) once — processed_at is set when it is done. Each event is matched to one of our messages
// in the owning workspace; a reply goes through the reply path (classified, acted on at once), any
// other event through decideOnEvent (apply.ts). Idempotent: events dedupe on their keys.
import type { KeyedEvent } from '../../core/events.ts';
import { finishInboundEvent, loadInboundEvent } from '../../db/inboundEvents.ts';
import { findMessageByRef } from '../../db/messages.ts';
import type { EngineDeps } from '../ports.ts';
import { applyCallStatus } from '../commands/tasks.ts';
import { applyMessageEvent } from './apply.ts';
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
  if (!row.workspaceId) {
    await finishInboundEvent(deps.db, eventId, deps.clock.now(), 'no message of ours');
    return;
  }
  const outcomes: string[] = [];
  for (const keyed of events)
    outcomes.push(
      await applyInbound(deps, { workspaceId: row.workspaceId, provider: row.provider, keyed, receiveReply }),
    );
  await finishInboundEvent(deps.db, eventId, deps.clock.now(), outcomes.join('; ') || 'nothing to do');
}

/** Acts on one event in a workspace; returns what came of it, for the stored row's outcome. */
export async function applyInbound(
  deps: EngineDeps,
  input: { workspaceId: string; provider: string; keyed: KeyedEvent; receiveReply: ReceiveReply },
): Promise<string> {
  const { workspaceId, provider, keyed } = input;
  const { event, key } = keyed;
  if (event.type === 'call' && event.ref.channel === 'call' && event.ref.providerMessageId) {
    const at = event.at ? new Date(event.at) : deps.clock.now();
    const outcome = await applyCallStatus(deps, workspaceId, {
      callSid: event.ref.providerMessageId,
      status: event.outcome,
      at,
    });
    return `call: ${outcome}`;
  }
  const messageId = await deps.db.tenant(workspaceId, (sql) =>
    findMessageByRef(sql, event.ref, { provider, byThread: event.type === 'replied' }),
  );
  if (!messageId) return 'no message of ours';
  if (event.type === 'replied') {
    const outcome = await input.receiveReply(workspaceId, {
      messageId,
      body: event.text,
      ...(event.subject ? { subject: event.subject } : {}),
      ...(event.headers ? { headers: event.headers } : {}),
      source: event.via,
      providerEventId: key,
      ...(event.at ? { receivedAt: new Date(event.at) } : {}),
    });
    return `replied: ${outcome ? (outcome.duplicate ? 'duplicate' : outcome.action) : 'no message of ours'}`;
  }
  const now = deps.clock.now();
  const result = await deps.db.tenant(workspaceId, (sql) => applyMessageEvent(sql, { messageId, event, now, key }));
  return `${event.type}: ${result}`;
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
