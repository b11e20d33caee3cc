// What a finished container means, as events: the rows a phantom wrote to its result object
// (`{profileUrl, error?, …}` per profile) and its exit code, mapped once. Auto Connect: sent (the
// invitation went out, pending), "Invitation already sent" / "still pending" (pending), "Already in
// network" (accepted), "Message too long" (refused), anything else about the profile (failed with
// the reason). Message Sender: sent (which proves a 1st-degree connection), a reply it found, or a
// failure. Connections Export: every row is a connection. A launch that ended with no row at all
// fails every message it carried (one event for the container: `wholeBatch`). A session-cookie
// failure (exit codes 83, 84, 87 or the phantom's "cookie" text) is not about any profile: the
// account must be reconnected.
import { z } from 'zod';
import type { EventRef, InboundEvent, KeyedEvent } from '../../core/events.ts';
import { normalizeLinkedInUrl } from '../../core/linkedin.ts';

export type Phantom = 'connect' | 'message' | 'network';

/** Exit codes of LinkedIn phantoms for a bad (83), expired (84) and empty (87) session cookie. */
export const COOKIE_EXIT_CODES: ReadonlySet<number> = new Set([83, 84, 87]);
const COOKIE_TEXT = /session cookie|li_at|cookie (is )?(not valid|invalid|expired)|disconnected from linkedin/i;
export const RECONNECT_REASON =
  'The LinkedIn session cookie is no longer valid: reconnect LinkedIn (log in, copy a fresh li_at cookie and ' +
  "the browser's user agent into the account)";

const Row = z.object({
  profileUrl: z.string().optional(),
  linkedinProfileUrl: z.string().optional(),
  url: z.string().optional(),
  error: z.string().optional(),
  timestamp: z.union([z.string(), z.number()]).optional(),
  // A reply the Message Sender saw in the thread; the field's name is not documented (◐).
  reply: z.string().optional(),
  replyMessage: z.string().optional(),
  lastReply: z.string().optional(),
});
type Row = z.infer<typeof Row>;

export type ContainerOutcome =
  { kind: 'events'; events: KeyedEvent[] } | { kind: 'session_expired'; reason: string; exitCode?: number };

export type FinishedContainer = { id: string; exitCode?: number | null; endedAt?: number; endType?: string };

/** The rows of a result object (an array, a single row, or nothing). */
export function resultRows(resultObject: unknown): Row[] {
  const list = Array.isArray(resultObject) ? resultObject : resultObject ? [resultObject] : [];
  return list.flatMap((item) => {
    const row = Row.safeParse(item);
    return row.success ? [row.data] : [];
  });
}

export function containerOutcome(
  phantom: Phantom,
  container: FinishedContainer,
  resultObject: unknown,
): ContainerOutcome {
  const rows = resultRows(resultObject);
  const exit = container.exitCode ?? undefined;
  if (exit !== undefined && COOKIE_EXIT_CODES.has(exit))
    return { kind: 'session_expired', reason: `${RECONNECT_REASON} (Phantombuster exit code ${exit})`, exitCode: exit };
  const cookieRow = rows.find((row) => row.error !== undefined && COOKIE_TEXT.test(row.error));
  if (cookieRow) return { kind: 'session_expired', reason: `${RECONNECT_REASON} (${cookieRow.error ?? ''})` };
  const events = rows.flatMap((row) => rowEvents(phantom, container, row));
  if (events.length === 0 && phantom !== 'network') return { kind: 'events', events: [endedEmpty(container)] };
  return { kind: 'events', events };
}

/**
 * A launch that ended with no result row at all (the phantom exited with an error, could not read
 * the spreadsheet, or wrote nothing): every message it carried fails with the container's reason.
 */
function endedEmpty(container: FinishedContainer): KeyedEvent {
  const exit = container.exitCode ?? undefined;
  const how =
    exit !== undefined && exit !== 0
      ? `ended with exit code ${exit}${container.endType ? ` (${container.endType})` : ''}`
      : 'finished';
  return {
    key: `${container.id}:ended`,
    event: {
      type: 'failed',
      via: 'phantombuster',
      reason: `Phantombuster's launch ${how} without any result row`,
      code: 'no_result',
      ...(container.endedAt ? { at: new Date(container.endedAt).toISOString() } : {}),
      ref: { providerMessageId: container.id, channel: 'linkedin', wholeBatch: true },
    },
  };
}

function rowEvents(phantom: Phantom, container: FinishedContainer, row: Row): KeyedEvent[] {
  const raw = row.profileUrl ?? row.linkedinProfileUrl ?? row.url;
  const profile = raw ? normalizeLinkedInUrl(raw) : null;
  if (!profile) return [];
  const at = when(row.timestamp) ?? (container.endedAt ? new Date(container.endedAt).toISOString() : undefined);
  const base = { via: 'phantombuster', ...(at ? { at } : {}) };
  const from = { linkedinUrl: profile };
  if (phantom === 'network')
    return [
      {
        key: `network:${profile}`,
        event: { ...base, type: 'connection', state: 'accepted', ref: { from, channel: 'linkedin' } },
      },
    ];
  const ref: EventRef = { providerMessageId: container.id, from, channel: 'linkedin' };
  const key = (suffix: string) => `${container.id}:${profile}:${suffix}`;
  const keyed = (suffix: string, event: InboundEvent): KeyedEvent => ({ key: key(suffix), event });
  const error = row.error?.trim();
  if (phantom === 'connect') return connectEvents(error, { base, ref, keyed });
  const events: KeyedEvent[] = error
    ? [keyed('failed', { ...base, ref, type: 'failed', reason: error, code: failureCode(error) })]
    : [
        keyed('delivered', { ...base, ref, type: 'delivered' }),
        keyed('accepted', { ...base, ref, type: 'connection', state: 'accepted' }),
      ];
  const reply = row.reply ?? row.replyMessage ?? row.lastReply;
  if (reply?.trim()) events.push(keyed('replied', { ...base, ref, type: 'replied', text: reply.trim() }));
  return events;
}

type Parts = {
  base: { via: string; at?: string };
  ref: EventRef;
  keyed: (suffix: string, event: InboundEvent) => KeyedEvent;
};

function connectEvents(error: string | undefined, { base, ref, keyed }: Parts): KeyedEvent[] {
  if (!error)
    return [
      keyed('delivered', { ...base, ref, type: 'delivered' }),
      keyed('pending', { ...base, ref, type: 'connection', state: 'pending' }),
    ];
  if (/already in (your )?network|already connected|1st degree/i.test(error))
    return [keyed('accepted', { ...base, ref, type: 'connection', state: 'accepted' })];
  if (/invitation (already sent|still pending)|pending/i.test(error))
    return [keyed('pending', { ...base, ref, type: 'connection', state: 'pending' })];
  return [keyed('failed', { ...base, ref, type: 'failed', reason: error, code: failureCode(error) })];
}

/** "Message too long" is our text refused; anything else is about the profile. */
function failureCode(error: string): string {
  return /too long/i.test(error) ? 'rejected' : 'profile_error';
}

function when(value: string | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = typeof value === 'number' ? new Date(value) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
