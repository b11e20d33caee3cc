// Reading what came back to a sending mailbox: Gmail accounts through users.history.list from the
// stored history id, SMTP accounts over IMAP from the stored UID. Each new message is parsed and
// matched to one of our messages by In-Reply-To / References (Gmail: also its thread). A bounce
// report applies a bounce (hard: suppressed and stopped); anything else is a reply, which the
// engine classifies (out-of-office pauses, a person's answer stops, "remove me" suppresses).
// Cursors are stored per account after the batch; a repeat is harmless (events dedupe on
// `gmail:<id>` / `imap:<uidvalidity>:<uid>`).
import { getProfile, getRawMessage, listHistory } from '../../channels/gmail/api.ts';
import { GmailCredentials } from '../../channels/gmail/credentials.ts';
import type { SendFailure } from '../../channels/types.ts';
import { candidateMessageIds, parseInboundEmail, type InboundEmail } from '../../channels/email/inbound.ts';
import { fetchNewMessages } from '../../channels/smtp/imap.ts';
import type { Sql } from '../../db/database.ts';
import { getSenderRow, setSenderStatus, updateSender } from '../../db/senders.ts';
import { applyEmailEvent } from './emailEvents.ts';
import type { EngineDeps } from '../ports.ts';
import type { IncomingReply } from './replies.ts';
import { openCredentials, resealCredentials } from '../accounts/credentials.ts';

export type ReceiveReply = (
  workspaceId: string,
  reply: Omit<IncomingReply, 'receivedAt'> & { receivedAt?: Date },
) => Promise<unknown>;

export type PollResult = { fetched: number; matched: number; error?: string };

/** Accounts that have a mailbox to read: Gmail, and SMTP accounts with IMAP settings. */
export async function pollableSenders(deps: EngineDeps): Promise<{ workspaceId: string; senderId: string }[]> {
  return deps.db.system(async (sql) => {
    const { rows } = await sql.query<{ workspaceId: string; senderId: string; provider: string; credentials: Buffer }>(
      `SELECT workspace_id AS "workspaceId", id AS "senderId", provider, credentials FROM senders
        WHERE channel = 'email' AND provider IN ('gmail', 'smtp') AND deleted_at IS NULL
          AND status IN ('active', 'paused') AND credentials IS NOT NULL`,
    );
    // Credentials sealed with another key cannot be read (nor sent with): such an account is skipped
    // rather than failing everyone's poll.
    return rows
      .filter((row) => {
        try {
          const { extras } = openCredentials(deps.encryptionKey, row.credentials);
          return row.provider === 'gmail' || extras.imap !== undefined;
        } catch {
          return false;
        }
      })
      .map(({ workspaceId, senderId }) => ({ workspaceId, senderId }));
  });
}

export async function pollMailbox(
  deps: EngineDeps,
  receiveReply: ReceiveReply,
  ref: { workspaceId: string; senderId: string },
): Promise<PollResult> {
  const sender = await deps.db.tenant(ref.workspaceId, (sql) => getSenderRow(sql, ref.senderId));
  if (!sender?.credentials) return { fetched: 0, matched: 0, error: 'account not found' };
  let opened: ReturnType<typeof openCredentials>;
  try {
    opened = openCredentials(deps.encryptionKey, sender.credentials);
  } catch {
    return { fetched: 0, matched: 0, error: 'stored credentials cannot be decrypted with the configured key' };
  }
  const { adapter, extras } = opened;
  const cursor = await readCursor(deps, ref);
  const saveCursor = (value: Record<string, unknown>, renewed?: unknown) =>
    deps.db.tenant(ref.workspaceId, async (sql) => {
      await sql.query(`UPDATE senders SET inbound_cursor = $2, inbound_polled_at = $3 WHERE id = $1`, [
        ref.senderId,
        JSON.stringify(value),
        deps.clock.now(),
      ]);
      if (renewed)
        await updateSender(sql, ref.senderId, {
          credentials: resealCredentials(deps.encryptionKey, sender.credentials, renewed),
        });
    });
  const failed = async (failure: SendFailure): Promise<PollResult> => {
    if (failure.kind === 'auth_expired')
      await deps.db.tenant(ref.workspaceId, (sql) =>
        setSenderStatus(sql, ref.senderId, 'disconnected', failure.message),
      );
    return { fetched: 0, matched: 0, error: `${failure.kind}: ${failure.message}` };
  };

  if (sender.provider === 'gmail') {
    const credentials = GmailCredentials.parse(adapter);
    const options = { now: deps.clock.now() };
    const start = typeof cursor.historyId === 'string' ? cursor.historyId : undefined;
    if (!start) {
      // First poll: start from now; older mail cannot answer messages we have not sent from here.
      const profile = await getProfile(credentials, options);
      if (!profile.ok) return failed(profile.failure);
      await saveCursor({ historyId: profile.value.historyId }, profile.refreshedCredentials);
      return { fetched: 0, matched: 0 };
    }
    const changes = await listHistory(credentials, start, options);
    if (!changes.ok) return failed(changes.failure);
    let current = changes.refreshedCredentials ?? credentials;
    let renewed = changes.refreshedCredentials;
    let matched = 0;
    let fetched = 0;
    for (const ref2 of changes.value.messages) {
      if (ref2.labelIds?.includes('SENT')) continue;
      const raw = await getRawMessage(current, ref2.id, options);
      if (!raw.ok) return failed(raw.failure);
      if (raw.refreshedCredentials) current = renewed = raw.refreshedCredentials;
      if (raw.value.labelIds?.includes('SENT')) continue;
      fetched += 1;
      const parsed = await parseInboundEmail(raw.value.raw);
      if (
        await handleInbound(deps, receiveReply, ref.workspaceId, parsed, {
          source: 'gmail',
          key: `gmail:${ref2.id}`,
          threadId: ref2.threadId,
        })
      )
        matched += 1;
    }
    await saveCursor({ historyId: changes.value.historyId }, renewed);
    return { fetched, matched };
  }

  if (!extras.imap) return { fetched: 0, matched: 0, error: 'no IMAP settings for this account' };
  const sinceUid = typeof cursor.uid === 'number' ? cursor.uid : 0;
  const known = typeof cursor.uidValidity === 'string' ? { knownUidValidity: cursor.uidValidity } : {};
  const poll = await fetchNewMessages(extras.imap, sinceUid, known);
  if (!poll.ok) return failed(poll.failure);
  let matched = 0;
  for (const message of poll.value.messages) {
    const parsed = await parseInboundEmail(message.raw);
    const key = `imap:${poll.value.uidValidity}:${message.uid}`;
    if (await handleInbound(deps, receiveReply, ref.workspaceId, parsed, { source: 'imap', key })) matched += 1;
  }
  await saveCursor({ uid: poll.value.lastUid, uidValidity: poll.value.uidValidity });
  return { fetched: poll.value.messages.length, matched };
}

async function readCursor(deps: EngineDeps, ref: { workspaceId: string; senderId: string }) {
  return deps.db.tenant(ref.workspaceId, async (sql) => {
    const { rows } = await sql.query<{ cursor: Record<string, unknown> }>(
      'SELECT inbound_cursor AS cursor FROM senders WHERE id = $1',
      [ref.senderId],
    );
    return rows[0]?.cursor ?? {};
  });
}

async function findOurMessage(sql: Sql, parsed: InboundEmail, threadId?: string): Promise<string | undefined> {
  const ids = candidateMessageIds(parsed);
  if (ids.length > 0) {
    const { rows } = await sql.query<{ id: string; rfc: string }>(
      `SELECT id, rfc_message_id AS rfc FROM messages WHERE rfc_message_id = ANY ($1::text[])`,
      [ids],
    );
    // The most specific candidate first (the bounced original, In-Reply-To, newest reference).
    for (const id of ids) {
      const found = rows.find((row) => row.rfc === id);
      if (found) return found.id;
    }
  }
  if (threadId && parsed.kind !== 'bounce') {
    const { rows } = await sql.query<{ id: string }>(
      `SELECT id FROM messages WHERE provider = 'gmail' AND provider_thread_id = $1 ORDER BY step DESC LIMIT 1`,
      [threadId],
    );
    return rows[0]?.id;
  }
  return undefined;
}

/** Acts on one inbound email; true when it concerned one of our messages. */
export async function handleInbound(
  deps: EngineDeps,
  receiveReply: ReceiveReply,
  workspaceId: string,
  parsed: InboundEmail,
  origin: { source: 'gmail' | 'imap'; key: string; threadId?: string },
): Promise<boolean> {
  const messageId = await deps.db.tenant(workspaceId, (sql) => findOurMessage(sql, parsed, origin.threadId));
  if (!messageId) return false;
  if (parsed.kind === 'bounce' && parsed.bounce) {
    const bounce = parsed.bounce;
    const reason = [bounce.status, bounce.diagnostic].filter(Boolean).join(' ') || undefined;
    await deps.db.tenant(workspaceId, (sql) =>
      applyEmailEvent(sql, {
        messageId,
        event: { type: 'bounced', bounceType: bounce.type, via: origin.source, ...(reason ? { reason } : {}) },
        occurredAt: parsed.date ? new Date(parsed.date) : deps.clock.now(),
        now: deps.clock.now(),
        eventKey: origin.key,
      }),
    );
    return true;
  }
  await receiveReply(workspaceId, {
    messageId,
    body: parsed.text || '(empty)',
    ...(parsed.subject ? { subject: parsed.subject } : {}),
    headers: parsed.headers,
    source: origin.source,
    providerEventId: origin.key,
  });
  return true;
}
