// Crash recovery for SMTP: SMTP cannot be asked whether a message went out, but many submission
// servers (Gmail, Microsoft 365, most hosted mailboxes) file a copy of what they accept in the
// account's Sent folder. Reading that folder over IMAP settles a send whose fate is unknown:
// - our Message-ID is there → it went out;
// - it is not, but an earlier message of the account that did go out is → this server files what
//   it sends, so ours never left and may be sent (proven absent);
// - neither is there (a relay that files nothing, a Sent folder emptied) → we cannot tell.
// IMAP SEARCH HEADER matches substrings on some servers and by words on others: every hit is
// confirmed against the message's parsed Message-ID.
import type { ImapFlow } from 'imapflow';
import type { SendFailure } from '../types.ts';
import type { ImapSettings } from './credentials.ts';
import { classifyImapError, clientFor } from './imap.ts';

export type SentSearch = {
  /** The folder read (its path). */
  folder: string;
  /** The Message-IDs asked for that the folder holds, as asked (`<id@domain>`). */
  found: Set<string>;
};

type Outcome = { ok: true; value: SentSearch } | { ok: false; failure: SendFailure };

/** Looks for each Message-ID in the account's Sent folder (`sentMailbox`, else the one the server marks \Sent). */
export async function searchSentFolder(
  account: ImapSettings,
  messageIds: readonly string[],
  options: { signal?: AbortSignal } = {},
): Promise<Outcome> {
  const client = clientFor(account);
  const abort = () => client.close();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    if (options.signal?.aborted) throw new Error('the lookup was aborted');
    await client.connect();
    const folder = account.sentMailbox ?? (await sentFolderOf(client));
    if (folder === undefined)
      return {
        ok: false,
        failure: { kind: 'rejected', message: `${account.user} has no Sent folder (set "imap.sentMailbox")` },
      };
    const lock = await client.getMailboxLock(folder, { readOnly: true });
    try {
      const found = new Set<string>();
      for (const wanted of messageIds) if (await holds(client, wanted)) found.add(wanted);
      return { ok: true, value: { folder, found } };
    } finally {
      lock.release();
    }
  } catch (error) {
    return { ok: false, failure: classifyImapError(error, account.user) };
  } finally {
    options.signal?.removeEventListener('abort', abort);
    await client.logout().catch(() => undefined);
  }
}

/** The folder the server marks \Sent (RFC 6154), or failing that the one named like it (imapflow knows the names). */
async function sentFolderOf(client: ImapFlow): Promise<string | undefined> {
  const folders = await client.list();
  const sent = folders.filter((folder) => folder.specialUse === '\\Sent');
  return (sent.find((folder) => folder.specialUseSource === 'extension') ?? sent[0])?.path;
}

const bare = (messageId: string) => messageId.trim().replace(/^<|>$/g, '').toLowerCase();

async function holds(client: ImapFlow, messageId: string): Promise<boolean> {
  const uids = await client.search({ header: { 'message-id': bare(messageId) } }, { uid: true });
  if (!uids || uids.length === 0) return false;
  const ids: string[] = [];
  for await (const message of client.fetch(uids, { uid: true, envelope: true }, { uid: true }))
    if (message.envelope?.messageId) ids.push(bare(message.envelope.messageId));
  return ids.includes(bare(messageId));
}
