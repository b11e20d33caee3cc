// Resend (fake API + Svix-signed webhooks) and Gmail (OAuth flow, sends, refresh, disconnection,
// quota errors and reply polling against the fake Google API), driven through the API and tick().
import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollableSenders } from '../../src/engine/events/poll.ts';
import { sealJson, senderSecret } from '../../src/engine/accounts/secrets.ts';
import type { LocalDns } from '../channels/support/dnsServer.ts';
import { FakeGmail } from '../fakes/gmail.ts';
import { FakeResend, signSvix } from '../fakes/resend.ts';
import {
  emailSequence,
  emailWorld,
  gmailCredentials,
  NO_CAPS,
  postResendEvent,
  PUBLIC_URL,
  resendAccount,
  resendIdOf,
  startDnsServer,
  zone,
} from './emailSupport.ts';

const WEBHOOK_SECRET = `whsec_${Buffer.from('resend-webhook-secret-32-bytes!!').toString('base64')}`;

let dns: LocalDns;
let resend: FakeResend;
let google: FakeGmail;
beforeAll(async () => {
  dns = await startDnsServer(zone());
  resend = await new FakeResend().start();
  google = await new FakeGmail('sam@acme.example').start();
});
afterAll(async () => {
  await dns.close();
  await resend.close();
  await google.close();
});

describe('Resend accounts and webhooks', () => {
  it('sends with an idempotency key and acts on signed, deduplicated events', async () => {
    const w = await emailWorld(dns);
    await w.ok('POST', '/v1/senders', {
      channel: 'email',
      provider: 'resend',
      fromEmail: 'sam@acme.example',
      fromName: 'Sam Rivera',
      resend: { apiKey: resend.apiKey, baseUrl: resend.url, webhookSecret: WEBHOOK_SECRET },
      ...NO_CAPS,
    });
    const [dana, pat] = await w.contacts([
      { email: 'dana@globex.example', firstName: 'Dana', company: 'Globex', timezone: 'UTC' },
      { email: 'pat@initech.example', firstName: 'Pat', company: 'Initech', timezone: 'UTC' },
    ]);
    const sequenceId = await w.sequence(emailSequence(3, {}, 2));
    await w.enroll(sequenceId, [dana as string, pat as string]);
    // Step 0 now; the webhook events arrive before the follow-ups (tick() also runs other test
    // files' workspaces, so steps are separated by days rather than by maxRuns).
    await w.engine.tick();
    const sent = await w.messages('&status=sent');
    expect(sent).toHaveLength(2);
    const emails = resend.emails.filter((e) => sent.some((m) => m.id === e.idempotencyKey));
    expect(emails).toHaveLength(2);
    const headers = emails[0]?.body.headers as Record<string, string>;
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(headers['Message-ID']).toBe(`<${emails[0]?.idempotencyKey}@acme.example>`);

    const providerId = (contactId: string) =>
      emails.find((e) => sent.find((m) => m.id === e.idempotencyKey)?.contactId === contactId)?.id as string;
    const post = (id: string, body: unknown, secret = WEBHOOK_SECRET) => {
      const text = JSON.stringify(body);
      const timestamp = Math.floor(w.clock.now().getTime() / 1000);
      return w.app.inject({
        method: 'POST',
        url: '/webhooks/resend',
        headers: { 'content-type': 'application/json', ...signSvix({ secrets: [secret], id, timestamp, body: text }) },
        payload: text,
      });
    };
    const event = (type: string, emailId: string, data: Record<string, unknown> = {}) => ({
      type,
      created_at: w.clock.now().toISOString(),
      data: { email_id: emailId, to: ['x@example.com'], ...data },
    });

    const delivered = await post('msg_1', event('email.delivered', providerId(dana as string)));
    expect(delivered.statusCode).toBe(200);
    expect((await post('msg_1', event('email.delivered', providerId(dana as string)))).json()).toMatchObject({
      duplicate: true,
    });
    const status = async (contactId: string) =>
      (
        await w.row<{ status: string }>('SELECT status FROM messages WHERE contact_id = $1 AND step = 0', [contactId])
      )[0]?.status;
    expect(await status(dana as string)).toBe('delivered');

    // A bad signature, a stale timestamp and a malformed body are refused precisely.
    const forged = await post(
      'msg_2',
      event('email.opened', providerId(dana as string)),
      `whsec_${Buffer.from('x'.repeat(32)).toString('base64')}`,
    );
    expect(forged.statusCode).toBe(401);
    expect(forged.json().error.message).toMatch(/invalid Resend webhook signature: no signature matches/);
    const malformedText = '{"type":';
    const malformed = await w.app.inject({
      method: 'POST',
      url: '/webhooks/resend',
      headers: {
        'content-type': 'application/json',
        ...signSvix({
          secrets: [WEBHOOK_SECRET],
          id: 'msg_3',
          timestamp: Math.floor(w.clock.now().getTime() / 1000),
          body: malformedText,
        }),
      },
      payload: malformedText,
    });
    expect(malformed.statusCode).toBe(400);

    // A hard bounce suppresses the address and stops Dana; a complaint stops Pat.
    await post(
      'msg_4',
      event('email.bounced', providerId(dana as string), {
        bounce: { type: 'Permanent', message: '550 5.1.1 no such user' },
      }),
    );
    await post('msg_5', event('email.complained', providerId(pat as string)));
    await post('msg_5', event('email.complained', providerId(pat as string)));
    expect(await status(dana as string)).toBe('bounced');
    const contacts = await w.row<{ id: string; status: string }>(
      'SELECT id, status FROM contacts WHERE workspace_id = $1',
      [w.workspaceId],
    );
    expect(Object.fromEntries(contacts.map((c) => [c.id, c.status]))).toEqual({
      [dana as string]: 'bounced',
      [pat as string]: 'unsubscribed',
    });
    const enrollments = await w.row<{ status: string; stopReason: string }>(
      'SELECT status, stop_reason AS "stopReason" FROM enrollments WHERE sequence_id = $1 ORDER BY contact_id',
      [sequenceId],
    );
    expect(enrollments.map((e) => e.status)).toEqual(['stopped', 'stopped']);
    await w.engine.tick();
    // Only Pat's first message is still "sent" (Dana's bounced); nothing more went out.
    expect(await w.messages('&status=sent')).toHaveLength(1);
    const complaints = await w.row<{ n: number }>(
      `SELECT count(*)::int AS n FROM message_events WHERE workspace_id = $1 AND event_type = 'complained'`,
      [w.workspaceId],
    );
    expect(complaints[0]?.n).toBe(1);
  });
});

describe('one Resend account in two workspaces', () => {
  it('verifies with the shared secret and acts in the workspace that has the message', async () => {
    const first = await emailWorld(dns);
    const workspaces = [first, await first.workspace('second')];
    const sent: { w: (typeof workspaces)[number]; messageId: string }[] = [];
    for (const [n, w] of workspaces.entries()) {
      const name = n === 0 ? 'first' : 'second';
      await resendAccount(w, resend);
      const [contact] = await w.contacts([{ email: `${name}@globex.example`, firstName: name, timezone: 'UTC' }]);
      await w.enroll(await w.sequence(emailSequence(1)), [contact as string]);
      await w.engine.tick();
      const [message] = await w.messages('&status=sent');
      sent.push({ w, messageId: message?.id as string });
    }
    for (const [i, { w, messageId }] of sent.entries()) {
      const res = await postResendEvent(w, {
        svixId: `shared-${i}-${messageId}`,
        type: 'email.delivered',
        emailId: resendIdOf(resend, messageId),
      });
      expect(res.statusCode).toBe(200);
    }
    for (const { w } of sent) expect(await w.messages()).toMatchObject([{ status: 'delivered' }]);
  });
});

describe('Resend opens', () => {
  it('stores the opens Resend reports as machine traffic (no user agent); our pixel counts a person', async () => {
    const w = await emailWorld(dns);
    await resendAccount(w, resend);
    const [dana] = await w.contacts([
      { email: 'dana@globex.example', firstName: 'Dana', company: 'Globex', timezone: 'UTC' },
    ]);
    const sequenceId = await w.sequence(emailSequence(1));
    await w.enroll(sequenceId, [dana as string]);
    await w.engine.tick();
    const [message] = await w.messages('&status=sent');
    const messageId = message?.id as string;
    const emailId = resendIdOf(resend, messageId);
    const stats = async () =>
      ((await w.ok('GET', `/v1/analytics/sequences/${sequenceId}`)).steps as Record<string, number>[])[0];
    const openedAt = async () =>
      (
        await w.row<{ openedAt: Date | null }>('SELECT opened_at AS "openedAt" FROM messages WHERE id = $1', [
          messageId,
        ])
      )[0]?.openedAt;

    // An hour after delivery (no timing rule applies): still nobody can say who opened it.
    w.clock.advance(3600_000);
    const reported = await postResendEvent(w, { svixId: 'open_1', type: 'email.opened', emailId });
    expect(reported.statusCode).toBe(200);
    const events = await w.row<{ machine: boolean; metadata: Record<string, unknown> }>(
      `SELECT machine, metadata FROM message_events WHERE message_id = $1 AND event_type = 'opened'`,
      [messageId],
    );
    expect(events).toEqual([{ machine: true, metadata: { machineReason: 'reported by Resend: no user agent' } }]);
    expect(await openedAt()).toBeNull();
    expect(await stats()).toMatchObject({ sent: 1, opened: 0 });
    expect((await w.timeline(dana as string)).some((t) => t.type === 'opened')).toBe(false);

    // Our own pixel is in the Resend email too: a person's mail client fetching it is counted.
    const html = String(resend.emails.find((e) => e.id === emailId)?.body.html);
    const pixel = /\/t\/o\/([^"]+)"/.exec(html)?.[1] as string;
    expect(pixel).toBeTruthy();
    const browser =
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';
    await w.app.inject({ method: 'GET', url: `/t/o/${pixel}`, headers: { 'user-agent': browser } });
    expect(await openedAt()).not.toBeNull();
    expect(await stats()).toMatchObject({ sent: 1, opened: 1 });
    expect((await w.timeline(dana as string)).filter((t) => t.type === 'opened')).toHaveLength(1);
  });
});

describe('Gmail accounts', () => {
  it('connects through OAuth, sends threaded mail, refreshes tokens, polls replies, and handles errors', async () => {
    const w = await emailWorld(dns, {
      providers: {
        gmail: {
          clientId: google.clientId,
          clientSecret: google.clientSecret,
          authUrl: `${google.url}/auth`,
          tokenUrl: `${google.url}/token`,
          apiBaseUrl: google.url,
        },
      },
    });
    const start = await w.ok('GET', '/v1/oauth/google/start');
    const consent = new URL(start.url as string);
    expect(consent.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/oauth/google/callback`);
    const state = consent.searchParams.get('state') as string;
    const code = google.issueCode(`${PUBLIC_URL}/oauth/google/callback`);
    const bad = await w.app.inject({ method: 'GET', url: `/oauth/google/callback?code=${code}&state=${state}x` });
    expect(bad.statusCode).toBe(400);
    // The state is exactly body.mac: anything after it is refused, not ignored.
    const padded = await w.app.inject({ method: 'GET', url: `/oauth/google/callback?code=${code}&state=${state}.x` });
    expect(padded.statusCode).toBe(400);
    const callback = await w.app.inject({ method: 'GET', url: `/oauth/google/callback?code=${code}&state=${state}` });
    expect(callback.statusCode, callback.body).toBe(200);
    expect(callback.body).toContain('sam@acme.example is connected');
    const [sender] = (await w.ok('GET', '/v1/senders')).data as { id: string; provider: string; fromEmail: string }[];
    expect(sender).toMatchObject({ provider: 'gmail', fromEmail: 'sam@acme.example' });
    await w.ok('PATCH', `/v1/senders/${sender?.id}`, { ...NO_CAPS, warmup: null, fromName: 'Sam Rivera' });
    const stored = await w.credentialsOf(sender?.id as string);
    expect(stored.scopes).toContain('https://www.googleapis.com/auth/gmail.readonly');

    const [dana, lee] = await w.contacts([
      { email: 'dana@globex.example', firstName: 'Dana', company: 'Globex', timezone: 'UTC' },
      { email: 'lee@initech.example', firstName: 'Lee', company: 'Initech', timezone: 'UTC' },
    ]);
    const sequenceId = await w.sequence(emailSequence(3, {}, 1));
    await w.enroll(sequenceId, [dana as string]);
    await w.engine.pollMailboxes(); // the first poll only remembers where history starts
    await w.engine.tick();
    // The access token expired meanwhile: the adapter refreshes it and the engine stores the new one.
    google.expireAccessTokens();
    w.clock.advance(86_400_000);
    await w.engine.tick();
    const sentMail = google.messages.filter((m) => m.labelIds.includes('SENT'));
    expect(sentMail).toHaveLength(2);
    expect(sentMail[1]?.threadId).toBe(sentMail[0]?.threadId);
    const second = await simpleParser(sentMail[1]?.raw ?? Buffer.alloc(0));
    expect(second.inReplyTo).toBe(sentMail[0]?.messageIdHeader);
    const renewed = await w.credentialsOf(sender?.id as string);
    expect(renewed.accessToken).not.toBe(stored.accessToken);
    expect(renewed.scopes).toEqual(stored.scopes);

    // Dana answers in the thread: the poller finds it and the sequence stops before step 2.
    const reply = Buffer.from(
      [
        'From: Dana <dana@globex.example>',
        'To: sam@acme.example',
        `Subject: ${second.subject}`,
        `Message-ID: <reply-1@globex.example>`,
        `In-Reply-To: ${sentMail[1]?.messageIdHeader}`,
        `References: ${sentMail[0]?.messageIdHeader} ${sentMail[1]?.messageIdHeader}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Sounds interesting, can we talk on Thursday?',
        '',
      ].join('\r\n'),
    );
    google.deliver(reply, sentMail[0]?.threadId);
    await w.engine.pollMailboxes();
    await w.engine.pollMailboxes(); // a repeat changes nothing
    const enrollment = (
      await w.row<{ status: string; stopReason: string }>(
        'SELECT status, stop_reason AS "stopReason" FROM enrollments WHERE contact_id = $1',
        [dana],
      )
    )[0];
    expect(enrollment).toEqual({ status: 'stopped', stopReason: 'replied' });
    const replies = (await w.timeline(dana as string)).filter((t) => t.type === 'replied');
    expect(replies).toHaveLength(1);
    expect(replies[0]?.data.text).toContain('Thursday');
    w.clock.advance(86_400_000);
    await w.engine.tick();
    expect(google.messages.filter((m) => m.labelIds.includes('SENT'))).toHaveLength(2);

    // Gmail's quota answer defers the step with spec 000's wording.
    await w.enroll(sequenceId, [lee as string]);
    google.sendFailures.push('429');
    await w.engine.tick();
    const quota = (await w.timeline(lee as string)).find((t) => t.type === 'deferred');
    expect(quota?.summary).toMatch(/Gmail API quota exceeded/);

    // A revoked grant: the account is disconnected with a clear error and steps wait.
    google.revoke(renewed.refreshToken as string);
    google.expireAccessTokens();
    w.clock.advance(3600_000);
    await w.engine.tick();
    const [after] = (await w.ok('GET', '/v1/senders')).data as { status: string; statusReason: string }[];
    expect(after).toMatchObject({ status: 'disconnected', statusReason: 'Google account not connected: reconnect it' });
    const waits = (await w.timeline(lee as string)).filter((t) => t.type === 'deferred').map((t) => t.summary);
    expect(waits.join('\n')).toMatch(/Google account not connected/);

    // The retry finds the account disconnected and waits an hour; connecting it again releases the
    // step at once. Reconnecting does not lift a health pause (that is POST …/resume).
    w.clock.advance(1_300_000);
    await w.engine.tick();
    const sent = () => google.messages.filter((m) => m.labelIds.includes('SENT')).length;
    const before = sent();
    const reconnect = async () => {
      const again = await w.ok('GET', '/v1/oauth/google/start');
      const state2 = new URL(again.url as string).searchParams.get('state') as string;
      const code2 = google.issueCode(`${PUBLIC_URL}/oauth/google/callback`);
      const res = await w.app.inject({ method: 'GET', url: `/oauth/google/callback?code=${code2}&state=${state2}` });
      expect(res.statusCode, res.body).toBe(200);
      return ((await w.ok('GET', '/v1/senders')).data as { status: string; statusReason: string | null }[])[0];
    };
    expect(await reconnect()).toMatchObject({ status: 'active', statusReason: null });
    expect((await w.timeline(lee as string)).map((t) => t.type)).toContain('resumed');
    await w.engine.tick();
    expect(sent()).toBe(before + 1);

    await w.row(
      `UPDATE senders SET status = 'paused', status_reason = 'bounce rate 6.0 % over 100 sends'
        WHERE workspace_id = $1 RETURNING id`,
      [w.workspaceId],
    );
    expect(await reconnect()).toMatchObject({ status: 'paused', statusReason: 'bounce rate 6.0 % over 100 sends' });
  });

  it('skips a mailbox whose credentials were sealed with another key instead of failing the poll', async () => {
    const w = await emailWorld(dns);
    const credentials = gmailCredentials(google, new Date(w.clock.now().getTime() + 3600_000));
    const sender = await w.ok('POST', '/v1/senders', {
      channel: 'email',
      provider: 'gmail',
      fromEmail: 'sam@acme.example',
      fromName: 'Sam Rivera',
      credentials,
    });
    const ref = { workspaceId: w.workspaceId, senderId: sender.id as string };
    expect(await pollableSenders(w.engine.deps)).toContainEqual(ref);
    await w.row('UPDATE senders SET credentials = $2 WHERE id = $1', [
      sender.id,
      sealJson(
        { encryptionKey: randomBytes(32) },
        senderSecret({ id: ref.senderId, workspaceId: w.workspaceId }),
        credentials,
      ),
    ]);
    expect(await pollableSenders(w.engine.deps)).not.toContainEqual(ref);
    // A poll job queued before the key changed ends with the reason rather than throwing.
    const result = await w.engine.pollAccount(ref);
    expect(result).toEqual({
      fetched: 0,
      stored: [],
      error: 'stored credentials cannot be decrypted with the configured key',
    });
  });
});
