// A local fake of Google's OAuth token endpoint and the Gmail REST API, written from Google's docs:
//   token:   developers.google.com/identity/protocols/oauth2/web-server (POST form, grant_type
//            authorization_code | refresh_token; revoked grant → 400 {"error":"invalid_grant"}; the
//            answer's `scope` lists only what the person granted: granular consent, issueCode's `granted`)
//   send:    developers.google.com/gmail/api/guides/sending ({raw: base64url, threadId?} → {id, threadId, labelIds})
//   list:    users.messages.list (q in Gmail search syntax; rfc822msgid:<Message-ID>)
//   get:     users.messages.get (format=raw → {id, threadId, labelIds, historyId, raw})
//   profile: users.getProfile ({emailAddress, messagesTotal, threadsTotal, historyId})
//   history: developers.google.com/gmail/api/guides/sync (startHistoryId; 404 when too old)
//   errors:  developers.google.com/gmail/api/guides/handle-errors ({error:{code, message, errors:[{domain, reason, message}]}})
// How the real service behaves where the docs are silent, and this fake does too:
//   - quota bodies read "User-rate limit exceeded.  Retry after 2023-03-07T18:18:23.688Z" (reason
//     rateLimitExceeded; github.com/taers232c/GAMADV-XTD3/issues/337, levz0r/gmail-tester#23) and a
//     429 reads "Resource has been exhausted (e.g. check quota)." with status RESOURCE_EXHAUSTED
//     (elie222/inbox-zero#379);
//   - an unknown or deleted threadId on send is 400 "Invalid thread_id value", not a new thread;
//   - history lists messages that may be gone by the time they are fetched (deleted, or drafts,
//     which get a new id on every save): messages.get answers 404 for those;
//   - a start history id Gmail no longer keeps answers 404 (forgetHistory());
//   - Gmail may replace a client-set Message-ID (rewriteMessageIds), so the header is read back with
//     messages.get?format=metadata&metadataHeaders=Message-ID;
//   - messages.list understands `q` with rfc822msgid: and after:<epoch seconds>, pages with
//     maxResults/pageToken, and leaves SPAM/TRASH out unless includeSpamTrash.
// Shortcuts: search is read-after-write here (it is not on Gmail); `q` understands only those two
// operators. Switches make it answer 401, 429, 403 quota reasons, or refuse a revoked refresh token.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeGmailMessage = {
  id: string;
  threadId: string;
  labelIds: string[];
  historyId: number;
  /** Milliseconds since the epoch when Gmail received it (messages.get internalDate). */
  internalDate: number;
  raw: Buffer;
  messageIdHeader?: string;
};
/** A quota answer with Google's body: "… Retry after <time>" when `retryAfter` is given. */
export type QuotaAnswer = { status: 403 | 429; reason: string; retryAfter?: Date };
export type SendFailureSpec = '401' | '429' | 'dailyLimitExceeded' | 'userRateLimitExceeded' | '500' | QuotaAnswer;
type Grant = { refreshToken: string; revoked: boolean };
const FULL_SCOPES = [
  'https://www.googleapis.com/auth/gmail.send',
  'https://www.googleapis.com/auth/gmail.readonly',
] as const;

export class FakeGmail {
  url = '';
  readonly clientId = 'fake-client.apps.googleusercontent.com';
  readonly clientSecret = 'fake-secret';
  readonly emailAddress: string;
  readonly messages: FakeGmailMessage[] = [];
  readonly requests: { method: string; path: string; authorization?: string }[] = [];
  /** Answer the next send calls with these errors, in order. */
  readonly sendFailures: SendFailureSpec[] = [];
  /** History ids below this answer 404 (Gmail keeps history for about a week). */
  oldestHistoryId = 1;
  /** Gmail's clock (internalDate of new messages). */
  now = new Date('2026-03-02T09:00:00Z');
  /** Replace the Message-ID of sent mail with one of Gmail's own, as Gmail sometimes does. */
  rewriteMessageIds = false;
  private draftId: string | undefined;
  private historyId = 1000;
  private counter = 0;
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private readonly codes = new Map<string, { refreshToken: string; redirectUri: string; granted: readonly string[] }>();
  private readonly grants = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, string>(); // access token → refresh token
  private readonly history: { id: number; message: FakeGmailMessage }[] = [];

  constructor(emailAddress = 'sam@acme.io') {
    this.emailAddress = emailAddress;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address: AddressInfo | string | null = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('fake Gmail has no TCP address');
    this.url = `http://127.0.0.1:${address.port}`;
    return this;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** What the consent screen would hand the redirect URI after a person agrees. */
  issueCode(redirectUri: string, granted: readonly string[] = FULL_SCOPES): string {
    const code = `code-${randomBytes(6).toString('hex')}`;
    this.codes.set(code, { refreshToken: `1//refresh-${randomBytes(6).toString('hex')}`, redirectUri, granted });
    return code;
  }
  /** A connected account: a live access token and its refresh token. */
  connect(): { accessToken: string; refreshToken: string } {
    const refreshToken = `1//refresh-${randomBytes(6).toString('hex')}`;
    this.grants.set(refreshToken, { refreshToken, revoked: false });
    return { accessToken: this.mintAccessToken(refreshToken), refreshToken };
  }
  revoke(refreshToken: string): void {
    const grant = this.grants.get(refreshToken);
    if (grant) grant.revoked = true;
  }
  /** Every access token issued so far stops working (answers 401), as after an hour. */
  expireAccessTokens(): void {
    this.accessTokens.clear();
  }
  /** A message arriving in the inbox (a reply, a bounce …). */
  deliver(raw: Buffer, threadId?: string): FakeGmailMessage {
    return this.store(raw, ['INBOX', 'UNREAD'], threadId);
  }
  currentHistoryId(): number {
    return this.historyId;
  }
  /** A message deleted for good: history still lists it, messages.get answers 404. */
  deleteMessage(id: string): void {
    const at = this.messages.findIndex((m) => m.id === id);
    if (at >= 0) this.messages.splice(at, 1);
  }
  /** Saving a draft: each save is a new message id (DRAFT) and the previous one is gone. */
  saveDraft(raw: Buffer): FakeGmailMessage {
    if (this.draftId) this.deleteMessage(this.draftId);
    const draft = this.store(raw, ['DRAFT']);
    this.draftId = draft.id;
    return draft;
  }
  /** Gmail no longer knows any history id up to now (a mailbox not polled for over a week). */
  forgetHistory(): void {
    this.oldestHistoryId = this.historyId + 1;
  }

  private mintAccessToken(refreshToken: string): string {
    const token = `ya29.${randomBytes(8).toString('hex')}`;
    this.accessTokens.set(token, refreshToken);
    return token;
  }

  private store(raw: Buffer, labelIds: string[], threadId?: string): FakeGmailMessage {
    this.counter += 1;
    this.historyId += 7; // ids increase but are not contiguous
    const id = (0x18c0000000000000n + BigInt(this.counter)).toString(16);
    const header = /^message-id:\s*(<[^>]+>)/im.exec(raw.toString('utf8').split(/\r?\n\r?\n/)[0] ?? '')?.[1];
    const known = threadId && this.messages.some((m) => m.threadId === threadId);
    const message = {
      id,
      threadId: known && threadId ? threadId : id,
      labelIds,
      historyId: this.historyId,
      internalDate: this.now.getTime(),
      raw,
      messageIdHeader: header,
    };
    this.messages.push(message);
    this.history.push({ id: this.historyId, message });
    return message;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const body = await readBody(req);
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, authorization: req.headers.authorization });
    if (req.method === 'POST' && url.pathname === '/token') return this.token(new URLSearchParams(body), res);
    const prefix = '/gmail/v1/users/me';
    if (!url.pathname.startsWith(prefix)) return json(res, 404, googleError(404, 'Not Found', 'notFound'));
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !this.accessTokens.has(bearer))
      return json(res, 401, googleError(401, 'Invalid Credentials', 'authError'));
    const path = url.pathname.slice(prefix.length);

    if (req.method === 'POST' && path === '/messages/send') return this.send(body, res);
    if (req.method === 'GET' && path === '/messages') return this.listMessages(url.searchParams, res);
    const single = /^\/messages\/([0-9a-f]+)$/.exec(path);
    if (req.method === 'GET' && single) return this.getMessage(single[1] ?? '', url.searchParams, res);
    if (req.method === 'GET' && path === '/profile') {
      return json(res, 200, {
        emailAddress: this.emailAddress,
        messagesTotal: this.messages.length,
        threadsTotal: new Set(this.messages.map((m) => m.threadId)).size,
        historyId: String(this.historyId),
      });
    }
    if (req.method === 'GET' && path === '/history') return this.listHistory(url.searchParams, res);
    return json(res, 404, googleError(404, 'Not Found', 'notFound'));
  }

  private send(body: string, res: ServerResponse): void {
    const failure = this.sendFailures.shift();
    if (failure) return answerFailure(res, failure);
    const parsed = parseJson(body);
    let raw: Buffer | undefined = typeof parsed.raw === 'string' ? Buffer.from(parsed.raw, 'base64url') : undefined;
    if (!raw || raw.length === 0)
      return json(
        res,
        400,
        googleError(
          400,
          "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
          'invalidArgument',
        ),
      );
    if (!/^to:/im.test(raw.toString('utf8')))
      return json(res, 400, googleError(400, 'Invalid To header', 'invalidArgument'));
    const threadId = typeof parsed.threadId === 'string' ? parsed.threadId : undefined;
    if (threadId !== undefined && !this.messages.some((m) => m.threadId === threadId))
      return json(res, 400, googleError(400, 'Invalid thread_id value', 'invalidArgument'));
    if (this.rewriteMessageIds) raw = rewriteMessageId(raw, `<CAGmail${this.counter + 1}=x@mail.gmail.com>`);
    const message = this.store(raw, ['SENT'], threadId);
    json(res, 200, { id: message.id, threadId: message.threadId, labelIds: message.labelIds });
  }

  private listMessages(params: URLSearchParams, res: ServerResponse): void {
    const q = params.get('q') ?? '';
    const wanted = /rfc822msgid:\s*<?([^\s>]+)>?/i.exec(q)?.[1]?.toLowerCase();
    const after = /after:(\d+)/.exec(q)?.[1];
    const withTrash = params.get('includeSpamTrash') === 'true';
    // Newest first, as Gmail lists.
    const found = [...this.messages]
      .reverse()
      .filter((m) => wanted === undefined || m.messageIdHeader?.toLowerCase() === `<${wanted}>`)
      .filter((m) => after === undefined || m.internalDate >= Number(after) * 1000)
      .filter((m) => withTrash || !m.labelIds.some((l) => l === 'SPAM' || l === 'TRASH'));
    const pageSize = Math.min(Number(params.get('maxResults') ?? 100), 500);
    const offset = Number(params.get('pageToken') ?? 0);
    const page = found.slice(offset, offset + pageSize);
    const next = offset + pageSize < found.length ? String(offset + pageSize) : undefined;
    if (page.length === 0) return json(res, 200, { resultSizeEstimate: 0 });
    json(res, 200, {
      messages: page.map((m) => ({ id: m.id, threadId: m.threadId })),
      resultSizeEstimate: found.length,
      ...(next ? { nextPageToken: next } : {}),
    });
  }

  private getMessage(id: string, params: URLSearchParams, res: ServerResponse): void {
    const message = this.messages.find((m) => m.id === id);
    if (!message) return json(res, 404, googleError(404, 'Requested entity was not found.', 'notFound'));
    const { threadId, labelIds, historyId } = message;
    const base = { id, threadId, labelIds, historyId: String(historyId), internalDate: String(message.internalDate) };
    if (params.get('format') === 'metadata') {
      const wanted = params.getAll('metadataHeaders').map((h) => h.toLowerCase());
      const headers = headerLines(message.raw).filter((h) => wanted.includes(h.name.toLowerCase()));
      return json(res, 200, { ...base, payload: { headers } });
    }
    json(res, 200, { ...base, raw: message.raw.toString('base64url'), sizeEstimate: message.raw.length });
  }

  private listHistory(params: URLSearchParams, res: ServerResponse): void {
    const start = Number(params.get('startHistoryId'));
    if (!Number.isFinite(start) || start < this.oldestHistoryId) {
      return json(res, 404, googleError(404, 'Requested entity was not found.', 'notFound'));
    }
    const pageSize = Math.min(Number(params.get('maxResults') ?? 2), 500);
    const offset = Number(params.get('pageToken') ?? 0);
    const records = this.history.filter((h) => h.id > start);
    const page = records.slice(offset, offset + pageSize);
    const next = offset + pageSize < records.length ? String(offset + pageSize) : undefined;
    json(res, 200, {
      ...(page.length > 0
        ? {
            history: page.map((h) => ({
              id: String(h.id),
              messages: [ref(h.message)],
              messagesAdded: [{ message: ref(h.message) }],
            })),
          }
        : {}),
      historyId: String(this.historyId),
      ...(next ? { nextPageToken: next } : {}),
    });
  }

  private token(form: URLSearchParams, res: ServerResponse): void {
    if (form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret) {
      return json(res, 401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
    }
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      if (!code || code.redirectUri !== form.get('redirect_uri'))
        return json(res, 400, { error: 'invalid_grant', error_description: 'Malformed auth code.' });
      this.codes.delete(form.get('code') ?? '');
      this.grants.set(code.refreshToken, { refreshToken: code.refreshToken, revoked: false });
      return json(res, 200, {
        access_token: this.mintAccessToken(code.refreshToken),
        expires_in: 3599,
        refresh_token: code.refreshToken,
        // Granular consent: only what the person left ticked.
        scope: code.granted.join(' '),
        token_type: 'Bearer',
      });
    }
    if (grantType === 'refresh_token') {
      const grant = this.grants.get(form.get('refresh_token') ?? '');
      if (!grant || grant.revoked)
        return json(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      return json(res, 200, {
        access_token: this.mintAccessToken(grant.refreshToken),
        expires_in: 3599,
        scope: 'https://www.googleapis.com/auth/gmail.send',
        token_type: 'Bearer',
      });
    }
    json(res, 400, { error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${grantType ?? ''}` });
  }
}

function answerFailure(res: ServerResponse, failure: SendFailureSpec): void {
  if (failure === '401') return json(res, 401, googleError(401, 'Invalid Credentials', 'authError'));
  if (failure === '429')
    return json(res, 429, googleError(429, 'Too many concurrent requests for user', 'rateLimitExceeded'), {
      'retry-after': '30',
    });
  if (failure === '500') return json(res, 500, googleError(500, 'Backend Error', 'backendError'));
  if (typeof failure === 'object') {
    const text = failure.retryAfter
      ? `User-rate limit exceeded.  Retry after ${failure.retryAfter.toISOString()}`
      : 'Resource has been exhausted (e.g. check quota).';
    return json(res, failure.status, googleError(failure.status, text, failure.reason));
  }
  json(
    res,
    403,
    googleError(
      403,
      failure === 'dailyLimitExceeded' ? 'Daily Limit Exceeded' : 'User Rate Limit Exceeded',
      failure,
      'usageLimits',
    ),
  );
}

function headerLines(raw: Buffer): { name: string; value: string }[] {
  const head = raw.toString('utf8').split(/\r?\n\r?\n/)[0] ?? '';
  return head
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/)
    .flatMap((line) => {
      const at = line.indexOf(':');
      return at > 0 ? [{ name: line.slice(0, at), value: line.slice(at + 1).trim() }] : [];
    });
}

function rewriteMessageId(raw: Buffer, id: string): Buffer {
  const text = raw.toString('utf8');
  const split = text.search(/\r?\n\r?\n/);
  const head = text.slice(0, split);
  const rewritten = /^message-id:/im.test(head)
    ? head.replace(/^message-id:.*$/im, `Message-ID: ${id}`)
    : `Message-ID: ${id}\r\n${head}`;
  return Buffer.from(rewritten + text.slice(split), 'utf8');
}

function ref(message: FakeGmailMessage) {
  return { id: message.id, threadId: message.threadId, labelIds: message.labelIds };
}

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
};

function googleError(code: number, message: string, reason: string, domain = 'global') {
  return { error: { code, message, errors: [{ message, domain, reason }], status: STATUS[code] } };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value)) : {};
  } catch {
    return {};
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
