// One stateless IMAP poll (imapflow): connect, read every INBOX message with a UID above the last
// one seen, log out. The caller stores `lastUid` and `uidValidity`; when the server's UIDVALIDITY
// changes, UIDs were renumbered and the caller restarts from 0 (duplicates are harmless: replies
// are matched and deduplicated by Message-ID downstream). Parsing is ../email/inbound.ts's job.
import { ImapFlow } from 'imapflow';
import type { ConnectionCheck, SendFailure } from '../types.ts';
import type { ImapSettings } from './credentials.ts';

export type ImapAccount = ImapSettings;

export type FetchedMessage = { uid: number; raw: Buffer };
export type ImapPoll = {
  messages: FetchedMessage[];
  /** Highest UID seen (the next poll's `sinceUid`). */
  lastUid: number;
  uidValidity: string;
};

export async function fetchNewMessages(
  account: ImapAccount,
  sinceUid: number,
  options: { knownUidValidity?: string; maxMessages?: number } = {},
): Promise<{ ok: true; value: ImapPoll } | { ok: false; failure: SendFailure }> {
  const client = clientFor(account);
  try {
    await client.connect();
    const lock = await client.getMailboxLock(account.mailbox ?? 'INBOX');
    try {
      const mailbox = client.mailbox;
      const uidValidity = mailbox ? String(mailbox.uidValidity) : '0';
      const start = options.knownUidValidity !== undefined && options.knownUidValidity !== uidValidity ? 0 : sinceUid;
      const messages: FetchedMessage[] = [];
      let lastUid = start;
      // "N:*" always matches the newest message even when its UID is below N: filter again.
      for await (const message of client.fetch(`${start + 1}:*`, { uid: true, source: true }, { uid: true })) {
        if (message.uid <= start || !message.source) continue;
        messages.push({ uid: message.uid, raw: message.source });
        lastUid = Math.max(lastUid, message.uid);
        if (messages.length >= (options.maxMessages ?? 500)) break;
      }
      return { ok: true, value: { messages, lastUid, uidValidity } };
    } finally {
      lock.release();
    }
  } catch (error) {
    return { ok: false, failure: classifyImapError(error, account.user) };
  } finally {
    await client.logout().catch(() => undefined);
  }
}

export function clientFor(account: ImapAccount): ImapFlow {
  return new ImapFlow({
    host: account.host,
    port: account.port,
    secure: account.secure,
    auth: { user: account.user, pass: account.pass },
    logger: false,
    ...(account.allowSelfSigned ? { tls: { rejectUnauthorized: false } } : {}),
  });
}

/** Logs in and opens the mailbox (the connection check of an account that reads replies). */
export async function checkImapLogin(account: ImapAccount): Promise<ConnectionCheck> {
  const client = clientFor(account);
  const mailbox = account.mailbox ?? 'INBOX';
  try {
    await client.connect();
    const lock = await client.getMailboxLock(mailbox);
    lock.release();
    return { name: 'imap', verdict: 'ok', detail: `${account.host}: ${account.user} can read ${mailbox}` };
  } catch (error) {
    const failure = classifyImapError(error, account.user);
    return {
      name: 'imap',
      verdict: 'failed',
      detail: failure.message,
      fix:
        failure.kind === 'auth_expired'
          ? 'check the IMAP user and password'
          : `check that ${account.host}:${account.port} is the IMAP server and that ${mailbox} exists`,
    };
  } finally {
    await client.logout().catch(() => undefined);
  }
}

export function classifyImapError(error: unknown, user: string): SendFailure {
  const message = error instanceof Error ? error.message : String(error);
  const authFailed =
    typeof error === 'object' &&
    error !== null &&
    'authenticationFailed' in error &&
    error.authenticationFailed === true;
  if (authFailed) return { kind: 'auth_expired', message: `IMAP login failed for ${user}: ${message}` };
  return { kind: 'provider_down', message: `IMAP error: ${message}` };
}
