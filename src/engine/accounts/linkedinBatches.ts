// Batched LinkedIn launches (LINKEDIN_BATCH_LAUNCHES: Phantombuster can fetch PUBLIC_URL). A due
// LinkedIn step of such an account is reserved within the account's caps like any send and then,
// instead of a launch of its own, queued (deliver.ts). At each poll of the account its queued
// connection requests go out in one Auto Connect launch and its queued messages in one Message
// Sender launch, at most 10 each, oldest first; the phantom reads them from a spreadsheet URL
// (a CSV behind a signed token that expires: core/linkedinBatch.ts) and each result row settles its
// own message by the container id and the profile URL. Never launched twice: the batch is marked
// before the call, and a mark a crash left behind turns the batch `unknown`.
import { randomUUID } from 'node:crypto';
import type { RegisteredAdapter } from '../../channels/register.ts';
import type { OutboundMessage } from '../../channels/types.ts';
import { BATCH_MAX, BATCH_TOKEN_TTL_MS, signBatchToken } from '../../core/linkedinBatch.ts';
import type { KeyedEvent } from '../../core/events.ts';
import { abandonLostLaunches, settleLaunch, takeQueued, unreportedBatchMessages } from '../../db/linkedinBatches.ts';
import type { Sql } from '../../db/database.ts';
import type { SenderRow } from '../../db/senders.ts';
import type { EngineDeps } from '../ports.ts';

/** Whether this account's LinkedIn sends are queued for batched launches. */
export function launchesInBatches(deps: Pick<EngineDeps, 'linkedinBatchLaunches' | 'adapters'>, provider: string) {
  const adapter = (deps.adapters as Record<string, RegisteredAdapter | undefined>)[provider];
  return deps.linkedinBatchLaunches && adapter?.sendBatch !== undefined;
}

export function batchUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/linkedin/batches/${token}.csv`;
}

/** Launches the account's queued requests and messages, one batch each (the poll reads them later). */
export async function launchQueued(
  deps: EngineDeps,
  input: { sender: SenderRow; credentials: unknown },
): Promise<void> {
  const { sender } = input;
  const adapter = (deps.adapters as Record<string, RegisteredAdapter | undefined>)[sender.provider];
  if (!deps.linkedinBatchLaunches || !adapter?.sendBatch) return;
  const now = deps.clock.now();
  await deps.db.tenant(sender.workspaceId, (sql) =>
    abandonLostLaunches(sql, { senderId: sender.id, before: new Date(now.getTime() - deps.leaseMs) }),
  );
  for (const requests of [true, false]) await launchOne(deps, { ...input, adapter, requests, now });
}

async function launchOne(
  deps: EngineDeps,
  input: { sender: SenderRow; credentials: unknown; adapter: RegisteredAdapter; requests: boolean; now: Date },
): Promise<void> {
  const { sender, adapter, now } = input;
  const taken = await deps.db.tenant(sender.workspaceId, (sql) =>
    takeQueued(sql, { senderId: sender.id, requests: input.requests, limit: BATCH_MAX, now, batchId: randomUUID() }),
  );
  if (taken.messages.length === 0) return;
  const token = signBatchToken(deps.links.linkedinBatchSecret, {
    workspaceId: sender.workspaceId,
    messageIds: taken.messages.map((m) => m.id),
    expiresAt: now.getTime() + BATCH_TOKEN_TTL_MS,
  });
  const outbound: OutboundMessage[] = taken.messages.map((m) => ({
    id: m.id,
    channel: 'linkedin',
    purpose: m.purpose,
    to: m.recipient ? { linkedinUrl: m.recipient } : {},
    from: {},
    text: m.body,
  }));
  const signal = AbortSignal.timeout(deps.sendTimeoutMs);
  const sent = await adapter
    .sendBatch?.(outbound, input.credentials, { spreadsheetUrl: batchUrl(deps.links.publicUrl, token), signal, now })
    .catch((error: unknown) => ({
      ok: false as const,
      failure: { kind: 'provider_down' as const, message: error instanceof Error ? error.message : String(error) },
    }));
  await deps.db.tenant(sender.workspaceId, (sql) => {
    if (sent?.ok) return settleLaunch(sql, { marker: taken.marker, containerId: sent.value.providerMessageId });
    // Timed out mid-call: the launch may have started; it is never launched again (left to abandonLostLaunches).
    if (signal.aborted) return Promise.resolve();
    // A refusal of our batch as it is fails its messages; anything else (the agent still running,
    // Phantombuster down, the account's keys) leaves them queued for the next poll.
    if (sent && sent.failure.kind === 'rejected')
      return settleLaunch(sql, { marker: taken.marker, failed: `rejected: ${sent.failure.message}` });
    return settleLaunch(sql, { marker: taken.marker });
  });
}

/**
 * A batch's message without a result row once its launch was read: failed, with the reason.
 * `provider` and `label` are the account's adapter's (its id and its name for people).
 */
export async function unreportedRowEvents(
  sql: Sql,
  input: { senderId: string; now: Date; provider: string; label: string },
): Promise<KeyedEvent[]> {
  const ids = await unreportedBatchMessages(sql, input.senderId);
  return ids.map((id) => ({
    key: `unreported:${id}`,
    event: {
      type: 'failed',
      via: input.provider,
      reason: `${input.label} finished the launch without a result row for this profile`,
      code: 'no_result',
      at: input.now.toISOString(),
      ref: { messageId: id, channel: 'linkedin' },
    },
  }));
}
