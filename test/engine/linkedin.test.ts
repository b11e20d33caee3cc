// LinkedIn through Phantombuster end to end, on the engine's clock against the local fake: a
// sequence with a connection request and a message after acceptance. Requests go out as launches
// within the account's caps (one running launch per agent), results come back by the poll, an
// acceptance (the fake's network changes, seen by the daily Connections Export) releases the message
// to that contact only, a request never accepted falls back to email after the step's timeout, a
// profile the phantom cannot open falls back at once, and an expired session cookie pauses the
// account (a refused API key disconnects it) and holds the step it swallowed until LinkedIn is reconnected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { signBatchToken } from '../../src/core/batchSheet.ts';
import { FakePhantombuster } from '../fakes/phantombuster.ts';
import {
  COOKIE,
  DAY,
  batchWorld as batchWorldOn,
  linkedinCredentials,
  linkedinWorld as linkedinWorldOn,
  pendingRequest,
  profile,
  run,
} from '../support/linkedinSupport.ts';
import { instant, type WorldOptions } from '../support/world.ts';

let pb: FakePhantombuster;
beforeAll(async () => {
  pb = await new FakePhantombuster().start();
});
afterAll(() => pb.close());

const credentials = () => linkedinCredentials(pb);
const linkedinWorld = (extra: Record<string, unknown> = {}, options: WorldOptions = {}) =>
  linkedinWorldOn(pb, extra, options);
const batchWorld = (extra: Record<string, unknown> = {}) => batchWorldOn(pb, extra);

describe('LinkedIn through Phantombuster', () => {
  it('requests, acceptance, the message to the accepted one only, and fallbacks for the others', async () => {
    const { w } = await linkedinWorld();
    const [ana, ben, cat] = await w.contacts([
      { email: 'ana@acme.example.com', linkedinUrl: 'linkedin.com/in/ana', firstName: 'Ana', timezone: 'UTC' },
      { email: 'ben@acme.example.com', linkedinUrl: 'linkedin.com/in/ben', firstName: 'Ben', timezone: 'UTC' },
      { email: 'cat@acme.example.com', linkedinUrl: 'linkedin.com/in/cat', firstName: 'Cat', timezone: 'UTC' },
    ]);
    pb.unreachable.add(profile('cat'));
    const sequenceId = await w.sequence(
      instant([
        { channel: 'linkedin', template: 'connection_request' },
        { channel: 'linkedin', template: 'linkedin_dm', day: 1 },
      ]),
    );
    await w.enroll(sequenceId, [ana, ben, cat] as string[]);
    await run(w, 30 * 60_000);
    // One launch per profile, never two at once on one agent, each with its own note.
    const requests = pb.launches('connect');
    expect(requests.map((c) => c.argument.profileUrl).sort()).toEqual([profile('ana'), profile('ben'), profile('cat')]);
    for (const [i, c] of requests.entries())
      if (i > 0) expect(c.createdAt).toBeGreaterThanOrEqual((requests[i - 1]?.finishAt ?? 0) as number);
    expect(String(requests[0]?.argument.message)).not.toMatch(/#\w+#/);
    const sent = await w.messages('&channel=linkedin');
    expect(sent.filter((m) => m.status === 'delivered')).toHaveLength(2);
    expect(sent.find((m) => m.contactId === cat)).toMatchObject({ status: 'failed' });

    // Ana accepts; the daily Connections Export sees it.
    pb.network.add(profile('ana'));
    await run(w, DAY + 60 * 60_000, 30 * 60_000);
    const dms = pb.launches('message');
    expect(dms.map((c) => c.argument.spreadsheetUrl)).toEqual([profile('ana')]);
    const messages = await w.messages();
    const step1 = (id: unknown) => messages.find((m) => m.contactId === id && m.step === 1);
    expect(step1(ana)).toMatchObject({ channel: 'linkedin', purpose: 'linkedin_dm' });
    // Cat's request failed: the message step falls back at once; Ben's waits for his answer.
    expect(step1(cat)).toMatchObject({ channel: 'email' });
    expect(step1(ben)).toBeUndefined();
    expect((await w.timeline(ben as string)).some((t) => /waits for the LinkedIn connection/.test(t.summary))).toBe(
      true,
    );

    // Ben never accepts: after the step's 14 days it falls back to email.
    w.clock.advance(14 * DAY);
    await run(w, 30 * 60_000);
    expect((await w.messages(`&contactId=${ben}`)).find((m) => m.step === 1)).toMatchObject({ channel: 'email' });
    expect(pb.launches('message')).toHaveLength(1);
  });

  it('a request still pending after 21 days counts as declined and the waiting message falls back', async () => {
    const { w } = await linkedinWorld();
    const { ana, sentAt } = await pendingRequest(pb, w);
    const declined = async () => (await w.timeline(ana)).filter((t) => /connection request declined/.test(t.summary));
    // Day 20: still pending, the message still waits (its own timeout is 30 days).
    w.clock.advance(sentAt + 20 * DAY - w.clock.now().getTime());
    await run(w, 30 * 60_000);
    expect(await declined()).toHaveLength(0);
    expect((await w.messages()).filter((m) => m.step === 1)).toHaveLength(0);
    // Day 21: declined (once, however many polls), not withdrawn, and the message falls back to email.
    w.clock.advance(sentAt + 21 * DAY - w.clock.now().getTime());
    await run(w, 60 * 60_000);
    expect(await declined()).toMatchObject([
      { summary: expect.stringMatching(/no acceptance in 21 days.*not withdrawn/) },
    ]);
    expect((await w.messages()).find((m) => m.step === 1)).toMatchObject({ channel: 'email' });
    expect(pb.launches('message')).toHaveLength(0);
    expect(pb.launches('connect')).toHaveLength(1);
  });

  it('LINKEDIN_PENDING_EXPIRY_DAYS sets when a pending request counts as declined', async () => {
    expect(loadConfig({}).linkedinPendingExpiryDays).toBe(21);
    expect(loadConfig({ LINKEDIN_PENDING_EXPIRY_DAYS: '10' }).linkedinPendingExpiryDays).toBe(10);
    for (const bad of ['0', '2.5', 'soon', '400'])
      expect(() => loadConfig({ LINKEDIN_PENDING_EXPIRY_DAYS: bad })).toThrow(ConfigError);
    const { w } = await linkedinWorld({}, { env: { LINKEDIN_PENDING_EXPIRY_DAYS: '10' } });
    const { ana, sentAt } = await pendingRequest(pb, w);
    w.clock.advance(sentAt + 9 * DAY - w.clock.now().getTime());
    await run(w, 30 * 60_000);
    expect((await w.messages()).filter((m) => m.step === 1)).toHaveLength(0);
    w.clock.advance(sentAt + 10 * DAY - w.clock.now().getTime());
    await run(w, 60 * 60_000);
    const timeline = await w.timeline(ana);
    expect(timeline.filter((t) => /connection request declined/.test(t.summary))).toMatchObject([
      { summary: expect.stringMatching(/no acceptance in 10 days/) },
    ]);
    expect((await w.messages()).find((m) => m.step === 1)).toMatchObject({ channel: 'email' });
  });

  it('the contact API shows where each contact stands with LinkedIn: none, requested, accepted, declined', async () => {
    const { w } = await linkedinWorld();
    pb.finishAfterMs = 0;
    const [ana, ben, dan] = await w.contacts([
      { email: 'ana@acme.example.com', linkedinUrl: 'linkedin.com/in/ana', firstName: 'Ana', timezone: 'UTC' },
      { email: 'ben@acme.example.com', linkedinUrl: 'linkedin.com/in/ben', firstName: 'Ben', timezone: 'UTC' },
      { email: 'dan@acme.example.com', linkedinUrl: 'linkedin.com/in/dan', firstName: 'Dan', timezone: 'UTC' },
    ]);
    const connection = async (id: unknown) =>
      (await w.ok('GET', `/v1/contacts/${String(id)}`)).linkedinConnection as Record<string, unknown>;
    const none = { state: 'none', requestedAt: null, acceptedAt: null, declinedAt: null };
    expect(await connection(ana)).toEqual(none);
    const sequenceId = await w.sequence(instant([{ channel: 'linkedin', template: 'connection_request' }]));
    await w.enroll(sequenceId, [ana, ben] as string[]);
    await run(w, 30 * 60_000);
    const requestedAt = expect.stringMatching(/^2026-03-02T/);
    expect(await connection(ben)).toEqual({ ...none, state: 'requested', requestedAt });
    pb.network.add(profile('ana'));
    await run(w, DAY + 60 * 60_000, 30 * 60_000);
    expect(await connection(ana)).toMatchObject({ state: 'accepted', requestedAt, acceptedAt: expect.any(String) });
    w.clock.advance(21 * DAY);
    await run(w, 30 * 60_000);
    const list = (await w.ok('GET', '/v1/contacts?limit=10')).data as { id: string; linkedinConnection: unknown }[];
    const byId = new Map(list.map((c) => [c.id, c.linkedinConnection]));
    expect(byId.get(ben as string)).toEqual({
      ...none,
      state: 'declined',
      requestedAt,
      declinedAt: expect.any(String),
    });
    expect(byId.get(ana as string)).toMatchObject({ state: 'accepted' });
    expect(byId.get(dan as string)).toEqual(none);
    // Logged by hand: the answer of the log itself carries the new state.
    const logged = await w.ok('POST', `/v1/contacts/${String(dan)}/linkedin-connection`, { connected: true });
    expect(logged.linkedinConnection).toMatchObject({ state: 'accepted', requestedAt: null });
    const openapi = JSON.stringify(await w.ok('GET', '/openapi.json'));
    expect(openapi).toContain('"linkedinConnection"');
    expect(openapi).toMatch(/"enum":\["none","requested","accepted","declined"\]/);
  });

  it('with LINKEDIN_BATCH_LAUNCHES, due requests go 10 to a launch through a signed spreadsheet URL; each row settles its own message', async () => {
    const { w, publicUrl } = await batchWorld();
    const slugs = Array.from({ length: 12 }, (_, i) => `b${i}`);
    const ids = await w.contacts(
      slugs.map((slug) => ({ linkedinUrl: `linkedin.com/in/${slug}`, firstName: slug.toUpperCase(), timezone: 'UTC' })),
    );
    pb.unreachable.add(profile('b1'));
    pb.network.add(profile('b2'));
    // The phantom stops before b4: no row for it in the batch's results.
    pb.skipRows.add(profile('b4'));
    const sequenceId = await w.sequence(instant([{ channel: 'linkedin', template: 'connection_request' }]));
    await w.enroll(sequenceId, ids);
    await run(w, 30 * 60_000);
    const launches = pb.launches('connect');
    expect(launches.map((c) => c.argument.numberOfAddsPerLaunch)).toEqual([10, 2]);
    for (const c of launches) {
      expect(String(c.argument.spreadsheetUrl)).toMatch(
        new RegExp(`^${publicUrl}/linkedin/batches/[\\w-]+\\.[\\w-]+\\.csv$`),
      );
      expect(c.argument).not.toHaveProperty('profileUrl');
    }
    // The second launch waited for the first to finish (one running launch per agent).
    expect(launches[1]?.createdAt).toBeGreaterThanOrEqual(launches[0]?.finishAt ?? Infinity);
    expect(pb.fetched.map((f) => f.status)).toEqual([200, 200]);
    // Each profile got its own note, and each message its own outcome.
    const messages = await w.messages('&channel=linkedin');
    const rows = launches.flatMap((c) => c.rows ?? []);
    expect(rows).toHaveLength(11);
    for (const row of rows) {
      const contactId = ids[slugs.indexOf(row.profileUrl.split('/').pop() ?? '')];
      const message = messages.find((m) => m.contactId === contactId);
      if (!row.error) expect(row.message).toBe(message?.body);
    }
    const statusOf = (slug: string) => messages.find((m) => m.contactId === ids[slugs.indexOf(slug)])?.status;
    expect(statusOf('b1')).toBe('failed');
    expect(statusOf('b2')).toBe('sent');
    expect(messages.find((m) => m.contactId === ids[4])).toMatchObject({ status: 'failed' });
    expect((await w.timeline(ids[4] as string)).some((t) => /without a result row/.test(t.summary))).toBe(true);
    expect(slugs.filter((slug) => statusOf(slug) === 'delivered')).toHaveLength(9);
    expect((await w.ok('GET', `/v1/contacts/${String(ids[2])}`)).linkedinConnection).toMatchObject({
      state: 'accepted',
    });
    expect((await w.ok('GET', `/v1/contacts/${String(ids[3])}`)).linkedinConnection).toMatchObject({
      state: 'requested',
    });
    expect(pb.invited.size).toBe(9);

    // The spreadsheet URL: its own rows while it lasts, 410 after, 404 when tampered with or not ours.
    const url = String(launches[1]?.argument.spreadsheetUrl);
    const csv = await fetch(url);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await csv.text()).split('\r\n').filter(Boolean)).toHaveLength(3);
    const token =
      url
        .split('/')
        .pop()
        ?.replace(/\.csv$/, '') ?? '';
    const [body = '', mac = ''] = token.split('.');
    const tampered = `${publicUrl}/linkedin/batches/${body}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BA' : 'AA'}.csv`;
    const refused = await fetch(tampered);
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ error: { code: 'not_found', message: expect.any(String) } });
    const other = await w.workspace('Other workspace');
    const foreign = signBatchToken(w.engine.deps.links.batchSecret, {
      workspaceId: other.workspaceId,
      messageIds: messages.slice(0, 2).map((m) => String(m.id)),
      expiresAt: w.clock.now().getTime() + 60_000,
    });
    expect((await fetch(`${publicUrl}/linkedin/batches/${foreign}.csv`)).status).toBe(404);
    w.clock.advance(7 * 3600_000);
    const expired = await fetch(url);
    expect(expired.status).toBe(410);
    expect(await expired.json()).toMatchObject({ error: { code: 'expired' } });
  });

  it('LINKEDIN_BATCH_LAUNCHES needs PUBLIC_URL', () => {
    expect(() => loadConfig({ LINKEDIN_BATCH_LAUNCHES: 'true' })).toThrow(/PUBLIC_URL/);
    expect(loadConfig({ LINKEDIN_BATCH_LAUNCHES: 'true', PUBLIC_URL: 'https://q.example.com' })).toMatchObject({
      linkedinBatchLaunches: true,
    });
    expect(loadConfig({}).linkedinBatchLaunches).toBe(false);
  });

  it('an expired session cookie pauses the account, holds the step, and reconnecting sends it', async () => {
    const { w, senderId } = await linkedinWorld();
    const [ana] = await w.contacts([{ linkedinUrl: 'linkedin.com/in/ana', firstName: 'Ana', timezone: 'UTC' }]);
    pb.deadCookies.set(COOKIE, 84);
    const sequenceId = await w.sequence(instant([{ channel: 'linkedin', template: 'connection_request' }]));
    await w.enroll(sequenceId, [ana as string]);
    await run(w, 10 * 60_000);
    const account = (await w.ok('GET', '/v1/senders')).data?.find((s) => (s as { id: string }).id === senderId);
    expect(account).toMatchObject({
      status: 'paused',
      statusReason: expect.stringMatching(/reconnect LinkedIn/),
    });
    expect(JSON.stringify(account)).not.toContain(COOKIE);
    expect(await w.messages()).toMatchObject([{ status: 'deferred' }]);
    await run(w, 2 * 60 * 60_000, 30 * 60_000);
    expect(pb.launches('connect')).toHaveLength(1);

    await w.ok('PATCH', `/v1/senders/${senderId}`, {
      credentials: { sessionCookie: 'AQEDAR-fresh-cookie-value', userAgent: 'Mozilla/5.0 (Macintosh) Chrome/121.0' },
      status: 'active',
    });
    await run(w, 10 * 60_000);
    expect(pb.launches('connect')).toHaveLength(2);
    expect(pb.launches('connect')[1]?.argument.sessionCookie).toBe('AQEDAR-fresh-cookie-value');
    expect(await w.messages()).toMatchObject([{ status: 'delivered' }]);
  });

  it('an API key Phantombuster refuses disconnects the account (not paused): its steps wait for new credentials', async () => {
    const { w, senderId } = await linkedinWorld();
    const [ana] = await w.contacts([{ linkedinUrl: 'linkedin.com/in/ana', firstName: 'Ana', timezone: 'UTC' }]);
    pb.failNext.push(401);
    await w.engine.pollMailboxes();
    const account = (await w.ok('GET', '/v1/senders')).data?.find((s) => (s as { id: string }).id === senderId);
    expect(account).toMatchObject({ status: 'disconnected', statusReason: expect.stringMatching(/API key/) });
    expect(String((account as { statusReason: string }).statusReason)).not.toMatch(/reconnect LinkedIn/);
    const sequenceId = await w.sequence(instant([{ channel: 'linkedin', template: 'connection_request' }]));
    await w.enroll(sequenceId, [ana as string]);
    await run(w, 10 * 60_000);
    expect(pb.launches('connect')).toHaveLength(0);
    expect(await w.messages()).toHaveLength(0);
    await w.ok('PATCH', `/v1/senders/${senderId}`, { credentials: credentials(), status: 'active' });
    await run(w, 70 * 60_000);
    expect(pb.launches('connect')).toHaveLength(1);
  });

  it('holds the daily and weekly caps across days: the rest wait, never dropped', async () => {
    const { w } = await linkedinWorld({ dailyLimit: 2, weeklyLimit: 3 });
    pb.finishAfterMs = 0;
    const ids = await w.contacts(
      Array.from({ length: 5 }, (_, i) => ({
        linkedinUrl: `linkedin.com/in/p${i}`,
        firstName: `P${i}`,
        timezone: 'UTC',
      })),
    );
    const sequenceId = await w.sequence(instant([{ channel: 'linkedin', template: 'connection_request' }]));
    await w.enroll(sequenceId, ids);
    await run(w, 9 * DAY, 2 * 60 * 60_000);
    const perDay = new Map<string, number>();
    for (const c of pb.launches('connect')) {
      const day = new Date(c.createdAt).toISOString().slice(0, 10);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    expect(Math.max(...perDay.values())).toBeLessThanOrEqual(2);
    // Monday 2 March: 2, Tuesday 1 (the week's 3), then nothing until the first leaves the rolling
    // 7 days (Monday 9 March): the other 2 that day.
    const firstWeek = [...perDay].filter(([day]) => day <= '2026-03-08').reduce((n, [, c]) => n + c, 0);
    expect(firstWeek).toBe(3);
    expect(pb.launches('connect')).toHaveLength(5);
  });

  it('the weekly cap is a rolling 7 days: room returns 7 days after the oldest request, not on Monday', async () => {
    const { w, senderId } = await linkedinWorld({ weeklyLimit: 2 });
    pb.finishAfterMs = 0;
    const ids = await w.contacts(
      ['r0', 'r1', 'r2'].map((slug) => ({ linkedinUrl: `linkedin.com/in/${slug}`, firstName: slug, timezone: 'UTC' })),
    );
    const sequenceId = await w.sequence(instant([{ channel: 'linkedin', template: 'connection_request' }]));
    w.clock.advance(3 * DAY); // Thursday 5 March, 09:00
    await w.enroll(sequenceId, ids.slice(0, 2));
    await run(w, 10 * 60_000);
    const [first] = pb.launches('connect');
    expect(pb.launches('connect')).toHaveLength(2);
    await w.enroll(sequenceId, ids.slice(2));
    await run(w, 10 * 60_000);
    const account = async () =>
      (await w.ok('GET', '/v1/senders')).data?.find((s) => (s as { id: string }).id === senderId) as Record<
        string,
        unknown
      >;
    expect(await account()).toMatchObject({ sentThisWeek: 2 });
    const deferred = (await w.timeline(ids[2] as string)).find((t) => /weekly limit reached/.test(t.summary));
    expect(deferred).toBeDefined();
    const to = async (at: number) => {
      w.clock.advance(at - w.clock.now().getTime());
      await run(w, 1, 1);
    };
    // Past the calendar week's end (Monday 9 March 00:00): a calendar week would have room again.
    await to(Date.parse('2026-03-09T06:00:00Z'));
    expect(pb.launches('connect')).toHaveLength(2);
    expect(await account()).toMatchObject({ sentThisWeek: 2 });
    // A minute before 7 days have passed since the first two: still full.
    const edge = (first?.createdAt ?? 0) + 7 * DAY;
    await to(edge - 60_000);
    expect(pb.launches('connect')).toHaveLength(2);
    expect(await account()).toMatchObject({ sentThisWeek: 2 });
    // At 7 days they leave the window; the third goes out within minutes of the edge.
    w.clock.advance(60_000);
    expect(await account()).toMatchObject({ sentThisWeek: 0 });
    await run(w, 10 * 60_000, 60_000);
    expect(pb.launches('connect')).toHaveLength(3);
    const third = pb.launches('connect')[2]?.createdAt ?? 0;
    expect(third).toBeGreaterThanOrEqual(edge);
    expect(third - edge).toBeLessThan(5 * 60_000);
    expect(await account()).toMatchObject({ sentThisWeek: 1 });
  });

  it('simulate counts the weekly request cap over the same rolling 7 days as the engine', async () => {
    const { w } = await linkedinWorld({ weeklyLimit: 2 });
    const ids = await w.contacts(
      ['s0', 's1', 's2'].map((slug) => ({ linkedinUrl: `linkedin.com/in/${slug}`, firstName: slug, timezone: 'UTC' })),
    );
    const sequenceId = await w.sequence(instant([{ channel: 'linkedin', template: 'connection_request' }]));
    const result = await w.ok('POST', `/v1/sequences/${sequenceId}/simulate`, { contactIds: ids, days: 10 });
    const sends = (result.contacts as { events: { action: string; at: string }[] }[])
      .flatMap((c) => c.events)
      .filter((e) => e.action === 'send')
      .map((e) => Date.parse(e.at))
      .sort((a, b) => a - b);
    expect(sends).toHaveLength(3);
    // Not on Monday 9 March at 00:00 (a calendar week), but 7 days after the first request.
    expect(sends[2]).toBeGreaterThanOrEqual((sends[0] ?? 0) + 7 * DAY);
    expect(pb.launches('connect')).toHaveLength(0);
  });

  it('halves the daily request cap while fewer than 20 % of week-old requests are accepted, and recovers', async () => {
    const { w, senderId } = await linkedinWorld();
    pb.finishAfterMs = 0;
    const ids = await w.contacts(
      Array.from({ length: 12 }, (_, i) => ({
        linkedinUrl: `linkedin.com/in/q${i}`,
        firstName: `Q${i}`,
        timezone: 'UTC',
      })),
    );
    const sequenceId = await w.sequence(instant([{ channel: 'linkedin', template: 'connection_request' }]));
    await w.enroll(sequenceId, ids);
    await run(w, 60 * 60_000);
    expect(pb.launches('connect')).toHaveLength(12);
    const account = async () =>
      (await w.ok('GET', '/v1/senders')).data?.find((s) => (s as { id: string }).id === senderId) as Record<
        string,
        unknown
      >;
    // Not a week old yet: nothing judged.
    expect(await account()).toMatchObject({ todayCap: 20, linkedinAcceptance: { requests: 0, rate: null } });
    w.clock.advance(8 * DAY);
    await w.engine.pollMailboxes();
    expect(await account()).toMatchObject({
      todayCap: 10,
      linkedinAcceptance: { requests: 12, accepted: 0, rate: 0, halved: true },
    });
    for (const slug of ['q0', 'q1', 'q2']) pb.network.add(profile(slug));
    w.clock.advance(DAY);
    await w.engine.pollMailboxes(); // launches the day's Connections Export
    await w.engine.pollMailboxes(); // reads it: the contacts are connected
    await w.engine.pollMailboxes(); // judges again (each poll judges what earlier polls brought)
    expect(await account()).toMatchObject({ todayCap: 20, linkedinAcceptance: { accepted: 3, halved: false } });
  });

  it('a free account adds a note to 5 requests a month; the rest go without one, and notes return next month', async () => {
    const { w } = await linkedinWorld({ linkedinFree: true });
    pb.finishAfterMs = 0;
    const ids = await w.contacts(
      Array.from({ length: 7 }, (_, i) => ({
        linkedinUrl: `linkedin.com/in/n${i}`,
        firstName: `N${i}`,
        timezone: 'UTC',
      })),
    );
    const sequenceId = await w.sequence(instant([{ channel: 'linkedin', template: 'connection_request' }]));
    await w.enroll(sequenceId, ids.slice(0, 6));
    await run(w, 60 * 60_000);
    const notes = pb.launches('connect').map((c) => c.argument.message);
    expect(notes).toHaveLength(6);
    expect(notes.filter((n) => typeof n === 'string' && n.length > 0)).toHaveLength(5);
    for (const n of notes.filter((text) => typeof text === 'string')) expect(String(n).length).toBeLessThanOrEqual(200);
    expect(notes[5]).toBeUndefined();
    // April: a new month, a new budget.
    w.clock.advance(30 * DAY);
    await w.enroll(sequenceId, ids.slice(6));
    await run(w, 30 * 60_000);
    expect(pb.launches('connect')[6]?.argument.message).toEqual(expect.any(String));
  });

  it('when the weekly budget is short, the contacts with the most enrichment facts get the next requests', async () => {
    const { w } = await linkedinWorld({ weeklyLimit: 1 });
    pb.finishAfterMs = 0;
    const facts = (n: number) => ({ painPoints: Array.from({ length: n }, (_, i) => `pain ${i}`) });
    const ids = await w.contacts([
      { linkedinUrl: 'linkedin.com/in/first', firstName: 'First', timezone: 'UTC', enrichment: facts(0) },
      { linkedinUrl: 'linkedin.com/in/thin', firstName: 'Thin', timezone: 'UTC', enrichment: facts(1) },
      { linkedinUrl: 'linkedin.com/in/rich', firstName: 'Rich', timezone: 'UTC', enrichment: facts(6) },
    ]);
    const sequenceId = await w.sequence(instant([{ channel: 'linkedin', template: 'connection_request' }]));
    await w.enroll(sequenceId, [ids[0] as string]);
    await run(w, 10 * 60_000);
    await w.enroll(sequenceId, ids.slice(1));
    await run(w, 15 * DAY, 6 * 60 * 60_000);
    expect(pb.launches('connect').map((c) => c.argument.profileUrl)).toEqual([
      profile('first'),
      profile('rich'),
      profile('thin'),
    ]);
  });

  it('when the budget is short, the highest plan score goes first, before contacts with more facts', async () => {
    const { w } = await linkedinWorld({ dailyLimit: 1 });
    pb.finishAfterMs = 0;
    const facts = (n: number) => ({ painPoints: Array.from({ length: n }, (_, i) => `pain ${i}`) });
    // The world's offer is "We help teams send outreach.": Fit's one fact is what it is about.
    const ids = await w.contacts([
      { linkedinUrl: 'linkedin.com/in/first', firstName: 'First', timezone: 'UTC', enrichment: facts(0) },
      { linkedinUrl: 'linkedin.com/in/thin', firstName: 'Thin', timezone: 'UTC', enrichment: facts(1) },
      { linkedinUrl: 'linkedin.com/in/rich', firstName: 'Rich', timezone: 'UTC', enrichment: facts(6) },
      {
        linkedinUrl: 'linkedin.com/in/fit',
        firstName: 'Fit',
        timezone: 'UTC',
        enrichment: { painPoints: ['Cold outreach gets almost no replies'] },
      },
    ]);
    const sequenceId = await w.sequence(instant([{ channel: 'linkedin', template: 'connection_request' }]));
    await w.enroll(sequenceId, [ids[0] as string]);
    await run(w, 10 * 60_000);
    await w.enroll(sequenceId, ids.slice(1));
    await run(w, 4 * DAY, 6 * 60 * 60_000);
    expect(pb.launches('connect').map((c) => c.argument.profileUrl)).toEqual([
      profile('first'),
      profile('fit'),
      profile('rich'),
      profile('thin'),
    ]);
  });

  it('a reply the Message Sender finds stops the enrollment like any reply', async () => {
    const { w } = await linkedinWorld();
    pb.finishAfterMs = 0;
    const [ana] = await w.contacts([
      { email: 'ana@acme.example.com', linkedinUrl: 'linkedin.com/in/ana', firstName: 'Ana', timezone: 'UTC' },
    ]);
    pb.network.add(profile('ana'));
    pb.replies.set(profile('ana'), 'Happy to talk next week, send me a few times.');
    const sequenceId = await w.sequence(
      instant([
        { channel: 'linkedin', template: 'connection_request' },
        { channel: 'linkedin', template: 'linkedin_dm' },
        { channel: 'email', template: 'followup_1', day: 3 },
      ]),
    );
    // Already connected (logged by hand): the request is skipped and the message goes out.
    await w.ok('POST', `/v1/contacts/${ana}/linkedin-connection`, { connected: true });
    const { enrolled } = await w.enroll(sequenceId, [ana as string]);
    await run(w, 30 * 60_000);
    expect(pb.launches('connect')).toHaveLength(0);
    expect(pb.launches('message')).toHaveLength(1);
    expect(await w.enrollment(enrolled[0]?.enrollmentId as string)).toMatchObject({ status: 'stopped' });
    w.clock.advance(4 * DAY);
    await run(w, 30 * 60_000);
    expect(await w.messages()).toHaveLength(1);
  });
});
