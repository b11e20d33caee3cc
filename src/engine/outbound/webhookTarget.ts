// Standard Webhooks delivery: the payload {"type","timestamp","data"}, signed with every secret
// still valid (the new one and, during a rotation's overlap, the old one), the same webhook-id on
// every attempt so receivers can drop a repeat.
import { parseRetryAfter } from '../../core/outboundRetry.ts';
import { webhookHeaders } from '../../core/webhookSignature.ts';
import { httpResult, type TargetSender } from './targets.ts';

/** The body every target kind sees for an event. */
export function eventPayload(event: { type: string; occurredAt: Date; data: Record<string, unknown> }): string {
  return JSON.stringify({ type: event.type, timestamp: event.occurredAt.toISOString(), data: event.data });
}

export const webhookId = (eventId: string) => `msg_${eventId.replaceAll('-', '')}`;

export const sendWebhook: TargetSender = async ({ target, secret, previousSecret, event, now, http }) => {
  if (!target.url) return { kind: 'failed', error: 'the webhook has no URL', permanent: true };
  const body = eventPayload(event);
  const secrets = [secret.secret, previousSecret?.secret].filter((s): s is string => typeof s === 'string');
  const headers = webhookHeaders({
    secrets,
    id: webhookId(event.id),
    timestamp: Math.floor(now.getTime() / 1000),
    body,
  });
  const response = await http.request({
    url: target.url,
    headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'QuotaHit-Webhooks/1' },
    body,
  });
  return httpResult(response, parseRetryAfter(response.headers['retry-after'], now));
};
