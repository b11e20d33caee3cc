// Account and sequence health through the engine and the API: Resend sends (fake API), bounces and
// complaints through its signed webhooks. Over 50+ sends, hard bounces ≥ 5 % or complaints ≥ 0.1 %
// pause the account and the sequence (timeline, GET /v1/senders, GET /v1/sequences/:id); fewer
// sends or lower rates do not; resuming both releases the steps the pauses held and restarts their
// health window (only the sends made since the resume are judged).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unhealthyReason } from '../../src/engine/accounts/health.ts';
import type { LocalDns } from '../channels/support/dnsServer.ts';
import { FakeResend } from '../fakes/resend.ts';
import {
  emailSequence,
  emailWorld,
  postResendEvent,
  resendAccount,
  resendIdOf,
  startDnsServer,
  zone,
} from './emailSupport.ts';
import { world } from './support.ts';

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

/** Leads on two domains (each under the 50-a-day per-domain cap). */
const leads = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ({
    email: `lead${from + i}@${(from + i) % 2 ? 'globex' : 'initech'}.example`,
    firstName: `Lead${from + i}`,
    timezone: 'UTC',
  }));

const HARD = { bounce: { type: 'Permanent', message: '550 5.1.1 no such user' } };
const SOFT = { bounce: { type: 'Transient', message: '452 4.2.2 mailbox full' } };

type EmailWorld = Awaited<ReturnType<typeof emailWorld>>;

/** Posts a Resend event about the step-0 email a contact got. */
async function eventFor(w: EmailWorld, contactId: string, type: string, data?: Record<string, unknown>) {
  const [message] = await w.messages(`&contactId=${contactId}&status=sent`);
  const res = await postResendEvent(w, {
    svixId: `${type}:${contactId}`,
    type,
    emailId: resendIdOf(resend, message?.id as string),
    ...(data ? { data } : {}),
  });
  expect(res.statusCode, res.body).toBe(200);
}

async function account(w: EmailWorld) {
  const [sender] = (await w.ok('GET', '/v1/senders')).data as Record<string, unknown>[];
  return sender;
}

const sentCount = async (w: EmailWorld) =>
  (
    await w.row<{ n: number }>(
      `SELECT count(*)::int AS n FROM messages WHERE workspace_id = $1 AND status IN ('sent', 'delivered', 'bounced')`,
      [w.workspaceId],
    )
  )[0]?.n;

describe('health thresholds', () => {
  it.each([
    [{ sends: 49, bounceRate: 0.5, complaintRate: 0.5 }, undefined],
    [{ sends: 200, bounceRate: 0.049, complaintRate: 0 }, undefined],
    [{ sends: 50, bounceRate: 0.05, complaintRate: 0 }, 'bounce rate 5.0 % over the last 50 sends (limit 5 %)'],
    [{ sends: 200, bounceRate: 0, complaintRate: 0.0009 }, undefined],
    [
      { sends: 200, bounceRate: 0, complaintRate: 0.001 },
      'complaint rate 0.10 % over the last 200 sends (limit 0.1 %)',
    ],
    [{ sends: 50, bounceRate: 0.06, complaintRate: 0.02 }, 'bounce rate 6.0 % over the last 50 sends (limit 5 %)'],
  ])('%j → %s', (health, reason) => {
    expect(unhealthyReason(health)).toBe(reason);
  });
});

describe('account and sequence health', () => {
  it('bounces: 4 % of 50 sends changes nothing, 6 % pauses both; resuming each releases the held steps', async () => {
    const w = await emailWorld(dns);
    const senderId = await resendAccount(w, resend);
    const ids = await w.contacts(leads(50));
    const sequenceId = await w.sequence(emailSequence(2, {}, 1));
    await w.enroll(sequenceId, ids);
    await w.engine.tick();
    expect(await sentCount(w)).toBe(50);

    // Two hard bounces (4 %) and a soft one (not counted): healthy.
    await eventFor(w, ids[0] as string, 'email.bounced', HARD);
    await eventFor(w, ids[1] as string, 'email.bounced', HARD);
    await eventFor(w, ids[2] as string, 'email.bounced', SOFT);
    expect(await account(w)).toMatchObject({
      status: 'active',
      statusReason: null,
      health: { sends: 50, bounceRate: 0.04, complaintRate: 0 },
    });
    expect(await w.ok('GET', `/v1/sequences/${sequenceId}`)).toMatchObject({ status: 'active', statusReason: null });

    // The third hard bounce: 6 %.
    await eventFor(w, ids[3] as string, 'email.bounced', HARD);
    const reason = 'bounce rate 6.0 % over the last 50 sends (limit 5 %)';
    expect(await account(w)).toMatchObject({
      status: 'paused',
      statusReason: `health: ${reason}`,
      health: { sends: 50, bounceRate: 0.06, complaintRate: 0 },
    });
    expect(await w.ok('GET', `/v1/sequences/${sequenceId}`)).toMatchObject({
      status: 'paused',
      statusReason: `health: ${reason}`,
    });
    const pauses = (await w.timeline(ids[3] as string)).filter((t) => t.type === 'paused').map((t) => t.summary);
    expect(pauses.sort()).toEqual([`Account sam@acme.example paused: ${reason}`, `Sequence paused: ${reason}`]);

    // The next day the follow-ups of the 47 contacts still enrolled are held; nothing goes out.
    const held = ids.filter((_, i) => ![0, 1, 3].includes(i)) as string[];
    const lastDeferral = async (contactId: string) =>
      (await w.timeline(contactId)).find((t) => t.type === 'deferred')?.summary;
    w.clock.advance(86_400_000);
    await w.engine.tick();
    expect(await sentCount(w)).toBe(50);
    expect(await lastDeferral(held[0] as string)).toMatch(
      /account sam@acme\.example is paused: health: bounce rate 6\.0 %/,
    );

    // Resuming answers precisely when there is nothing to resume.
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await w.call('POST', `/v1/sequences/${unknown}/resume`)).status).toBe(404);
    expect((await w.call('POST', `/v1/senders/${unknown}/resume`)).status).toBe(404);
    expect((await w.call('POST', '/v1/sequences/not-an-id/resume')).status).toBe(400);
    expect((await w.call('POST', `/v1/sequences/${sequenceId}/resume`, { force: true })).status).toBe(400);
    const stranger = await world();
    expect((await stranger.call('POST', `/v1/sequences/${sequenceId}/resume`)).status).toBe(404);
    expect((await stranger.call('POST', `/v1/senders/${senderId}/resume`)).status).toBe(404);

    // The account first: its held steps run at once, and now wait for the sequence. Its health is
    // judged from now on (no send yet).
    const resumedAccount = await w.ok('POST', `/v1/senders/${senderId}/resume`);
    expect(resumedAccount).toMatchObject({
      id: senderId,
      status: 'active',
      statusReason: null,
      releasedSteps: 47,
      health: { sends: 0, bounceRate: 0, complaintRate: 0, since: w.clock.now().toISOString() },
    });
    const again = await w.call('POST', `/v1/senders/${senderId}/resume`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', message: 'the account is active, not paused' });
    await w.engine.tick();
    expect(await sentCount(w)).toBe(50);
    const timeline = await w.timeline(held[0] as string);
    expect(timeline.find((t) => t.type === 'resumed')?.summary).toBe(
      'Step 1 goes out again: account sam@acme.example was resumed',
    );
    expect(await lastDeferral(held[0] as string)).toMatch(/the sequence is paused \(health: bounce rate 6\.0 %/);

    // Then the sequence: the follow-ups go out now, without waiting for the hourly retry.
    const resumedSequence = await w.ok('POST', `/v1/sequences/${sequenceId}/resume`);
    expect(resumedSequence).toMatchObject({ id: sequenceId, status: 'active', statusReason: null, releasedSteps: 47 });
    const twice = await w.call('POST', `/v1/sequences/${sequenceId}/resume`);
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'conflict', message: 'the sequence is active, not paused' });
    await w.engine.tick();
    expect(await sentCount(w)).toBe(97);
    const followUps = await w.messages('&status=sent');
    expect(
      followUps
        .filter((m) => m.step === 1)
        .map((m) => m.contactId)
        .sort(),
    ).toEqual([...held].sort());
    expect((await w.timeline(held[0] as string)).find((t) => t.type === 'resumed')?.summary).toBe(
      `Step 1 goes out again: the sequence was resumed (it was paused: health: ${reason})`,
    );
  });

  it('fewer than 50 sends are not judged; from 50, a complaint rate ≥ 0.1 % pauses', async () => {
    const w = await emailWorld(dns);
    const senderId = await resendAccount(w, resend);
    const ids = await w.contacts(leads(50));
    const sequenceId = await w.sequence(emailSequence(2, {}, 1));
    await w.enroll(sequenceId, ids.slice(0, 49));
    await w.engine.tick();
    expect(await sentCount(w)).toBe(49);

    // One complaint in 49 sends (2 %): too few sends to judge.
    await eventFor(w, ids[0] as string, 'email.complained');
    expect(await account(w)).toMatchObject({ status: 'active', health: { sends: 49, complaintRate: 1 / 49 } });
    expect(await w.ok('GET', `/v1/sequences/${sequenceId}`)).toMatchObject({ status: 'active' });

    // The 50th send, then a second complaint: 2 of 50.
    await w.enroll(sequenceId, ids.slice(49));
    await w.engine.tick();
    expect(await sentCount(w)).toBe(50);
    await eventFor(w, ids[1] as string, 'email.complained');
    const reason = 'complaint rate 4.0 % over the last 50 sends (limit 0.1 %)';
    expect(await account(w)).toMatchObject({
      status: 'paused',
      statusReason: `health: ${reason}`,
      health: { sends: 50, bounceRate: 0, complaintRate: 0.04 },
    });
    expect(await w.ok('GET', `/v1/sequences/${sequenceId}`)).toMatchObject({
      status: 'paused',
      statusReason: `health: ${reason}`,
    });
    const timeline = await w.timeline(ids[1] as string);
    expect(timeline.map((t) => t.type)).toEqual(expect.arrayContaining(['complained', 'stopped', 'paused']));
    expect(timeline.filter((t) => t.type === 'paused').map((t) => t.summary)).toContain(
      `Account sam@acme.example paused: ${reason}`,
    );
    // Nothing more goes out the next day.
    w.clock.advance(86_400_000);
    await w.engine.tick();
    expect(await sentCount(w)).toBe(50);

    // PATCH {"status":"active"} resumes the account too: its held steps run at once (and now wait
    // for the sequence, still paused), and its health window restarts.
    expect(await w.ok('PATCH', `/v1/senders/${senderId}`, { status: 'active' })).toMatchObject({
      status: 'active',
      statusReason: null,
      health: { sends: 0, complaintRate: 0, since: w.clock.now().toISOString() },
    });
    await w.engine.tick();
    expect(await sentCount(w)).toBe(50);
    const summaries = (await w.timeline(ids[2] as string)).map((t) => t.summary);
    expect(summaries[0]).toMatch(/^Step 1 deferred .*the sequence is paused \(health: complaint rate 4\.0 %/);
    expect(summaries).toContain('Step 1 goes out again: account sam@acme.example was resumed');
  });

  it('after a resume only the sends made since are judged: a late bounce of an old message does not pause again, new bad sends do', async () => {
    const w = await emailWorld(dns);
    const senderId = await resendAccount(w, resend);
    const first = await w.contacts(leads(50));
    const sequenceId = await w.sequence(emailSequence(1));
    await w.enroll(sequenceId, first);
    await w.engine.tick();
    expect(await sentCount(w)).toBe(50);
    for (const i of [0, 1, 3]) await eventFor(w, first[i] as string, 'email.bounced', HARD);
    const sequence = () => w.ok('GET', `/v1/sequences/${sequenceId}`);
    expect(await account(w)).toMatchObject({ status: 'paused', health: { sends: 50, bounceRate: 0.06, since: null } });
    expect(await sequence()).toMatchObject({ status: 'paused' });

    // An hour later both are resumed: their health is judged from now on.
    w.clock.advance(3_600_000);
    const resumedAt = w.clock.now().toISOString();
    expect(await w.ok('POST', `/v1/senders/${senderId}/resume`)).toMatchObject({
      status: 'active',
      health: { sends: 0, bounceRate: 0, complaintRate: 0, since: resumedAt },
    });
    await w.ok('POST', `/v1/sequences/${sequenceId}/resume`);

    // A late hard bounce of a message sent before the resume (4 of those 50 sends, 8 %): judged over
    // the sends since the resume (none yet), it pauses nothing.
    await eventFor(w, first[4] as string, 'email.bounced', HARD);
    expect(await account(w)).toMatchObject({
      status: 'active',
      statusReason: null,
      health: { sends: 0, bounceRate: 0, since: resumedAt },
    });
    expect(await sequence()).toMatchObject({ status: 'active', statusReason: null });
    const late = await w.timeline(first[4] as string);
    expect(late.map((t) => t.type)).toContain('bounced');
    expect(late.filter((t) => t.type === 'paused')).toEqual([]);

    // The next day, 50 new sends; two of them bounce (4 %, with the old bounces it would be 6 of the
    // last 100): still healthy.
    w.clock.advance(86_400_000);
    const second = (await w.contacts(leads(50, 50))).filter((id) => !first.includes(id));
    expect(second).toHaveLength(50);
    await w.enroll(sequenceId, second);
    await w.engine.tick();
    expect(await sentCount(w)).toBe(100);
    await eventFor(w, second[0] as string, 'email.bounced', HARD);
    await eventFor(w, second[1] as string, 'email.bounced', HARD);
    expect(await account(w)).toMatchObject({
      status: 'active',
      health: { sends: 50, bounceRate: 0.04, since: resumedAt },
    });
    expect(await sequence()).toMatchObject({ status: 'active' });

    // A third new bounce: 6 % of the 50 sends since the resume pauses both again.
    await eventFor(w, second[2] as string, 'email.bounced', HARD);
    const reason = 'bounce rate 6.0 % over the last 50 sends (limit 5 %)';
    expect(await account(w)).toMatchObject({
      status: 'paused',
      statusReason: `health: ${reason}`,
      health: { sends: 50, bounceRate: 0.06, since: resumedAt },
    });
    expect(await sequence()).toMatchObject({ status: 'paused', statusReason: `health: ${reason}` });

    // Reactivating an account that was not paused (a disconnected one, fixed) keeps its window: the
    // sends it made are still to be judged.
    await w.row(`UPDATE senders SET status = 'disconnected', status_reason = 'token revoked' WHERE id = $1`, [
      senderId,
    ]);
    w.clock.advance(3_600_000);
    expect(await w.ok('PATCH', `/v1/senders/${senderId}`, { status: 'active' })).toMatchObject({
      status: 'active',
      health: { sends: 50, bounceRate: 0.06, since: resumedAt },
    });
  });
});
