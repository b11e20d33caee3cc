// The Gmail adapter and OAuth helpers against the local fake of Google's token endpoint and Gmail
// API: spec 000's checklist (connected, disconnected, expired token, API errors) plus threading,
// reconcile by Message-ID and history polling.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getRawMessage, listHistory } from '../../src/channels/gmail/api.ts';
import { pollGmail } from '../../src/channels/gmail/poll.ts';
import type { KeyedEvent } from '../../src/core/events.ts';
import { gmailAdapter } from '../../src/channels/gmail/adapter.ts';
import { GmailCredentials } from '../../src/channels/gmail/credentials.ts';
import { buildAuthUrl, exchangeCode, googleOAuth, refreshAccessToken } from '../../src/channels/gmail/oauth.ts';
import { buildEmail } from '../../src/channels/email/buildEmail.ts';
import type { OutboundMessage } from '../../src/channels/types.ts';
import { FakeGmail } from '../fakes/gmail.ts';

let google: FakeGmail;
beforeAll(async () => {
  google = await new FakeGmail('sam@acme.io').start();
});
afterAll(async () => google.close());
beforeEach(() => {
  google.sendFailures.length = 0;
});

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

function connected(overrides: Partial<GmailCredentials> = {}): GmailCredentials {
  const tokens = google.connect();
  return GmailCredentials.parse({
    ...tokens,
    expiresAt: inAnHour(),
    clientId: google.clientId,
    clientSecret: google.clientSecret,
    apiBaseUrl: google.url,
    tokenUrl: `${google.url}/token`,
    emailAddress: 'sam@acme.io',
    ...overrides,
  });
}

function message(
  id: string,
  thread?: { messageIdHeader: string; subject: string; providerThreadId: string },
): OutboundMessage {
  const built = buildEmail({
    messageId: id,
    fromEmail: 'sam@acme.io',
    subject: 'Reporting at Globex',
    text: thread ? 'Bumping this one.' : 'Hi Dana,\n\nWorth a chat about reporting?\n\nSam',
    postalAddress: 'Acme Inc., 1 Main St, Springfield',
    links: { publicBaseUrl: 'https://app.quotahit.test', secret: 's' },
    tracking: false,
    thread,
  });
  return {
    id,
    channel: 'email',
    purpose: 'intro',
    from: { email: 'sam@acme.io', name: 'Sam' },
    to: { email: 'dana@globex.com' },
    subject: built.subject,
    text: built.text,
    html: built.html,
    headers: built.headers,
    providerThreadId: thread?.providerThreadId,
  };
}

describe('gmail adapter', () => {
  it('sends through a connected account as raw RFC 822', async () => {
    const result = await gmailAdapter.send(message('m-connected'), connected(), {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.refreshedCredentials).toBeUndefined();
    const stored = google.messages.find((m) => m.id === result.value.providerMessageId)!;
    expect(stored.threadId).toBe(result.value.providerThreadId);
    const parsed = await simpleParser(stored.raw);
    expect(parsed.messageId).toBe('<m-connected@acme.io>');
    expect(parsed.to && 'text' in parsed.to ? parsed.to.text : '').toBe('dana@globex.com');
  });

  it('threads a follow-up with threadId, In-Reply-To and Re: subject', async () => {
    const credentials = connected();
    const first = await gmailAdapter.send(message('m-first'), credentials, {});
    if (!first.ok) throw new Error('first send failed');
    const thread = {
      messageIdHeader: '<m-first@acme.io>',
      subject: 'Reporting at Globex',
      providerThreadId: first.value.providerThreadId!,
    };
    const second = await gmailAdapter.send(message('m-second', thread), credentials, {});
    expect(second.ok && second.value.providerThreadId).toBe(first.value.providerThreadId);
    const parsed = await simpleParser(google.messages.at(-1)!.raw);
    expect(parsed.subject).toBe('Re: Reporting at Globex');
    expect(parsed.inReplyTo).toBe('<m-first@acme.io>');
  });

  it('refreshes an expired access token first and returns the new credentials', async () => {
    const credentials = connected({ expiresAt: new Date(Date.now() - 1000).toISOString() });
    const result = await gmailAdapter.send(message('m-expired'), credentials, {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const refreshed = GmailCredentials.parse(result.value.refreshedCredentials);
    expect(refreshed.accessToken).not.toBe(credentials.accessToken);
    expect(refreshed.refreshToken).toBe(credentials.refreshToken);
    expect(Date.parse(refreshed.expiresAt)).toBeGreaterThan(Date.now() + 3000_000);
  });

  it('refreshes once when Google answers 401 to a token it considers expired', async () => {
    const credentials = connected();
    google.expireAccessTokens();
    const result = await gmailAdapter.send(message('m-401'), credentials, {});
    expect(result.ok && result.value.refreshedCredentials).toBeTruthy();
  });

  it('reports a revoked refresh token with spec 000 wording', async () => {
    const credentials = connected({ expiresAt: new Date(Date.now() - 1000).toISOString() });
    google.revoke(credentials.refreshToken);
    expect(await gmailAdapter.send(message('m-revoked'), credentials, {})).toEqual({
      ok: false,
      failure: { kind: 'auth_expired', message: 'Google account not connected: reconnect it' },
    });
  });

  it.each([
    { failure: '429', retryAfterSeconds: 30 },
    { failure: 'userRateLimitExceeded', retryAfterSeconds: 60 },
    // A day's sending limit with no time given: wait a day (Google: up to 24 h), as the account's limit.
    { failure: 'dailyLimitExceeded', retryAfterSeconds: 86400, accountLimit: true },
  ] as const)('maps quota answer $failure to rate_limited', async ({ failure, ...expected }) => {
    google.sendFailures.push(failure);
    expect(await gmailAdapter.send(message(`m-${failure}`), connected(), {})).toEqual({
      ok: false,
      failure: { kind: 'rate_limited', message: 'Gmail API quota exceeded', ...expected },
    });
  });

  it('honours the time in "Retry after <time>", Google\'s real quota body', async () => {
    const now = new Date();
    google.sendFailures.push({
      status: 429,
      reason: 'rateLimitExceeded',
      retryAfter: new Date(now.getTime() + 15 * 60_000 + 300),
    });
    const soon = await gmailAdapter.send(message('m-retry-after'), connected(), { now });
    expect(soon).toEqual({
      ok: false,
      failure: { kind: 'rate_limited', message: 'Gmail API quota exceeded', retryAfterSeconds: 901 },
    });
    // The sending limit: locked out for most of a day, the account's own limit.
    google.sendFailures.push({
      status: 429,
      reason: 'rateLimitExceeded',
      retryAfter: new Date(now.getTime() + 20 * 3600_000),
    });
    const locked = await gmailAdapter.send(message('m-locked'), connected(), { now });
    expect(!locked.ok && locked.failure).toEqual({
      kind: 'rate_limited',
      message: 'Gmail API quota exceeded',
      retryAfterSeconds: 72000,
      accountLimit: true,
    });
  });

  it('maps a Gmail outage to provider_down and a bad address to invalid_recipient', async () => {
    google.sendFailures.push('500');
    const down = await gmailAdapter.send(message('m-500'), connected(), {});
    expect(!down.ok && down.failure.kind).toBe('provider_down');
    const noRecipient = await gmailAdapter.send({ ...message('m-bad'), to: { email: 'dana' } }, connected(), {});
    expect(noRecipient).toEqual({
      ok: false,
      failure: { kind: 'invalid_recipient', message: 'Invalid email address' },
    });
  });

  it('reconciles a send by our Message-ID (rfc822msgid search)', async () => {
    const credentials = connected();
    const sent = await gmailAdapter.send(message('m-lookup'), credentials, {});
    if (!sent.ok) throw new Error('send failed');
    expect(await gmailAdapter.lookup('m-lookup', credentials, {})).toEqual({
      found: true,
      value: { providerMessageId: sent.value.providerMessageId, providerThreadId: sent.value.providerThreadId },
    });
    // A miss is not proof of absence (the Message-ID may not have survived): "cannot tell".
    expect(await gmailAdapter.lookup('m-never-sent', credentials, {})).toEqual({ unsupported: true });
  });
});

describe('gmail: Message-IDs and threads as Gmail keeps them', () => {
  it('reads back a Message-ID Gmail replaced, and says nothing when Gmail kept ours', async () => {
    const credentials = connected();
    const kept = await gmailAdapter.send(message('m-kept'), credentials, {});
    expect(kept.ok && kept.value.rfcMessageId).toBeUndefined();
    google.rewriteMessageIds = true;
    const rewritten = await gmailAdapter.send(message('m-rewritten'), credentials, {});
    google.rewriteMessageIds = false;
    if (!rewritten.ok) throw new Error('send failed');
    const stored = google.messages.find((m) => m.id === rewritten.value.providerMessageId);
    expect(rewritten.value.rfcMessageId).toBe(stored?.messageIdHeader);
    expect(rewritten.value.rfcMessageId).toMatch(/@mail\.gmail\.com>$/);
  });

  it('sends a follow-up whose thread Gmail no longer knows once more, as a new thread', async () => {
    const credentials = connected();
    const thread = {
      messageIdHeader: '<m-gone@acme.io>',
      subject: 'Reporting at Globex',
      providerThreadId: 'deadbeef00',
    };
    const result = await gmailAdapter.send(message('m-stale-thread', thread), credentials, {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.providerThreadId).toBe(result.value.providerMessageId);
    const sends = google.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages/send'));
    expect(sends.length).toBeGreaterThanOrEqual(2);
    const parsed = await simpleParser(google.messages.at(-1)!.raw);
    expect(parsed.inReplyTo).toBe('<m-gone@acme.io>');
  });
});

describe('gmail oauth', () => {
  it.each([
    [
      ['https://www.googleapis.com/auth/gmail.readonly'],
      /did not grant https:\/\/www\.googleapis\.com\/auth\/gmail\.send \(to send mail\)/,
    ],
    [['https://www.googleapis.com/auth/gmail.send'], /gmail\.readonly \(to read replies and bounces\)/],
  ])('refuses a grant without every Gmail scope, naming the missing one (%j)', async (granted, why) => {
    const redirectUri = 'https://app.test/oauth/google/callback';
    const settings = {
      clientId: google.clientId,
      clientSecret: google.clientSecret,
      authUrl: `${google.url}/auth`,
      tokenUrl: `${google.url}/token`,
      apiBaseUrl: google.url,
    };
    const code = google.issueCode(redirectUri, granted);
    const result = await googleOAuth.exchange(settings, { code, redirectUri }, { now: new Date() });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(why);
  });

  it('builds the consent URL for offline access to send and read', () => {
    const url = new URL(
      buildAuthUrl({ clientId: 'cid', redirectUri: 'https://app.test/oauth/google/callback', state: 'st8' }),
    );
    expect(url.origin + url.pathname).toBe('https://accounts.google.com/o/oauth2/v2/auth');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'cid',
      response_type: 'code',
      access_type: 'offline',
      prompt: 'consent',
      state: 'st8',
      scope: 'https://www.googleapis.com/auth/gmail.send https://www.googleapis.com/auth/gmail.readonly',
    });
  });

  it('exchanges a code for complete credentials with the Gmail address', async () => {
    const redirectUri = 'https://app.test/oauth/google/callback';
    const now = new Date('2026-03-01T10:00:00Z');
    const input = {
      code: google.issueCode(redirectUri),
      redirectUri,
      clientId: google.clientId,
      clientSecret: google.clientSecret,
      tokenUrl: `${google.url}/token`,
      apiBaseUrl: google.url,
    };
    const result = await exchangeCode(input, fetch, now);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.credentials).toMatchObject({
      emailAddress: 'sam@acme.io',
      expiresAt: '2026-03-01T10:59:59.000Z',
      apiBaseUrl: google.url,
    });
    expect(GmailCredentials.safeParse(result.credentials).success).toBe(true);
    // A code works once.
    const again = await exchangeCode(input, fetch, now);
    expect(!again.ok && again.failure).toEqual({
      kind: 'auth_expired',
      message: 'Google account not connected: reconnect it',
    });
  });

  it('refreshes a token and refuses a wrong client secret clearly', async () => {
    const credentials = connected();
    const refreshed = await refreshAccessToken(credentials, fetch, new Date('2026-03-01T10:00:00Z'));
    expect(refreshed).toMatchObject({ ok: true, expiresAt: '2026-03-01T10:59:59.000Z' });
    const wrong = await refreshAccessToken({ ...credentials, clientSecret: 'nope' });
    expect(!wrong.ok && wrong.failure.message).toMatch(/OAuth client \(invalid_client\)/);
  });
});

describe('gmail reply polling helpers', () => {
  it('lists new messages across pages and fetches their raw bytes', async () => {
    const credentials = connected();
    const start = String(google.currentHistoryId());
    const raw = (n: number) =>
      Buffer.from(
        `From: dana@globex.com\r\nTo: sam@acme.io\r\nSubject: Re: hi\r\nMessage-ID: <r${n}@globex.com>\r\n\r\nReply ${n}\r\n`,
      );
    const delivered = [1, 2, 3].map((n) => google.deliver(raw(n)));
    const changes = await listHistory(credentials, start);
    expect(changes.ok).toBe(true);
    if (!changes.ok) return;
    if (changes.value.expired) throw new Error('history expired');
    expect(changes.value.messages.map((m) => m.id)).toEqual(delivered.map((m) => m.id));
    expect(changes.value).toMatchObject({ historyId: String(google.currentHistoryId()), expired: false });
    const fetched = await getRawMessage(credentials, delivered[2]!.id);
    expect(fetched.ok && fetched.value.raw.toString()).toContain('Reply 3');
  });

  it('says when Gmail no longer knows the start history id', async () => {
    google.oldestHistoryId = 500;
    const changes = await listHistory(connected(), '10');
    google.oldestHistoryId = 1;
    expect(changes).toEqual({ ok: true, value: { expired: true } });
  });
});

describe('gmail reply polling', () => {
  const reply = (n: string) =>
    Buffer.from(
      `From: dana@globex.com\r\nTo: sam@acme.io\r\nSubject: Re: hi\r\nMessage-ID: <${n}@globex.com>\r\n\r\nReply ${n}\r\n`,
    );
  const poll = async (credentials: GmailCredentials, cursor: Record<string, unknown>, now = google.now) => {
    const result = await pollGmail(credentials, cursor, { now });
    if (!result.ok) throw new Error(`poll failed: ${result.failure.message}`);
    return result;
  };
  const bodies = (events: KeyedEvent[]) => events.map((e) => (e.event.type === 'replied' ? e.event.text.trim() : ''));

  it('skips a message deleted before it is fetched, and the replies after it still arrive', async () => {
    const credentials = connected();
    const first = await poll(credentials, {});
    const gone = google.deliver(reply('gone'));
    google.deleteMessage(gone.id);
    google.deliver(reply('kept'));
    const second = await poll(credentials, first.cursor);
    expect(bodies(second.events)).toEqual(['Reply kept']);
    expect(second.cursor.historyId).toBe(String(google.currentHistoryId()));
  });

  it('ignores drafts (each save a new id, the old one gone) and what we sent', async () => {
    const credentials = connected();
    const first = await poll(credentials, {});
    google.saveDraft(reply('draft-1'));
    google.saveDraft(reply('draft-2'));
    await gmailAdapter.send(message('m-poll-sent'), credentials, {});
    google.deliver(reply('real'));
    const second = await poll(credentials, first.cursor);
    expect(bodies(second.events)).toEqual(['Reply real']);
  });

  it('reads the gap with messages.list when Gmail has forgotten the history id', async () => {
    const credentials = connected();
    const polledAt = new Date(google.now.getTime());
    const first = await poll(credentials, {}, polledAt);
    google.now = new Date(polledAt.getTime() + 9 * 24 * 3600_000);
    const missed = google.deliver(reply('in-the-gap'));
    google.forgetHistory();
    const second = await poll(credentials, first.cursor, google.now);
    google.oldestHistoryId = 1;
    expect(second.events.map((e) => e.key)).toContain(`gmail:${missed.id}`);
    expect(bodies(second.events)).toContain('Reply in-the-gap');
    expect(second.cursor.historyId).toBe(String(google.currentHistoryId()));
    // And from there on, history again.
    google.deliver(reply('after'));
    expect(bodies((await poll(credentials, second.cursor)).events)).toEqual(['Reply after']);
  });
});
