// The public tracking links' side of the engine: a verified token names one of our messages; the
// hit is judged (machine traffic is stored, flagged and never counted) and applied as an event, or
// the contact is unsubscribed. A click is decided first (core/tracking.ts decideClick): expired,
// straight to the workspace's own domains, or a page that shows where an unlisted link goes.
import {
  classifyMachineTraffic,
  decideClick,
  verifyToken,
  type ClickDecision,
  type TrackingPayload,
} from '../../core/tracking.ts';
import { clickContextOf, getMessage, workspaceOfMessage } from '../../db/messages.ts';
import type { EngineDeps } from '../ports.ts';
import { applyMessageEvent } from './apply.ts';

export type Hit = { method: string; userAgent: string | undefined; ip: string | undefined };

export function readToken<K extends TrackingPayload['kind']>(
  deps: Pick<EngineDeps, 'links'>,
  token: string,
  kind: K,
): Extract<TrackingPayload, { kind: K }> | undefined {
  const payload = verifyToken(deps.links.trackingSecret, token);
  return payload?.kind === kind ? (payload as Extract<TrackingPayload, { kind: K }>) : undefined;
}

/**
 * What a valid click token does now. The workspace's click domains and its sending account's own
 * domain redirect at once; a message we no longer know has no domains (and, for a token older than
 * issue times in tokens, no age: expired).
 */
export async function decideClickFor(
  deps: Pick<EngineDeps, 'db' | 'links' | 'clock' | 'log'>,
  payload: Extract<TrackingPayload, { kind: 'click' }>,
): Promise<ClickDecision> {
  // The database unreachable: decided on the token alone (a page, never an unchecked redirect).
  const context = await clickContext(deps, payload.messageId).catch((error: unknown) => {
    deps.log.error({ err: error }, 'click domains not read');
    return undefined;
  });
  const ownDomain = context?.fromEmail?.split('@')[1];
  return decideClick({
    payload,
    fallbackIssuedAt: context?.madeAt,
    allowedDomains: [...(context?.clickDomains ?? []), ...(ownDomain ? [ownDomain] : [])],
    policy: deps.links.clicks,
    now: deps.clock.now(),
  });
}

async function clickContext(deps: Pick<EngineDeps, 'db'>, messageId: string) {
  const workspaceId = await deps.db.system((sql) => workspaceOfMessage(sql, messageId));
  return workspaceId ? deps.db.tenant(workspaceId, (sql) => clickContextOf(sql, messageId)) : undefined;
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
    const seen = {
      ref: { messageId: message.id },
      via: 'tracking',
      at: now.toISOString(),
      machine: verdict.machine,
      ...(verdict.reason ? { machineReason: verdict.reason } : {}),
      ...(input.hit.userAgent ? { userAgent: input.hit.userAgent } : {}),
    };
    await applyMessageEvent(sql, {
      messageId: message.id,
      event:
        input.kind === 'open'
          ? { type: 'opened', ...seen }
          : { type: 'clicked', ...seen, ...(input.url ? { url: input.url } : {}) },
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
    applyMessageEvent(sql, {
      messageId: input.messageId,
      event: {
        type: 'opted_out',
        ref: { messageId: input.messageId },
        via: input.via,
        at: now.toISOString(),
        everywhere: input.everywhere,
      },
      now,
    }),
  );
  return result !== 'unknown_message';
}
