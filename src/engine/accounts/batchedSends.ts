// Batched sends, for accounts whose adapter has `sendBatch` when the installation lets the provider
// fetch PUBLIC_URL (LINKEDIN_BATCH_LAUNCHES: Phantombuster's launches). A due step of such an
// account is reserved within the account's caps like any send and then, instead of a call of its
// own, queued (deliver.ts). At each poll of the account its queued messages go out grouped by
// purpose, oldest first, at most the adapter's `batchMax` to a call; the provider reads them from a
// spreadsheet URL (a CSV behind a signed token that expires: core/batchSheet.ts). Launches of one
// account are spaced by its gap plus a seeded random share of it (core/launchSpacing.ts). The
// provider's poll reports each message's outcome by the batch's provider id; a message it left out
// fails here, and a batch that ended with no outcome at all fails its messages (events/process.ts).
// Never sent twice: the batch is marked before the call, and a mark a crash left behind turns the
// batch `unknown`.
import { randomUUID } from 'node:crypto';
import type { RegisteredAdapter } from '../../channels/register.ts';
import type { OutboundMessage } from '../../channels/types.ts';
import { recipientAddress } from '../../core/channels.ts';
import { nextLaunchAt } from '../../core/launchSpacing.ts';
import { BATCH_TOKEN_TTL_MS, batchUrl, signBatchToken } from '../../core/batchSheet.ts';
import type { KeyedEvent } from '../../core/events.ts';
import {
  abandonLostLaunches,
  lastLaunchAt,
  queuedPurposes,
  settleLaunch,
  takeQueued,
  unreportedBatchMessages,
} from '../../db/batchedSends.ts';
import type { Sql } from '../../db/database.ts';
import type { SenderRow } from '../../db/senders.ts';
import type { EngineDeps } from '../ports.ts';

/** How far back the previous launch is looked for (a message queued longer than this is not usual). */
const RECENT_LAUNCH_MS = 2 * 86_400_000;

function adapterOf(deps: Pick<EngineDeps, 'adapters'>, provider: string): RegisteredAdapter | undefined {
  return (deps.adapters as Record<string, RegisteredAdapter | undefined>)[provider];
}

/** Whether this account's sends are queued for batched sends. */
export function sendsInBatches(deps: Pick<EngineDeps, 'batchLaunches' | 'adapters'>, provider: string) {
  return deps.batchLaunches && adapterOf(deps, provider)?.sendBatch !== undefined;
}

/** Sends the account's queued messages, one batch per purpose while the spacing allows (the poll reads them later). */
export async function sendQueued(deps: EngineDeps, input: { sender: SenderRow; credentials: unknown }): Promise<void> {
  const { sender } = input;
  const adapter = adapterOf(deps, sender.provider);
  if (!sendsInBatches(deps, sender.provider) || !adapter) return;
  const now = deps.clock.now();
  const { purposes, last } = await deps.db.tenant(sender.workspaceId, async (sql) => {
    await abandonLostLaunches(sql, { senderId: sender.id, before: new Date(now.getTime() - deps.leaseMs) });
    const since = new Date(now.getTime() - RECENT_LAUNCH_MS);
    return {
      purposes: await queuedPurposes(sql, sender.id),
      last: await lastLaunchAt(sql, { senderId: sender.id, since }),
    };
  });
  let lastLaunch = last;
  for (const purpose of purposes) {
    const allowed = nextLaunchAt({
      senderId: sender.id,
      lastLaunchAt: lastLaunch,
      minGapSeconds: sender.minGapSeconds,
    });
    if (allowed > now) return;
    if (await sendOne(deps, { ...input, adapter, purpose, now })) lastLaunch = now;
  }
}

/** One batch of one purpose; true when the provider took it. */
async function sendOne(
  deps: EngineDeps,
  input: { sender: SenderRow; credentials: unknown; adapter: RegisteredAdapter; purpose: string; now: Date },
): Promise<boolean> {
  const { sender, adapter, now } = input;
  const { sendBatch } = adapter;
  if (!sendBatch) return false;
  const taken = await deps.db.tenant(sender.workspaceId, (sql) =>
    takeQueued(sql, {
      senderId: sender.id,
      purpose: input.purpose,
      limit: adapter.batchMax ?? 1,
      now,
      batchId: randomUUID(),
    }),
  );
  if (taken.messages.length === 0) return false;
  const token = signBatchToken(deps.links.batchSecret, {
    workspaceId: sender.workspaceId,
    messageIds: taken.messages.map((m) => m.id),
    expiresAt: now.getTime() + BATCH_TOKEN_TTL_MS,
  });
  const outbound: OutboundMessage[] = taken.messages.map((m) => ({
    id: m.id,
    channel: sender.channel,
    purpose: m.purpose,
    to: m.recipient ? recipientAddress(sender.channel, m.recipient) : {},
    from: {},
    text: m.body,
  }));
  const signal = AbortSignal.timeout(deps.sendTimeoutMs);
  const spreadsheetUrl = batchUrl(deps.links.publicUrl, token);
  const sent = await sendBatch(outbound, input.credentials, { spreadsheetUrl, signal, now }).catch(
    (error: unknown) => ({
      ok: false as const,
      failure: { kind: 'provider_down' as const, message: error instanceof Error ? error.message : String(error) },
    }),
  );
  await deps.db.tenant(sender.workspaceId, (sql) => {
    if (sent.ok) return settleLaunch(sql, { marker: taken.marker, containerId: sent.value.providerMessageId, now });
    // Timed out mid-call: the batch may have started; it is never sent again (left to abandonLostLaunches).
    if (signal.aborted) return Promise.resolve();
    // A refusal of our batch as it is fails its messages; anything else (the provider busy or down,
    // the account's keys) leaves them queued for the next poll.
    if (sent.failure.kind === 'rejected')
      return settleLaunch(sql, { marker: taken.marker, failed: `rejected: ${sent.failure.message}` });
    return settleLaunch(sql, { marker: taken.marker });
  });
  return sent.ok;
}

/**
 * A batch's message without an outcome once others of its batch have theirs: failed, with the
 * reason. `provider` and `label` are the account's adapter's (its id and its name for people).
 */
export async function unreportedBatchEvents(
  sql: Sql,
  input: { senderId: string; now: Date; provider: string; label: string; channel: SenderRow['channel'] },
): Promise<KeyedEvent[]> {
  const ids = await unreportedBatchMessages(sql, input.senderId);
  return ids.map((id) => ({
    key: `unreported:${id}`,
    event: {
      type: 'failed',
      via: input.provider,
      reason: `${input.label} finished the batch without a result row for this message`,
      code: 'no_result',
      at: input.now.toISOString(),
      ref: { messageId: id, channel: input.channel },
    },
  }));
}
