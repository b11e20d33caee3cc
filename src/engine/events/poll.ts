// Reading what came back to accounts that have something to poll (the adapter's `poll`: a Gmail
// history, an IMAP mailbox …), through the same store-then-apply path as webhooks: the events a poll
// returns are stored (one row each, deduplicated by the account and the event's key), the cursor is
// saved, and each stored event is then acted on (process.ts). A crash in between loses nothing: a
// stored event that was not processed is picked up by the worker's sweep.
import { storeInboundEvent } from '../../db/inboundEvents.ts';
import {
  getSenderRow,
  providerAccounts,
  readPollCursor,
  savePollCursor,
  setSenderStatus,
  updateSender,
} from '../../db/senders.ts';
import { PROVIDER_IDS } from '../../channels/registry.ts';
import { openCredentials, resealCredentials } from '../accounts/credentials.ts';
import type { EngineDeps } from '../ports.ts';
import { sendQueued, unreportedBatchEvents } from '../accounts/batchedSends.ts';
import { holdUnsent } from './unsent.ts';
import { judgeLinkedinAcceptance } from '../accounts/linkedinAcceptance.ts';
import { expiredRequestEvents } from '../accounts/linkedinExpiry.ts';

export type PollRef = { workspaceId: string; senderId: string };
export type PollSummary = { fetched: number; stored: string[]; error?: string };

/** Accounts with something to poll (active or paused; credentials this installation can read). */
export async function pollableSenders(deps: EngineDeps): Promise<PollRef[]> {
  const refs: PollRef[] = [];
  for (const provider of PROVIDER_IDS) {
    const poll = deps.adapters[provider].poll;
    if (!poll) continue;
    const rows = await deps.db.system((sql) => providerAccounts(sql, { provider, statuses: ['active', 'paused'] }));
    for (const row of rows) {
      try {
        if (poll.pollable(openCredentials(deps, row))) refs.push({ workspaceId: row.workspaceId, senderId: row.id });
      } catch {
        // Credentials sealed with another key cannot be read (nor sent with): such an account is
        // skipped rather than failing everyone's poll.
      }
    }
  }
  return refs;
}

/** Polls one account once and stores what it found; returns the stored rows to act on. */
export async function pollAccount(deps: EngineDeps, ref: PollRef): Promise<PollSummary> {
  const sender = await deps.db.tenant(ref.workspaceId, (sql) => getSenderRow(sql, ref.senderId));
  if (!sender?.credentials) return { fetched: 0, stored: [], error: 'account not found' };
  const poll = deps.adapters[sender.provider].poll;
  if (!poll) return { fetched: 0, stored: [], error: `${sender.provider} accounts have nothing to poll` };
  let credentials: Record<string, unknown>;
  try {
    credentials = openCredentials(deps, sender);
  } catch {
    return { fetched: 0, stored: [], error: 'stored credentials cannot be decrypted with the configured key' };
  }
  // Queued sends go out first, in batches (their outcomes are read at a later poll).
  if (sender.status === 'active') await sendQueued(deps, { sender, credentials });
  const cursor = await deps.db.tenant(ref.workspaceId, (sql) => readPollCursor(sql, ref.senderId));
  const now = deps.clock.now();
  const result = await poll.poll(credentials, cursor, { now });
  if (!result.ok) {
    const { failure } = result;
    // The account first, in a transaction of its own (no new sends), then the steps it held back.
    // A session only a person can renew (LinkedIn's cookie) pauses the account; refused provider
    // credentials disconnect it.
    if (failure.kind === 'auth_expired')
      await deps.db.tenant(ref.workspaceId, (sql) =>
        setSenderStatus(sql, ref.senderId, result.pauseAccount ? 'paused' : 'disconnected', failure.message),
      );
    const unsent = result.unsent ?? [];
    const cursor = result.cursor;
    if (unsent.length > 0 || cursor)
      await deps.db.tenant(ref.workspaceId, async (sql) => {
        const reason = failure.message;
        await holdUnsent(sql, {
          provider: sender.provider,
          senderId: ref.senderId,
          providerMessageIds: unsent,
          reason,
          now,
        });
        if (cursor) await savePollCursor(sql, ref.senderId, cursor, now);
      });
    return { fetched: 0, stored: [], error: `${failure.kind}: ${failure.message}` };
  }
  const stored: string[] = [];
  // Requests pending past their expiry count as declined, stored like the poll's own events.
  const expired =
    sender.channel === 'linkedin'
      ? await deps.db.tenant(ref.workspaceId, (sql) =>
          expiredRequestEvents(sql, { senderId: ref.senderId, now, days: deps.linkedinRequestExpiryDays }),
        )
      : [];
  // Messages a batch left out (its outcomes read at an earlier poll): failed, with the reason.
  const unreported = deps.adapters[sender.provider].sendBatch
    ? await deps.db.tenant(ref.workspaceId, (sql) =>
        unreportedBatchEvents(sql, {
          senderId: ref.senderId,
          now,
          provider: sender.provider,
          label: deps.adapters[sender.provider].label ?? sender.provider,
          channel: sender.channel,
        }),
      )
    : [];
  for (const keyed of [...result.events, ...expired, ...unreported]) {
    // Keys are the provider's (an IMAP UID is only unique in its mailbox): scoped to the account.
    const scoped = { ...keyed, key: `${ref.senderId}:${keyed.key}` };
    const id = await deps.db.system((sql) =>
      storeInboundEvent(sql, {
        workspaceId: ref.workspaceId,
        provider: sender.provider,
        providerEventId: scoped.key,
        dedupeScope: ref.workspaceId,
        payload: { polled: ref.senderId, key: keyed.key },
        events: [scoped],
        receivedAt: now,
      }),
    );
    if (id) stored.push(id);
  }
  await deps.db.tenant(ref.workspaceId, async (sql) => {
    await savePollCursor(sql, ref.senderId, result.cursor, now);
    if (sender.channel === 'linkedin') await judgeLinkedinAcceptance(sql, ref.senderId, now);
    if (result.refreshedCredentials)
      await updateSender(sql, ref.senderId, {
        credentials: resealCredentials(deps, sender, result.refreshedCredentials),
      });
  });
  return { fetched: result.events.length, stored };
}
