// The outbox's worker: claims due deliveries (a lease; a killed worker's are claimed again when it
// ends), delivers each through its target kind, and records what happened and what follows.
import { performance } from 'node:perf_hooks';
import { decideAfterAttempt, type AttemptResult } from '../../core/outboundRetry.ts';
import type { Db } from '../../db/database.ts';
import { getTarget, setTargetStatus, type TargetRow } from '../../db/outbound.ts';
import {
  claimDeliveries,
  getOutboundEvent,
  recordAttempt,
  saveProgress,
  type ClaimedDelivery,
} from '../../db/outboundDeliveries.ts';
import { openJson, targetSecret, type SecretKeys } from '../accounts/secrets.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../ports.ts';
import type { OutboundHttp } from './http.ts';
import type { DeliveryContext, TargetSenders } from './targets.ts';

export type OutboundDeps = SecretKeys & {
  db: Db;
  clock: Clock;
  log: Logger;
  http: OutboundHttp;
  /** Jitter for back-off (Math.random in the program, seeded in tests). */
  random: () => number;
  senders: TargetSenders;
  /** Longer than any one delivery can take (the HTTP timeout, a CRM's few calls). */
  leaseMs: number;
};

/** Claims and delivers what is due now, `limit` at a time, until nothing is; returns the attempts made. */
export async function deliverDue(
  deps: OutboundDeps,
  input: { limit?: number; maxRounds?: number } = {},
): Promise<number> {
  let attempts = 0;
  for (let round = 0; round < (input.maxRounds ?? 100); round++) {
    const now = deps.clock.now();
    const claimed = await deps.db.system((sql) =>
      claimDeliveries(sql, { now, leaseUntil: new Date(now.getTime() + deps.leaseMs), limit: input.limit ?? 20 }),
    );
    if (claimed.length === 0) break;
    await Promise.all(claimed.map((delivery) => deliverOne(deps, delivery)));
    attempts += claimed.length;
  }
  return attempts;
}

const open = (deps: OutboundDeps, target: TargetRow, sealed: Buffer | null): Record<string, unknown> | undefined =>
  sealed ? (openJson(deps, targetSecret(target), sealed) as Record<string, unknown>) : undefined;

async function deliverOne(deps: OutboundDeps, delivery: ClaimedDelivery): Promise<void> {
  const { db, clock } = deps;
  const [target, event] = await db.tenant(delivery.workspaceId, async (sql) => [
    await getTarget(sql, delivery.targetId),
    await getOutboundEvent(sql, delivery.eventId),
  ]);
  const now = clock.now();
  const started = performance.now();
  let result: AttemptResult;
  const send = target ? deps.senders[target.kind] : undefined;
  if (!target || !event || !send) {
    result = { kind: 'failed', error: target && event ? `no sender for ${target.kind}` : 'gone', permanent: true };
  } else {
    const previous = target.previousUntil && target.previousUntil > now ? target.previousSecret : null;
    const previousSecret = open(deps, target, previous);
    const context: DeliveryContext = {
      target,
      secret: open(deps, target, target.secret) ?? {},
      ...(previousSecret ? { previousSecret } : {}),
      event,
      delivery,
      now,
      http: deps.http,
      log: deps.log,
      tenant: (fn) => db.tenant(delivery.workspaceId, fn),
      saveProgress: (progress) =>
        db.tenant(delivery.workspaceId, (sql) =>
          saveProgress(sql, { id: delivery.id, attempts: delivery.attempts, progress }),
        ),
    };
    result = await send(context).catch((error: unknown) => ({
      kind: 'failed' as const,
      error: error instanceof Error ? describeError(error) : String(error),
    }));
  }
  await record(deps, delivery, { result, now, durationMs: performance.now() - started });
}

function describeError(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error && cause.message !== error.message
    ? `${error.message}: ${cause.message}`
    : error.message;
}

async function record(
  deps: OutboundDeps,
  delivery: ClaimedDelivery,
  input: { result: AttemptResult; now: Date; durationMs: number },
): Promise<void> {
  const { result } = input;
  const decision = decideAfterAttempt({ result, attempt: delivery.attempts, now: input.now, random: deps.random() });
  await deps.db.tenant(delivery.workspaceId, async (sql) => {
    const recorded = await recordAttempt(sql, {
      delivery,
      attemptedAt: input.now,
      durationMs: input.durationMs,
      statusCode: result.status ?? null,
      error: result.kind === 'failed' ? result.error.slice(0, 1000) : null,
      outcome: decision.status,
      nextAttemptAt: decision.status === 'pending' ? decision.nextAttemptAt : null,
    });
    if (recorded && decision.status === 'failed' && decision.disableTarget)
      await setTargetStatus(sql, delivery.targetId, 'disabled', 'the receiver answered 410 Gone');
  });
  if (result.kind === 'failed')
    deps.log.warn(
      { deliveryId: delivery.id, attempt: delivery.attempts, error: result.error },
      'outbound delivery failed',
    );
}
