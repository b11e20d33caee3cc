// A local fake of Google's OAuth token endpoint and the Gmail REST API, written from Google's docs:
//   token:   developers.google.com/identity/protocols/oauth2/web-server (POST form, grant_type
//            authorization_code | refresh_token; revoked grant → 400 {"error":"invalid_grant"})
//   send:    developers.google.com/gmail/api/guides/sending ({raw: base64url, threadId?} → {id, threadId, labelIds})
//   list:    users.messages.list (q in Gmail search syntax; rfc822msgid:<Message-ID>)
//   get:     users.messages.get (format=raw → {id, threadId, labelIds, historyId, raw})
//   profile: users.getProfile ({emailAddress, messagesTotal, threadsTotal, historyId})
//   history: developers.google.com/gmail/api/guides/sync (startHistoryId; 404 when too old)
//   errors:  developers.google.com/gmail/api/guides/handle-errors ({error:{code, message, errors:[{domain, reason, message}]}})
// Switches make it answer 401, 429, 403 quota reasons, or refuse a revoked refresh token.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeGmailMessage = {
  id: string;
  threadId: string;
  labelIds: string[];
  historyId: number;
  raw: Buffer;
  messageIdHeader?: string;
};
type Grant = { refreshToken: string; revoked: boolean };

export class FakeGmail {
  url = '';
  readonly clientId = 'fake-client.apps.googleusercontent.com';
  readonly clientSecret = 'fake-secret';
  readonly emailAddress: string;
  readonly messages: FakeGmailMessage[] = [];
  readonly requests: { method: string; path: string; authorization?: string }[] = [];
  /** Answer the next send calls with these errors, in order. */
  readonly sendFailures: ('401' | '429' | 'dailyLimitExceeded' | 'userRateLimitExceeded' | '500')[] = [];
  /** History ids below this answer 404 (Gmail keeps history for about a week). */
  oldestHistoryId = 1;
  private historyId = 1000;
  private counter = 0;
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private readonly codes = new Map<string, { refreshToken: string; redirectUri: string }>();
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
  issueCode(redirectUri: string): string {
    const code = `code-${randomBytes(6).toString('hex')}`;
    this.codes.set(code, { refreshToken: `1//refresh-${randomBytes(6).toString('hex')}`, redirectUri });
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

    if (req.method === 'POST' && path === '/messages/send') {
      const failure = this.sendFailures.shift();
      if (failure === '401') return json(res, 401, googleError(401, 'Invalid Credentials', 'authError'));
      if (failure === '429')
        return json(res, 429, googleError(429, 'Too many concurrent requests for user', 'rateLimitExceeded'), {
          'retry-after': '30',
        });
      if (failure === '500') return json(res, 500, googleError(500, 'Backend Error', 'backendError'));
      if (failure)
        return json(
          res,
          403,
          googleError(
            403,
            failure === 'dailyLimitExceeded' ? 'Daily Limit Exceeded' : 'User Rate Limit Exceeded',
            failure,
            'usageLimits',
          ),
        );
      const parsed = parseJson(body);
      const raw = typeof parsed.raw === 'string' ? Buffer.from(parsed.raw, 'base64url') : undefined;
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
      const message = this.store(raw, ['SENT'], typeof parsed.threadId === 'string' ? parsed.threadId : undefined);
      return json(res, 200, { id: message.id, threadId: message.threadId, labelIds: message.labelIds });
    }
    if (req.method === 'GET' && path === '/messages') {
      const q = url.searchParams.get('q') ?? '';
      const wanted = /rfc822msgid:\s*<?([^\s>]+)>?/i.exec(q)?.[1]?.toLowerCase();
      const found = this.messages.filter(
        (m) => wanted === undefined || m.messageIdHeader?.toLowerCase() === `<${wanted}>`,
      );
      if (found.length === 0) return json(res, 200, { resultSizeEstimate: 0 });
      return json(res, 200, {
        messages: found.map((m) => ({ id: m.id, threadId: m.threadId })),
        resultSizeEstimate: found.length,
      });
    }
    const single = /^\/messages\/([0-9a-f]+)$/.exec(path);
    if (req.method === 'GET' && single) {
      const message = this.messages.find((m) => m.id === single[1]);
      if (!message) return json(res, 404, googleError(404, 'Requested entity was not found.', 'notFound'));
      const { id, threadId, labelIds, historyId } = message;
      return json(res, 200, {
        id,
        threadId,
        labelIds,
        historyId: String(historyId),
        raw: message.raw.toString('base64url'),
        sizeEstimate: message.raw.length,
      });
    }
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
        scope: 'https://www.googleapis.com/auth/gmail.send https://www.googleapis.com/auth/gmail.readonly',
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

function ref(message: FakeGmailMessage) {
  return { id: message.id, threadId: message.threadId, labelIds: message.labelIds };
}

function googleError(code: number, message: string, reason: string, domain = 'global') {
  return {
    error: {
      code,
      message,
      errors: [{ message, domain, reason }],
      status: code === 401 ? 'UNAUTHENTICATED' : undefined,
    },
  };
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
