// A thin Gmail REST client. Every call runs with a valid access token: refreshed first when it
// expires within a minute, and once more on a 401; the refreshed credentials are returned with the
// result so the stateless caller can hand them to the engine to store.
import { z } from 'zod';
import type { SendFailure } from '../types.ts';
import {
  NOT_CONNECTED,
  QUOTA_EXCEEDED,
  errorText,
  readJson,
  retryAfterSeconds,
  trimSlash,
  type Fetch,
  type GmailCredentials,
  type GmailResult,
} from './credentials.ts';
import { refreshAccessToken } from './oauth.ts';

const EARLY_REFRESH_MS = 60_000;
const QUOTA_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'dailyLimitExceeded', 'quotaExceeded']);
const GoogleError = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    errors: z.array(z.object({ reason: z.string().optional(), message: z.string().optional() })).optional(),
  }),
});

export type GmailCallOptions = { fetch?: Fetch; now?: Date; signal?: AbortSignal };

/** Calls `path` under `{apiBaseUrl}/gmail/v1/users/me` and parses the answer with `schema`. */
export async function gmailCall<T>(
  credentials: GmailCredentials,
  request: { method?: 'GET' | 'POST'; path: string; body?: unknown },
  schema: z.ZodType<T>,
  options: GmailCallOptions = {},
): Promise<GmailResult<T>> {
  const fetchImpl = options.fetch ?? fetch;
  const now = options.now ?? new Date();
  let current = credentials;
  let refreshed: GmailCredentials | undefined;
  const refresh = async (): Promise<SendFailure | undefined> => {
    const token = await refreshAccessToken(current, fetchImpl, now);
    if (!token.ok) return token.failure;
    current = {
      ...current,
      accessToken: token.accessToken,
      expiresAt: token.expiresAt,
      ...(token.refreshToken ? { refreshToken: token.refreshToken } : {}),
    };
    refreshed = current;
    return undefined;
  };
  if (Date.parse(current.expiresAt) - now.getTime() < EARLY_REFRESH_MS) {
    const failure = await refresh();
    if (failure) return { ok: false, failure };
  }
  for (let attempt = 0; ; attempt += 1) {
    let res: Response;
    try {
      res = await fetchImpl(`${trimSlash(current.apiBaseUrl)}/gmail/v1/users/me${request.path}`, {
        method: request.method ?? 'GET',
        headers: {
          authorization: `Bearer ${current.accessToken}`,
          ...(request.body ? { 'content-type': 'application/json' } : {}),
        },
        body: request.body ? JSON.stringify(request.body) : undefined,
        signal: options.signal,
      });
    } catch (error) {
      return {
        ok: false,
        failure: { kind: 'provider_down', message: `cannot reach the Gmail API: ${errorText(error)}` },
      };
    }
    if (res.status === 401 && attempt === 0) {
      await res.body?.cancel();
      const failure = await refresh();
      if (failure) return { ok: false, failure };
      continue;
    }
    const body = await readJson(res);
    if (!res.ok) return { ok: false, failure: classifyGmailError(res, body, now) };
    const parsed = schema.safeParse(body);
    if (!parsed.success)
      return {
        ok: false,
        failure: { kind: 'provider_down', message: `unexpected Gmail API answer for ${request.path}` },
      };
    return refreshed
      ? { ok: true, value: parsed.data, refreshedCredentials: refreshed }
      : { ok: true, value: parsed.data };
  }
}

const DAY_SECONDS = 24 * 3600;

/** The time in "User-rate limit exceeded.  Retry after 2023-03-07T18:18:23.688Z", as seconds from now. */
export function retryAfterInMessage(message: string, now: Date): number | undefined {
  const at = /retry after (\S+?)\.?$/i.exec(message.trim())?.[1];
  const time = at ? Date.parse(at) : Number.NaN;
  if (Number.isNaN(time)) return undefined;
  return Math.max(1, Math.ceil((time - now.getTime()) / 1000));
}

export function classifyGmailError(res: Response, body: unknown, now: Date = new Date()): SendFailure {
  const parsed = GoogleError.safeParse(body);
  const message = parsed.success ? (parsed.data.error.message ?? '') : '';
  const reasons = parsed.success ? (parsed.data.error.errors ?? []).map((e) => e.reason ?? '') : [];
  if (res.status === 429 || (res.status === 403 && reasons.some((r) => QUOTA_REASONS.has(r)))) {
    // A Workspace user over the sending limit cannot send for up to 24 h: with no time given, the
    // daily limit is waited out for a day; Google's own "Retry after <time>" wins when it says.
    const daily = reasons.includes('dailyLimitExceeded');
    const given = retryAfterInMessage(message, now) ?? retryAfterSeconds(res);
    const seconds = given ?? (daily ? DAY_SECONDS : 60);
    return {
      kind: 'rate_limited',
      message: QUOTA_EXCEEDED,
      retryAfterSeconds: seconds,
      ...(daily || seconds >= 3600 ? { accountLimit: true as const } : {}),
    };
  }
  if (res.status === 401) return { kind: 'auth_expired', message: NOT_CONNECTED };
  if (res.status === 403)
    return {
      kind: 'auth_expired',
      message: `Gmail refused the request (${reasons[0] ?? 'forbidden'}): reconnect the account with the Gmail scopes`,
    };
  if (res.status >= 500) return { kind: 'provider_down', message: `Gmail API HTTP ${res.status}` };
  if (res.status === 400 && /invalid (to|cc|bcc) header|invalid recipient/i.test(message)) {
    return { kind: 'invalid_recipient', message: 'Invalid email address' };
  }
  return { kind: 'rejected', message: `Gmail API HTTP ${res.status}: ${message.slice(0, 200)}` };
}

/** Gmail answered 404: the message (or the history id) no longer exists. */
export function isNotFound(failure: SendFailure): boolean {
  return failure.kind === 'rejected' && failure.message.startsWith('Gmail API HTTP 404');
}

/** Gmail refused a threadId it does not know (deleted thread, stale id). */
export function isInvalidThread(failure: SendFailure): boolean {
  return failure.kind === 'rejected' && /invalid thread_?id/i.test(failure.message);
}

const MessageRef = z.object({ id: z.string(), threadId: z.string(), labelIds: z.array(z.string()).optional() });
export type GmailMessageRef = z.infer<typeof MessageRef>;
const HistoryPage = z.object({
  history: z
    .array(z.object({ id: z.string(), messagesAdded: z.array(z.object({ message: MessageRef })).optional() }))
    .optional(),
  historyId: z.string(),
  nextPageToken: z.string().optional(),
});
const Profile = z.object({ emailAddress: z.string(), historyId: z.string() });
const RawMessage = z.object({
  id: z.string(),
  threadId: z.string(),
  labelIds: z.array(z.string()).optional(),
  raw: z.string(),
});
const MessageList = z.object({ messages: z.array(MessageRef).optional(), nextPageToken: z.string().optional() });

export function getProfile(credentials: GmailCredentials, options?: GmailCallOptions) {
  return gmailCall(credentials, { path: '/profile' }, Profile, options);
}

export type HistoryChanges =
  | {
      expired: false;
      /** Messages added since the start id (all pages), oldest first. */
      messages: GmailMessageRef[];
      /** Store this; the next poll starts from it. */
      historyId: string;
    }
  /** Gmail no longer knows the start id (404): the caller reads the gap another way. */
  | { expired: true };

/** New messages since `startHistoryId`, or `expired` when Gmail no longer keeps that id. */
export async function listHistory(
  credentials: GmailCredentials,
  startHistoryId: string,
  options: GmailCallOptions & { maxPages?: number } = {},
): Promise<GmailResult<HistoryChanges>> {
  let creds = credentials;
  let refreshed: GmailCredentials | undefined;
  const messages: GmailMessageRef[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < (options.maxPages ?? 20); page += 1) {
    const query = new URLSearchParams({
      startHistoryId,
      historyTypes: 'messageAdded',
      ...(pageToken ? { pageToken } : {}),
    });
    const result = await gmailCall(creds, { path: `/history?${query}` }, HistoryPage, options);
    if (!result.ok && isNotFound(result.failure))
      return { ok: true, value: { expired: true }, ...(refreshed ? { refreshedCredentials: refreshed } : {}) };
    if (!result.ok) return result;
    if (result.refreshedCredentials) creds = refreshed = result.refreshedCredentials;
    for (const record of result.value.history ?? [])
      for (const added of record.messagesAdded ?? []) messages.push(added.message);
    pageToken = result.value.nextPageToken;
    if (!pageToken) {
      return {
        ok: true,
        value: { expired: false, messages, historyId: result.value.historyId },
        ...(refreshed ? { refreshedCredentials: refreshed } : {}),
      };
    }
  }
  return {
    ok: false,
    failure: { kind: 'temporary', message: 'Gmail history has more pages than one poll reads; continuing next poll' },
  };
}

/** Every message received since `since` (messages.list `after:`, all pages), oldest first: a full sync. */
export async function listMessagesSince(
  credentials: GmailCredentials,
  since: Date,
  options: GmailCallOptions & { maxPages?: number } = {},
): Promise<GmailResult<GmailMessageRef[]>> {
  let creds = credentials;
  let refreshed: GmailCredentials | undefined;
  const refs: GmailMessageRef[] = [];
  let pageToken: string | undefined;
  const q = `after:${Math.floor(since.getTime() / 1000)}`;
  for (let page = 0; page < (options.maxPages ?? 20); page += 1) {
    const query = new URLSearchParams({ q, maxResults: '500', ...(pageToken ? { pageToken } : {}) });
    const result = await gmailCall(creds, { path: `/messages?${query}` }, MessageList, options);
    if (!result.ok) return result;
    if (result.refreshedCredentials) creds = refreshed = result.refreshedCredentials;
    refs.push(...(result.value.messages ?? []));
    pageToken = result.value.nextPageToken;
    if (!pageToken) break;
  }
  // Gmail lists newest first.
  refs.reverse();
  return { ok: true, value: refs, ...(refreshed ? { refreshedCredentials: refreshed } : {}) };
}

const Metadata = z.object({
  id: z.string(),
  payload: z.object({ headers: z.array(z.object({ name: z.string(), value: z.string() })).optional() }).optional(),
});

/** The Message-ID header Gmail stored for a message (it may differ from the one we set). */
export async function getMessageIdHeader(
  credentials: GmailCredentials,
  id: string,
  options?: GmailCallOptions,
): Promise<GmailResult<string | undefined>> {
  const query = new URLSearchParams({ format: 'metadata', metadataHeaders: 'Message-ID' });
  const result = await gmailCall(
    credentials,
    { path: `/messages/${encodeURIComponent(id)}?${query}` },
    Metadata,
    options,
  );
  if (!result.ok) return result;
  const header = result.value.payload?.headers?.find((h) => h.name.toLowerCase() === 'message-id')?.value;
  return { ...result, value: header?.trim() };
}

/** The RFC 822 bytes of one message (for emailReplies.parseInboundEmail). */
export async function getRawMessage(credentials: GmailCredentials, id: string, options?: GmailCallOptions) {
  const result = await gmailCall(
    credentials,
    { path: `/messages/${encodeURIComponent(id)}?format=raw` },
    RawMessage,
    options,
  );
  if (!result.ok) return result;
  return { ...result, value: { ...result.value, raw: Buffer.from(result.value.raw, 'base64url') } };
}

/** Finds a message by its Message-ID header (`rfc822msgid:` search): the reconcile after a crash. */
export function findByMessageIdHeader(
  credentials: GmailCredentials,
  messageIdHeader: string,
  options?: GmailCallOptions,
) {
  const q = `rfc822msgid:${messageIdHeader.replace(/^<|>$/g, '')}`;
  return gmailCall(
    credentials,
    { path: `/messages?${new URLSearchParams({ q, includeSpamTrash: 'true' })}` },
    MessageList,
    options,
  );
}
