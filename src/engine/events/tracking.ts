// The public tracking endpoints' side of the engine: a verified token names one of our messages;
// the hit is recorded (machine traffic flagged, not counted) or the contact unsubscribed.
import { classifyMachineTraffic, verifyToken, type TrackingPayload } from '../../core/tracking.ts';
import { getMessage } from '../../db/messages.ts';
import { applyEmailEvent, workspaceOfMessage } from './emailEvents.ts';
import type { EngineDeps } from '../ports.ts';

export type Hit = { method: string; userAgent: string | undefined; ip: string | undefined };

export function readToken<K extends TrackingPayload['kind']>(
  deps: EngineDeps,
  token: string,
  kind: K,
): Extract<TrackingPayload, { kind: K }> | undefined {
  const payload = verifyToken(deps.email.trackingSecret, token);
  return payload?.kind === kind ? (payload as Extract<TrackingPayload, { kind: K }>) : undefined;
}

export async function recordTrackingHit(
  deps: EngineDeps,
  input: { messageId: string; kind: 'open' | 'click'; url?: string; hit: Hit },
): Promise<void> {
  const workspaceId = await deps.db.system((sql) => workspaceOfMessage(sql, input.messageId));
  if (!workspaceId) return;
  const now = deps.clock.now();
  await deps.db.tenant(workspaceId, async (sql) => {
    const message = await getMessage(sql, input.messageId);
    if (!message) return;
    const sentAt = message.sentAt ?? message.reservedAt;
    const verdict = classifyMachineTraffic({
      method: input.hit.method,
      userAgent: input.hit.userAgent,
      ...(input.hit.ip ? { ip: input.hit.ip } : {}),
      secondsSinceDelivery: (now.getTime() - sentAt.getTime()) / 1000,
      kind: input.kind,
    });
    await applyEmailEvent(sql, {
      messageId: message.id,
      event: {
        type: input.kind === 'open' ? 'opened' : 'clicked',
        machine: verdict.machine,
        ...(verdict.reason ? { machineReason: verdict.reason } : {}),
        ...(input.url ? { url: input.url } : {}),
        ...(input.hit.userAgent ? { userAgent: input.hit.userAgent } : {}),
      },
      occurredAt: now,
      now,
    });
  });
}

/** RFC 8058 one-click and the confirm page's form: idempotent; false when the message is unknown. */
export async function unsubscribe(
  deps: EngineDeps,
  input: { messageId: string; everywhere: boolean; via: 'one_click' | 'page' },
): Promise<boolean> {
  const workspaceId = await deps.db.system((sql) => workspaceOfMessage(sql, input.messageId));
  if (!workspaceId) return false;
  const now = deps.clock.now();
  const result = await deps.db.tenant(workspaceId, (sql) =>
    applyEmailEvent(sql, {
      messageId: input.messageId,
      event: { type: 'unsubscribed', everywhere: input.everywhere, via: input.via },
      occurredAt: now,
      now,
    }),
  );
  return result !== 'unknown_message';
}
