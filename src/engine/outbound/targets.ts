// What delivers an event to one kind of target. Each returns the attempt's result as data (core/
// outboundRetry.ts decides what follows); a throw is read as a failed attempt worth retrying.
import type { AttemptResult } from '../../core/outboundRetry.ts';
import type { Sql } from '../../db/database.ts';
import type { ClaimedDelivery, EventRow } from '../../db/outboundDeliveries.ts';
import type { TargetKind, TargetRow } from '../../db/outbound.ts';
import type { Logger } from '../ports.ts';
import type { OutboundHttp } from './http.ts';

export type DeliveryContext = {
  target: TargetRow;
  /** The target's sealed secret, opened. */
  secret: Record<string, unknown>;
  /** The previous webhook secret while a rotation's overlap lasts. */
  previousSecret?: Record<string, unknown>;
  event: EventRow;
  delivery: ClaimedDelivery;
  now: Date;
  http: OutboundHttp;
  log: Logger;
  /** Runs fn in the delivery's workspace (a CRM's stored ids, a notification's contact). */
  tenant<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** Keeps what a multi-call delivery has done, so a retry after a crash resumes there. */
  saveProgress(progress: Record<string, unknown>): Promise<void>;
};

export type TargetSender = (context: DeliveryContext) => Promise<AttemptResult>;

export type TargetSenders = Partial<Record<TargetKind, TargetSender>>;

/** An HTTP answer as an attempt's result: 2xx delivered, anything else failed (with its Retry-After). */
export function httpResult(
  response: { status: number; headers: Record<string, string | undefined>; body: string },
  retryAfterMs: number | undefined,
): AttemptResult {
  if (response.status >= 200 && response.status < 300) return { kind: 'delivered', status: response.status };
  return {
    kind: 'failed',
    status: response.status,
    error: `HTTP ${response.status}${response.body ? `: ${response.body.slice(0, 300)}` : ''}`,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}
