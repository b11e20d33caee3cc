// One stateless IMAP poll (imapflow): connect, read every INBOX message with a UID above the last
// one seen, log out. The caller stores `lastUid` and `uidValidity`; when the server's UIDVALIDITY
// changes, UIDs were renumbered and the caller restarts from 0 (duplicates are harmless: replies
// are matched and deduplicated by Message-ID downstream). Parsing is emailReplies.ts's job.
import { ImapFlow } from 'imapflow';
import type { SendFailure } from '../types.ts';

export type ImapAccount = {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
  allowSelfSigned?: boolean;
  mailbox?: string;
};

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
  const client = new ImapFlow({
    host: account.host,
    port: account.port,
    secure: account.secure,
    auth: { user: account.user, pass: account.pass },
    logger: false,
    ...(account.allowSelfSigned ? { tls: { rejectUnauthorized: false } } : {}),
  });
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

function classifyImapError(error: unknown, user: string): SendFailure {
  const message = error instanceof Error ? error.message : String(error);
  const authFailed =
    typeof error === 'object' &&
    error !== null &&
    'authenticationFailed' in error &&
    error.authenticationFailed === true;
  if (authFailed) return { kind: 'auth_expired', message: `IMAP login failed for ${user}: ${message}` };
  return { kind: 'provider_down', message: `IMAP error: ${message}` };
}
