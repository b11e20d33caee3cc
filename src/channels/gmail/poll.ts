// Reading a Gmail mailbox for replies and bounces through users.history.list from the stored
// history id. The first poll only records where "now" is: older mail cannot answer messages we have
// not sent from here. Each new message (not one we sent) is fetched raw and parsed as an email
// event keyed `gmail:<id>`, carrying its thread so a reply without headers still finds our message.
import type { KeyedEvent } from '../../core/events.ts';
import { emailEvent } from '../email/events.ts';
import { parseInboundEmail } from '../email/inbound.ts';
import type { AdapterContext, PollResult } from '../types.ts';
import { getProfile, getRawMessage, listHistory } from './api.ts';
import type { GmailCredentials } from './credentials.ts';

export async function pollGmail(
  credentials: GmailCredentials,
  cursor: Record<string, unknown>,
  context: AdapterContext & { now: Date },
): Promise<PollResult<GmailCredentials>> {
  const options = { now: context.now };
  const start = typeof cursor.historyId === 'string' ? cursor.historyId : undefined;
  if (!start) {
    const profile = await getProfile(credentials, options);
    if (!profile.ok) return profile;
    return {
      ok: true,
      events: [],
      cursor: { historyId: profile.value.historyId },
      ...(profile.refreshedCredentials ? { refreshedCredentials: profile.refreshedCredentials } : {}),
    };
  }
  const changes = await listHistory(credentials, start, options);
  if (!changes.ok) return changes;
  let current = changes.refreshedCredentials ?? credentials;
  let renewed = changes.refreshedCredentials;
  const events: KeyedEvent[] = [];
  for (const ref of changes.value.messages) {
    if (ref.labelIds?.includes('SENT')) continue;
    const raw = await getRawMessage(current, ref.id, options);
    if (!raw.ok) return raw;
    if (raw.refreshedCredentials) current = renewed = raw.refreshedCredentials;
    if (raw.value.labelIds?.includes('SENT')) continue;
    const parsed = await parseInboundEmail(raw.value.raw);
    events.push(emailEvent(parsed, { via: 'gmail', key: `gmail:${ref.id}`, providerThreadId: ref.threadId }));
  }
  return {
    ok: true,
    events,
    cursor: { historyId: changes.value.historyId },
    ...(renewed ? { refreshedCredentials: renewed } : {}),
  };
}
