// Reading an SMTP account's IMAP mailbox for replies and bounces: every message with a UID above
// the cursor's, each as an event keyed `imap:<uidvalidity>:<uid>` (a repeat is harmless).
import type { AdapterContext, PollResult } from '../types.ts';
import { emailEvent } from '../email/events.ts';
import { parseInboundEmail } from '../email/inbound.ts';
import type { SmtpCredentials } from './credentials.ts';
import { fetchNewMessages } from './imap.ts';

export async function pollMailbox(
  credentials: SmtpCredentials,
  cursor: Record<string, unknown>,
  _context: AdapterContext,
): Promise<PollResult<SmtpCredentials>> {
  if (!credentials.imap)
    return { ok: false, failure: { kind: 'rejected', message: 'no IMAP settings for this account' } };
  const sinceUid = typeof cursor.uid === 'number' ? cursor.uid : 0;
  const known = typeof cursor.uidValidity === 'string' ? { knownUidValidity: cursor.uidValidity } : {};
  const fetched = await fetchNewMessages(credentials.imap, sinceUid, known);
  if (!fetched.ok) return fetched;
  const events = [];
  for (const message of fetched.value.messages) {
    const parsed = await parseInboundEmail(message.raw);
    events.push(emailEvent(parsed, { via: 'imap', key: `imap:${fetched.value.uidValidity}:${message.uid}` }));
  }
  return { ok: true, events, cursor: { uid: fetched.value.lastUid, uidValidity: fetched.value.uidValidity } };
}
