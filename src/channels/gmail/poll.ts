// Reading a Gmail mailbox for replies and bounces through users.history.list from the stored
// history id. The first poll only records where "now" is: older mail cannot answer messages we have
// not sent from here. Each new message (not one we sent, not a draft) is fetched raw and parsed as
// an email event keyed `gmail:<id>`, carrying its thread so a reply without headers still finds our
// message. A message listed but gone by fetch time (deleted; drafts change id on every save) is
// skipped: it must not stall every later reply. When Gmail has forgotten the stored history id
// (404, after about a week), the gap is read with messages.list since the last poll (a full sync);
// the event keys make anything read twice a duplicate.
import type { KeyedEvent } from '../../core/events.ts';
import { emailEvent } from '../email/events.ts';
import { parseInboundEmail } from '../email/inbound.ts';
import type { AdapterContext, PollResult } from '../types.ts';
import { getProfile, getRawMessage, isNotFound, listHistory, listMessagesSince, type GmailMessageRef } from './api.ts';
import type { GmailCredentials, GmailResult } from './credentials.ts';

/** How far before the last poll a full sync starts (clock skew, mail that arrived mid-poll). */
const SYNC_OVERLAP_MS = 60 * 60 * 1000;
/** A full sync without a last poll time reads this far back (Gmail keeps history about a week). */
const SYNC_FALLBACK_MS = 8 * 24 * 60 * 60 * 1000;
const SKIPPED_LABELS = ['SENT', 'DRAFT'];

type Pending = { refs: GmailMessageRef[]; historyId: string; credentials?: GmailCredentials };

export async function pollGmail(
  credentials: GmailCredentials,
  cursor: Record<string, unknown>,
  context: AdapterContext & { now: Date },
): Promise<PollResult<GmailCredentials>> {
  const options = { now: context.now };
  const polledAt = context.now.toISOString();
  const start = typeof cursor.historyId === 'string' ? cursor.historyId : undefined;
  if (!start) {
    const profile = await getProfile(credentials, options);
    if (!profile.ok) return profile;
    return {
      ok: true,
      events: [],
      cursor: { historyId: profile.value.historyId, polledAt },
      ...(profile.refreshedCredentials ? { refreshedCredentials: profile.refreshedCredentials } : {}),
    };
  }
  const pending = await newMessages(credentials, start, lastPoll(cursor, context.now), options);
  if (!pending.ok) return pending;
  let current = pending.value.credentials ?? credentials;
  let renewed = pending.value.credentials;
  const events: KeyedEvent[] = [];
  for (const ref of pending.value.refs) {
    if (ref.labelIds?.some((label) => SKIPPED_LABELS.includes(label))) continue;
    const raw = await getRawMessage(current, ref.id, options);
    if (!raw.ok && isNotFound(raw.failure)) continue;
    if (!raw.ok) return raw;
    if (raw.refreshedCredentials) current = renewed = raw.refreshedCredentials;
    if (raw.value.labelIds?.some((label) => SKIPPED_LABELS.includes(label))) continue;
    const parsed = await parseInboundEmail(raw.value.raw);
    events.push(emailEvent(parsed, { via: 'gmail', key: `gmail:${ref.id}`, providerThreadId: ref.threadId }));
  }
  return {
    ok: true,
    events,
    cursor: { historyId: pending.value.historyId, polledAt },
    ...(renewed ? { refreshedCredentials: renewed } : {}),
  };
}

function lastPoll(cursor: Record<string, unknown>, now: Date): Date {
  const at = typeof cursor.polledAt === 'string' ? Date.parse(cursor.polledAt) : Number.NaN;
  return Number.isNaN(at) ? new Date(now.getTime() - SYNC_FALLBACK_MS) : new Date(at - SYNC_OVERLAP_MS);
}

/** The messages added since the history id, or (Gmail forgot it) since the last poll. */
async function newMessages(
  credentials: GmailCredentials,
  start: string,
  since: Date,
  options: { now: Date },
): Promise<GmailResult<Pending>> {
  const changes = await listHistory(credentials, start, options);
  if (!changes.ok) return changes;
  let current = changes.refreshedCredentials ?? credentials;
  if (!changes.value.expired) {
    const { messages, historyId } = changes.value;
    return { ok: true, value: { refs: messages, historyId, credentials: changes.refreshedCredentials } };
  }
  // The new start is taken before listing, so nothing arriving meanwhile falls between the two.
  const profile = await getProfile(current, options);
  if (!profile.ok) return profile;
  current = profile.refreshedCredentials ?? current;
  const listed = await listMessagesSince(current, since, options);
  if (!listed.ok) return listed;
  current = listed.refreshedCredentials ?? current;
  return {
    ok: true,
    value: {
      refs: listed.value,
      historyId: profile.value.historyId,
      ...(current !== credentials ? { credentials: current } : {}),
    },
  };
}
