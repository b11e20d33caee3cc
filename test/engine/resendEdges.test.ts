// Resend as the real service behaves, through the API and tick(): a bounce without a type is a
// hard bounce; email.failed and email.suppressed are acted on; rate limits and quotas never use up
// a message's attempts and a day's quota waits for the next day (the account says so); a 409 for a
// key that already sent is never retried; a crash older than the key's 24 hours is not resent
// blindly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAdapters } from '../../src/channels/registry.ts';
import type { RegisteredAdapter } from '../../src/channels/register.ts';
import type { LocalDns } from '../channels/support/dnsServer.ts';
import { FakeResend, signSvix } from '../fakes/resend.ts';
import {
  emailSequence,
  emailWorld,
  hangingAdapter,
  RESEND_WEBHOOK_SECRET,
  resendAccount,
  resendIdOf,
  startDnsServer,
  zone,
} from './emailSupport.ts';

const LEASE = 120_000;
const DAY = 86_400_000;

let dns: LocalDns;
let resend: FakeResend;
beforeAll(async () => {
  dns = await startDnsServer(zone());
  resend = await new FakeResend().start();
});
afterAll(async () => {
  await dns.close();
  await resend.close();
});

type World = Awaited<ReturnType<typeof emailWorld>>;

/** A Resend account, one contact, an n-step sequence; the fake's clock follows the world's. */
async function oneContact(w: World, steps = 1) {
  resend.now = w.clock.now();
  const senderId = await resendAccount(w, resend);
  const [contactId] = await w.contacts([
    { email: 'dana@globex.example', firstName: 'Dana', company: 'Globex', timezone: 'UTC' },
  ]);
  const sequenceId = await w.sequence(emailSequence(steps, {}, 2));
  await w.enroll(sequenceId, [contactId as string]);
  return { senderId, contactId: contactId as string, sequenceId };
}

async function post(w: World, svixId: string, body: string) {
  const timestamp = Math.floor(w.clock.now().getTime() / 1000);
  return w.app.inject({
    method: 'POST',
    url: '/webhooks/resend',
    headers: {
      'content-type': 'application/json',
      ...signSvix({ secrets: [RESEND_WEBHOOK_SECRET], id: svixId, timestamp, body }),
    },
    payload: body,
  });
}

const one = async <T extends Record<string, unknown>>(w: World, sql: string, params: unknown[]) =>
  (await w.row<T>(sql, params))[0];

describe('Resend events graded as Resend means them', () => {
  it('a bounce without a type is hard: the address is suppressed and the sequence stops', async () => {
    const w = await emailWorld(dns);
    const { contactId } = await oneContact(w, 2);
    await w.engine.tick();
    const [message] = await w.messages('&status=sent');
    const emailId = resendIdOf(resend, message?.id as string);
    const res = await post(w, `bounce-${emailId}`, resend.eventFor('email.bounced', emailId, { untyped: true }));
    expect(res.statusCode).toBe(200);
    expect(await w.messages()).toMatchObject([{ status: 'bounced' }]);
    expect(await one(w, 'SELECT status FROM contacts WHERE id = $1', [contactId])).toEqual({ status: 'bounced' });
    expect(await one(w, 'SELECT reason FROM suppressions WHERE workspace_id = $1', [w.workspaceId])).toEqual({
      reason: 'hard_bounce',
    });
    expect(await one(w, 'SELECT status FROM enrollments WHERE contact_id = $1', [contactId])).toEqual({
      status: 'stopped',
    });
    // Days later, nothing more goes to the dead address.
    const before = resend.emails.length;
    w.clock.advance(3 * DAY);
    await w.engine.tick();
    expect(await w.messages()).toHaveLength(1);
    expect(
      resend.emails
        .slice(before)
        .filter((e) => e.idempotencyKey && (e.body.to as string[])[0] === 'dana@globex.example'),
    ).toHaveLength(0);
  });

  it('email.failed fails the message; email.suppressed suppresses the address', async () => {
    const w = await emailWorld(dns);
    const [dana, pat] = await w.contacts([
      { email: 'dana@globex.example', firstName: 'Dana', timezone: 'UTC' },
      { email: 'pat@initech.example', firstName: 'Pat', timezone: 'UTC' },
    ]);
    resend.now = w.clock.now();
    await resendAccount(w, resend);
    await w.enroll(await w.sequence(emailSequence(1)), [dana as string, pat as string]);
    await w.engine.tick();
    const sent = await w.messages('&status=sent');
    const idOf = (contactId: unknown) => resendIdOf(resend, sent.find((m) => m.contactId === contactId)?.id as string);
    const failed = await post(
      w,
      'f-1',
      resend.eventFor('email.failed', idOf(dana), { message: 'reached_daily_quota' }),
    );
    const suppressed = await post(w, 's-1', resend.eventFor('email.suppressed', idOf(pat)));
    expect([failed.statusCode, suppressed.statusCode]).toEqual([200, 200]);
    const status = async (contactId: unknown) =>
      one<{ status: string }>(w, 'SELECT status FROM messages WHERE contact_id = $1', [contactId]);
    expect(await status(dana)).toEqual({ status: 'failed' });
    expect(await status(pat)).toEqual({ status: 'bounced' });
    const contacts = await w.row<{ id: string; status: string }>(
      'SELECT id, status FROM contacts WHERE workspace_id = $1',
      [w.workspaceId],
    );
    // A failed send is not a bounce: Dana is not suppressed. Her one-step sequence ended without an
    // answer, so her stage is `unreachable` (docs/integrations.md), not `bounced`.
    expect(Object.fromEntries(contacts.map((c) => [c.id, c.status]))).toEqual({
      [dana as string]: 'unreachable',
      [pat as string]: 'bounced',
    });
    expect(
      await one(w, 'SELECT count(*)::int AS n FROM suppressions WHERE workspace_id = $1', [w.workspaceId]),
    ).toEqual({
      n: 1,
    });
  });
});

describe('a Resend event whose created_at is no timestamp', () => {
  it('is applied at the time it arrived, not answered with a 500', async () => {
    const w = await emailWorld(dns);
    await oneContact(w);
    await w.engine.tick();
    const [message] = await w.messages('&status=sent');
    const emailId = resendIdOf(resend, message?.id as string);
    const body = JSON.stringify({ type: 'email.delivered', created_at: 'not a date', data: { email_id: emailId } });
    const res = await post(w, 'bad-date-1', body);
    expect(res.statusCode, res.body).toBe(200);
    expect(await w.messages()).toMatchObject([{ status: 'delivered' }]);
    expect(await one(w, "SELECT occurred_at AS at FROM message_events WHERE event_type = 'delivered'", [])).toEqual({
      at: w.clock.now(),
    });
  });
});

describe('a Resend event stamped in the future', () => {
  it('is recorded at the time it arrived, not at the time it claims', async () => {
    const w = await emailWorld(dns);
    await oneContact(w);
    await w.engine.tick();
    const [message] = await w.messages('&status=sent');
    const emailId = resendIdOf(resend, message?.id as string);
    const body = JSON.stringify({
      type: 'email.delivered',
      created_at: '2099-01-01T00:00:00.000Z',
      data: { email_id: emailId },
    });
    const res = await post(w, 'future-1', body);
    expect(res.statusCode, res.body).toBe(200);
    expect(await w.messages()).toMatchObject([{ status: 'delivered' }]);
    expect(await one(w, "SELECT occurred_at AS at FROM message_events WHERE event_type = 'delivered'", [])).toEqual({
      at: w.clock.now(),
    });
  });
});

describe('Resend limits never use up the attempts', () => {
  it('twelve rate-limit answers in a row, and the message still goes out', async () => {
    const w = await emailWorld(dns);
    await oneContact(w);
    for (let n = 0; n < 12; n++) resend.rateLimitNext.push('rate_limit_exceeded');
    await w.engine.tick();
    for (let n = 0; n < 12; n++) {
      w.clock.advance(2000);
      await w.engine.tick();
    }
    resend.rateLimitNext.length = 0;
    expect(await w.messages()).toMatchObject([{ status: 'sent' }]);
    expect(await one(w, 'SELECT attempts FROM messages WHERE workspace_id = $1', [w.workspaceId])).toEqual({
      attempts: 1,
    });
  });

  it('a day\'s quota waits for the next day, and the account says "sending limit reached until …"', async () => {
    const w = await emailWorld(dns);
    const { senderId } = await oneContact(w);
    resend.rateLimitNext.push('daily_quota_exceeded');
    await w.engine.tick();
    const midnight = new Date(
      Date.UTC(w.clock.now().getUTCFullYear(), w.clock.now().getUTCMonth(), w.clock.now().getUTCDate() + 1),
    );
    expect(await w.messages()).toMatchObject([{ status: 'deferred' }]);
    const senderOf = async () =>
      ((await w.ok('GET', '/v1/senders')).data as Record<string, unknown>[]).find((s) => s.id === senderId);
    const sender = (await senderOf()) ?? {};
    expect(sender.sendingLimit).toMatchObject({
      until: midnight.toISOString(),
      message: `sending limit reached until ${midnight.toISOString()}`,
    });
    // Not before midnight …
    w.clock.set(new Date(midnight.getTime() - 60_000));
    await w.engine.tick();
    expect(await w.messages()).toMatchObject([{ status: 'deferred' }]);
    // … and at midnight it goes, and the account no longer shows the limit.
    w.clock.set(new Date(midnight.getTime() + 1000));
    await w.engine.tick();
    expect(await w.messages()).toMatchObject([{ status: 'sent' }]);
    expect((await senderOf())?.sendingLimit).toBeNull();
  });
});

/** A Resend adapter whose first send hangs after `reach` (what reached Resend), as a worker that died. */
function hangingResend(reach: 'nothing' | 'same' | 'other-body') {
  const real = defaultAdapters().resend;
  // Another body under the same key, without our Message-ID (so no lookup can find it).
  const otherBody: RegisteredAdapter['send'] = async (message, credentials, context) => {
    const headers = Object.fromEntries(Object.entries(message.headers ?? {}).filter(([k]) => k !== 'Message-ID'));
    await real.send({ ...message, text: `${message.text}\n(an earlier draft)`, headers }, credentials, context);
    return { ok: false, failure: { kind: 'provider_down', message: 'the connection dropped' } };
  };
  const hanging = hangingAdapter('resend', {
    reach: reach === 'same',
    ...(reach === 'other-body' ? { instead: otherBody } : {}),
  });
  return {
    ...hanging,
    bury: () => hanging.release({ ok: false, failure: { kind: 'provider_down', message: 'dead' } }),
  };
}

describe('Resend idempotency keys: a 409 and a 24-hour shelf life', () => {
  it('a key that already sent another body is never retried: the message is recorded unknown', async () => {
    const hanging = hangingResend('other-body');
    const w = await emailWorld(dns, { adapters: { resend: hanging.adapter } });
    const { contactId } = await oneContact(w);
    await w.engine.tick();
    expect(await w.messages()).toMatchObject([{ status: 'deferred' }]);
    w.clock.advance(10 * 60_000);
    await w.engine.tick();
    const [message] = await w.messages();
    expect(message).toMatchObject({ status: 'unknown' });
    expect(resend.emails.filter((e) => e.idempotencyKey === message?.id)).toHaveLength(1);
    // Never tried again, however long we wait.
    w.clock.advance(DAY);
    await w.engine.tick();
    expect(hanging.calls()).toBe(2);
    const unknown = (await w.timeline(contactId)).find((t) => t.type === 'unknown');
    expect(unknown?.summary).toMatch(/invalid_idempotent_request/);
  });

  it('a crash found out after the key expired: what Resend has is recorded, nothing sent twice', async () => {
    const hanging = hangingResend('same');
    const w = await emailWorld(dns, { leaseMs: LEASE, adapters: { resend: hanging.adapter } });
    await oneContact(w);
    const dead = w.engine.tick({ maxRuns: 1 });
    await hanging.called;
    const [message] = await w.messages();
    w.clock.advance(25 * 3600_000);
    resend.now = w.clock.now();
    await w.engine.tick();
    expect(
      await one(w, 'SELECT status, provider_message_id AS "providerMessageId" FROM messages WHERE id = $1', [
        message?.id,
      ]),
    ).toEqual({ status: 'sent', providerMessageId: resendIdOf(resend, message?.id as string) });
    expect(resend.emails.filter((e) => e.idempotencyKey === message?.id)).toHaveLength(1);
    hanging.bury();
    await dead;
  });

  it('a crash before Resend got anything, found out after 24 hours, is unknown rather than resent', async () => {
    const hanging = hangingResend('nothing');
    const w = await emailWorld(dns, { leaseMs: LEASE, adapters: { resend: hanging.adapter } });
    await oneContact(w);
    const dead = w.engine.tick({ maxRuns: 1 });
    await hanging.called;
    w.clock.advance(25 * 3600_000);
    resend.now = w.clock.now();
    await w.engine.tick();
    const [message] = await w.messages();
    expect(message).toMatchObject({ status: 'unknown' });
    expect(String(message?.error)).toMatch(/idempotency key may have expired/);
    expect(hanging.calls()).toBe(1);
    hanging.bury();
    await dead;
  });
});

/** How a stored webhook came out (system scope: inbound events are the installation's). */
async function inbound(w: World, providerEventId: string) {
  const { rows } = await w.db.system((sql) =>
    sql.query<{ done: boolean; outcome: string | null }>(
      'SELECT processed_at IS NOT NULL AS done, outcome FROM inbound_events WHERE provider_event_id = $1',
      [providerEventId],
    ),
  );
  return rows[0];
}

describe('a Resend event that beats our commit', () => {
  it('is matched again for a while instead of being closed as not ours', async () => {
    const hanging = hangingResend('same');
    const w = await emailWorld(dns, { leaseMs: LEASE, adapters: { resend: hanging.adapter } });
    await oneContact(w);
    const running = w.engine.tick({ maxRuns: 1 });
    await hanging.called;
    const [message] = await w.messages();
    const emailId = resendIdOf(resend, message?.id as string);
    // Resend's event arrives while our send is still being recorded (and names no Message-ID of ours).
    const body = JSON.parse(resend.eventFor('email.delivered', emailId)) as { data: Record<string, unknown> };
    delete body.data.message_id;
    const res = await post(w, `early-${emailId}`, JSON.stringify(body));
    expect(res.statusCode).toBe(200);
    const outcome = async () => inbound(w, `early-${emailId}`);
    expect(await outcome()).toEqual({ done: false, outcome: null });
    // The send is recorded; the sweep matches the event.
    hanging.release({ ok: true, value: { providerMessageId: emailId } });
    await running;
    w.clock.advance(90_000);
    await w.engine.sweepInbound();
    expect(await outcome()).toEqual({ done: true, outcome: 'delivered: applied' });
    expect(await w.messages()).toMatchObject([{ status: 'delivered' }]);
  });

  it('gives up after a while: an event about mail that is not ours is closed', async () => {
    const w = await emailWorld(dns);
    await oneContact(w);
    await w.engine.tick();
    const res = await post(w, 'stranger-1', resend.eventFor('email.delivered', 'not-one-of-ours'));
    expect(res.statusCode).toBe(200);
    expect(await inbound(w, 'stranger-1')).toEqual({ done: false, outcome: null });
    w.clock.advance(16 * 60_000);
    await w.engine.sweepInbound();
    expect(await inbound(w, 'stranger-1')).toEqual({ done: true, outcome: 'no message of ours' });
  });
});
