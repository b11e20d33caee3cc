import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHttpProvider, type FakeHttpProvider } from '../fakes/httpProvider.ts';
import { instant, world } from '../support/world.ts';

let fake: FakeHttpProvider;
beforeAll(async () => {
  fake = await startFakeHttpProvider();
});
afterAll(() => fake.close());

const people = (n: number, domain = (i: number) => `co${i}.example.com`) =>
  Array.from({ length: n }, (_, i) => ({ email: `p${i}@${domain(i)}`, firstName: `P${i}`, timezone: 'UTC' }));

const httpSender = (extra: Record<string, unknown> = {}) => ({
  channel: 'email',
  provider: 'http',
  fromEmail: 'seller@ours.example.com',
  fromName: 'Sam Seller',
  credentials: { url: fake.url },
  ...extra,
});

describe('sending accounts and quotas', () => {
  it('defers what is over the daily cap to the next day: never dropped, never early', async () => {
    const w = await world();
    const ids = await w.contacts(people(5));
    const sender = await w.ok(
      'POST',
      '/v1/senders',
      httpSender({ dailyLimit: 2, hourlyLimit: null, minGapSeconds: 0, warmup: null }),
    );
    expect(sender).toMatchObject({ dailyLimit: 2, sentToday: 0, status: 'active', hasCredentials: true });
    const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
    await w.enroll(sequenceId, ids);

    await w.engine.tick();
    expect(await w.messages('&status=sent')).toHaveLength(2);
    // Which two go first is the order due enrollments are found in (equal due times): the other three wait.
    const timelines = await Promise.all(ids.map((id) => w.timeline(id)));
    const deferrals = timelines.flatMap((timeline) => timeline.filter((t) => t.type === 'deferred'));
    expect(deferrals).toHaveLength(3);
    for (const deferred of deferrals) {
      expect(deferred.summary).toMatch(/daily limit reached/);
      expect(String(deferred.data.until)).toBe('2026-03-03T00:00:00.000Z');
    }

    // Later the same day nothing more goes out.
    w.clock.advance(10 * 3600_000);
    await w.engine.tick();
    expect(await w.messages('&status=sent')).toHaveLength(2);
    expect((await w.ok('GET', '/v1/senders')).data?.[0]).toMatchObject({ sentToday: 2, todayCap: 2 });

    w.clock.set(new Date('2026-03-03T00:00:01Z'));
    await w.engine.tick();
    w.clock.set(new Date('2026-03-04T00:00:01Z'));
    await w.engine.tick();
    const sent = await w.messages('&status=sent');
    expect(sent).toHaveLength(5);
    const perDay = new Map<string, number>();
    for (const m of sent)
      perDay.set(String(m.sentAt).slice(0, 10), (perDay.get(String(m.sentAt).slice(0, 10)) ?? 0) + 1);
    expect([...perDay.entries()].sort()).toEqual([
      ['2026-03-02', 2],
      ['2026-03-03', 2],
      ['2026-03-04', 1],
    ]);
    expect(fake.deliveries.filter((d) => sent.some((m) => m.id === d.key))).toHaveLength(5);
  });

  it('ramps up with the warm-up (10, 15, 20 … a day) and respects the hourly cap and minimum gap', async () => {
    const w = await world();
    const ids = await w.contacts(people(30));
    await w.ok(
      'POST',
      '/v1/senders',
      httpSender({
        dailyLimit: 50,
        hourlyLimit: 3,
        minGapSeconds: 900,
        warmup: { start: 10, increment: 5, ceiling: 50 },
      }),
    );
    const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
    await w.enroll(sequenceId, ids);
    for (let minute = 0; minute < 24 * 60; minute += 5) {
      w.clock.advance(5 * 60_000);
      await w.engine.tick();
    }
    const sent = await w.messages('&status=sent');
    const day1 = sent.filter((m) => String(m.sentAt) < '2026-03-03');
    expect(day1).toHaveLength(10); // warm-up day 1
    const times = day1.map((m) => new Date(String(m.sentAt)).getTime()).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++)
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(900_000);
    const perHour = new Map<number, number>();
    for (const t of times) perHour.set(Math.floor(t / 3600_000), (perHour.get(Math.floor(t / 3600_000)) ?? 0) + 1);
    for (const n of perHour.values()) expect(n).toBeLessThanOrEqual(3);
    for (let minute = 0; minute < 24 * 60; minute += 5) {
      w.clock.advance(5 * 60_000);
      await w.engine.tick();
    }
    const day2 = (await w.messages('&status=sent')).filter((m) => String(m.sentAt).startsWith('2026-03-03'));
    expect(day2).toHaveLength(15);
    const view = (await w.ok('GET', '/v1/senders')).data?.[0] as Record<string, unknown>;
    expect(view).toMatchObject({ warmupDay: 3, todayCap: 20 });
  });

  it('rotates new contacts across accounts by remaining capacity and keeps each contact on its account', async () => {
    const w = await world();
    const open = { hourlyLimit: null, minGapSeconds: 0, warmup: null };
    const a = await w.ok('POST', '/v1/senders', httpSender({ name: 'A', dailyLimit: 200, ...open }));
    const b = await w.ok(
      'POST',
      '/v1/senders',
      httpSender({ name: 'B', fromEmail: 'b@ours.example.com', dailyLimit: 100, ...open }),
    );
    const sequenceId = await w.sequence(
      instant([
        { channel: 'email', template: 'intro' },
        { channel: 'email', template: 'followup_1' },
        { channel: 'email', template: 'breakup' },
      ]),
    );
    const sentBy = async () => {
      const sent = await w.messages('&status=sent');
      const accountOf = new Map<string, Set<string>>();
      for (const m of sent)
        accountOf.set(String(m.contactId), (accountOf.get(String(m.contactId)) ?? new Set()).add(String(m.senderId)));
      return { sent, accountOf };
    };
    // A has 100 more sends of room than B: every new contact goes to A while A's lead is wider than
    // SPREAD_BAND (30 first touches leave it at 70).
    await w.enroll(sequenceId, await w.contacts(people(30)));
    await w.engine.tick();
    const first = await sentBy();
    expect(first.sent).toHaveLength(90);
    expect(first.sent.every((m) => m.senderId === a.id)).toBe(true);
    // Now 110 against 100: within the band, new contacts spread over both, and follow-ups always
    // come from the account of the first touch.
    await w.enroll(sequenceId, await w.contacts(people(30, (i) => `later${i}.example.com`)));
    await w.engine.tick();
    const second = await sentBy();
    expect(second.sent).toHaveLength(180);
    for (const set of second.accountOf.values()) expect(set.size).toBe(1);
    const onB = [...second.accountOf.values()].filter((set) => set.has(String(b.id))).length;
    expect(onB).toBeGreaterThan(0);
    expect(onB).toBeLessThan(30);
  });

  it('counts a reservation at once, gives its place back when it does not go out, and recounts on a timezone change', async () => {
    const w = await world();
    const sender = await w.ok(
      'POST',
      '/v1/senders',
      httpSender({ dailyLimit: 100, hourlyLimit: null, minGapSeconds: 0, warmup: null, timezone: 'UTC' }),
    );
    const [contactId] = await w.contacts(people(1));
    const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
    const { enrolled } = await w.enroll(sequenceId, [contactId as string]);
    const enrollmentId = enrolled[0]?.enrollmentId as string;
    const usage = async () => {
      const rows = await w.row<{ kind: string; n: number; start: Date }>(
        `SELECT kind, n, window_start AS start FROM sender_usage WHERE sender_id = $1 ORDER BY kind`,
        [sender.id],
      );
      return rows;
    };
    const reservedAt = new Date('2026-03-02T23:30:00Z'); // Monday 23:30 UTC, Tuesday 08:30 in Tokyo
    await w.row(
      `INSERT INTO messages (id, workspace_id, enrollment_id, contact_id, sequence_id, step, channel, purpose, provider,
         sender_id, status, body, reserved_at)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, 0, 'email', 'intro', 'http', $5, 'sending', 'Hi', $6)`,
      [w.workspaceId, enrollmentId, contactId, sequenceId, sender.id, reservedAt],
    );
    expect((await usage()).map((r) => [r.kind, r.n])).toEqual([
      ['day', 1],
      ['hour', 1],
      ['week', 1],
    ]);
    expect((await usage()).find((r) => r.kind === 'day')?.start.toISOString()).toBe('2026-03-02T00:00:00.000Z');
    // sending → sent keeps the count; sent → (hypothetically) deferred gives the place back.
    await w.row(`UPDATE messages SET status = 'sent' WHERE enrollment_id = $1`, [enrollmentId]);
    expect((await usage()).map((r) => r.n)).toEqual([1, 1, 1]);
    await w.row(`UPDATE messages SET status = 'deferred' WHERE enrollment_id = $1`, [enrollmentId]);
    expect((await usage()).map((r) => r.n)).toEqual([0, 0, 0]);
    await w.row(`UPDATE messages SET status = 'sending' WHERE enrollment_id = $1`, [enrollmentId]);
    // A new timezone moves the windows: the counters are recounted in Tokyo's calendar.
    await w.ok('PATCH', `/v1/senders/${String(sender.id)}`, { timezone: 'Asia/Tokyo' });
    const tokyo = await usage();
    expect(tokyo.map((r) => r.n)).toEqual([1, 1, 1]);
    expect(tokyo.find((r) => r.kind === 'day')?.start.toISOString()).toBe('2026-03-02T15:00:00.000Z');
    expect(tokyo.find((r) => r.kind === 'week')?.start.toISOString()).toBe('2026-03-01T15:00:00.000Z');
  });

  it('never overshoots a cap when many reservations race for its last places', async () => {
    const w = await world();
    await w.ok('POST', '/v1/senders', httpSender({ dailyLimit: 5, hourlyLimit: null, minGapSeconds: 0, warmup: null }));
    const ids = await w.contacts(people(30));
    const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
    const { enrolled } = await w.enroll(sequenceId, ids);
    await Promise.all(
      enrolled.map((e) => w.engine.runEnrollment({ workspaceId: w.workspaceId, enrollmentId: String(e.enrollmentId) })),
    );
    expect(await w.messages('&status=sent')).toHaveLength(5);
    const rows = await w.row<{ n: number }>(
      `SELECT count(DISTINCT contact_id)::int AS n FROM activities
        WHERE workspace_id = $1 AND type = 'deferred' AND summary LIKE '%daily limit reached%'`,
      [w.workspaceId],
    );
    expect(rows[0]?.n).toBe(25);
  });

  it('starts each batch of due steps where `start` says and wraps round, so workers that draw apart run different steps first', async () => {
    const w = await world();
    await w.ok(
      'POST',
      '/v1/senders',
      httpSender({ dailyLimit: 100, hourlyLimit: null, minGapSeconds: 0, warmup: null }),
    );
    const ids = await w.contacts(people(4));
    const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
    // Enrolled a second apart: in next_run_at order they are p0, p1, p2, p3.
    for (const id of ids) {
      await w.enroll(sequenceId, [id]);
      w.clock.set(new Date(w.clock.now().getTime() + 1000));
    }
    const before = fake.deliveries.length;
    expect(await w.engine.tick({ start: () => 0.5 })).toBe(4);
    const order = fake.deliveries
      .slice(before)
      .map((d) => people(4).findIndex((p) => JSON.stringify(d.body).includes(p.email)));
    expect(order).toEqual([2, 3, 0, 1]);
  });

  it.each([
    { draw: 1, order: [3, 0, 1, 2] },
    { draw: 7.5, order: [3, 0, 1, 2] },
    { draw: -0.25, order: [0, 1, 2, 3] },
    { draw: Number.NaN, order: [0, 1, 2, 3] },
    { draw: Number.POSITIVE_INFINITY, order: [0, 1, 2, 3] },
  ])(
    'keeps a `start` of $draw inside the batch: every due step runs once, in the order $order',
    async ({ draw, order }) => {
      const w = await world();
      await w.ok(
        'POST',
        '/v1/senders',
        httpSender({ dailyLimit: 100, hourlyLimit: null, minGapSeconds: 0, warmup: null }),
      );
      const four = people(4);
      const ids = await w.contacts(four);
      const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
      for (const id of ids) {
        await w.enroll(sequenceId, [id]);
        w.clock.set(new Date(w.clock.now().getTime() + 1000));
      }
      const before = fake.deliveries.length;
      expect(await w.engine.tick({ start: () => draw })).toBe(4);
      const delivered = fake.deliveries
        .slice(before)
        .map((d) => four.findIndex((p) => JSON.stringify(d.body).includes(p.email)));
      expect(delivered).toEqual(order);
    },
  );

  it('runs a tick with several lanes and two workers at once: each step once, the caps held, nothing left due', async () => {
    const w = await world();
    for (const n of [0, 1])
      await w.ok(
        'POST',
        '/v1/senders',
        httpSender({
          fromEmail: `seller${n}@ours.example.com`,
          dailyLimit: 7,
          hourlyLimit: null,
          minGapSeconds: 0,
          warmup: null,
        }),
      );
    const ids = await w.contacts(people(40));
    const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
    await w.enroll(sequenceId, ids);
    const before = fake.deliveries.length;
    const other = w.worker(w.clock);
    const runs = await Promise.all([w.engine.tick({ concurrency: 6 }), other.tick({ concurrency: 6 })]);
    // Both workers found the same 40 due steps; every one ran (at least once) and none is due any more.
    expect(runs[0] + runs[1]).toBeGreaterThanOrEqual(40);
    expect(await w.engine.tick({ concurrency: 6 })).toBe(0);
    const sent = await w.messages('&status=sent');
    expect(sent).toHaveLength(14);
    const perSender = new Map<string, number>();
    for (const m of sent) perSender.set(String(m.senderId), (perSender.get(String(m.senderId)) ?? 0) + 1);
    expect([...perSender.values()]).toEqual([7, 7]);
    // At the provider: 14 requests, each message's key once.
    const delivered = fake.deliveries.slice(before).filter((d) => sent.some((m) => m.id === d.key));
    expect(delivered.map((d) => d.key).sort()).toEqual(sent.map((m) => String(m.id)).sort());
    const deferred = await w.row<{ n: number }>(
      `SELECT count(*)::int AS n FROM enrollments WHERE workspace_id = $1 AND status = 'active' AND next_run_at >= $2`,
      [w.workspaceId, new Date('2026-03-03T00:00:00Z')],
    );
    expect(deferred[0]?.n).toBe(26);
  });

  it('caps sends per recipient domain per day across accounts', async () => {
    const w = await world();
    const ids = await w.contacts(people(55, () => 'bigcorp.example.com'));
    await w.ok(
      'POST',
      '/v1/senders',
      httpSender({ dailyLimit: 1000, hourlyLimit: null, minGapSeconds: 0, warmup: null }),
    );
    const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
    await w.enroll(sequenceId, ids);
    await w.engine.tick();
    expect(await w.messages('&status=sent')).toHaveLength(50);
    const rows = await w.row<{ contact_id: string; summary: string }>(
      `SELECT DISTINCT contact_id, summary FROM activities WHERE workspace_id = $1 AND type = 'deferred'`,
      [w.workspaceId],
    );
    expect(new Set(rows.map((r) => r.contact_id)).size).toBe(5);
    for (const row of rows) expect(row.summary).toMatch(/daily limit for this recipient domain reached/);
  });

  it('defers, never drops, when the provider rate-limits or is down, and marks a refusing account disconnected', async () => {
    const w = await world();
    const [id] = await w.contacts(people(1));
    const sender = await w.ok(
      'POST',
      '/v1/senders',
      httpSender({ dailyLimit: 100, hourlyLimit: null, minGapSeconds: 0, warmup: null }),
    );
    const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
    await w.enroll(sequenceId, [id as string]);
    const before = fake.deliveries.length;
    fake.failNext(429, 1, { 'retry-after': '120' });
    await w.engine.tick();
    let [message] = await w.messages(`&contactId=${id}`);
    expect(message).toMatchObject({ status: 'deferred' });
    expect(String(message?.error)).toMatch(/rate_limited/);
    w.clock.advance(121_000);
    fake.failNext(500, 1);
    await w.engine.tick();
    expect((await w.messages(`&contactId=${id}`))[0]).toMatchObject({ status: 'deferred' });
    w.clock.advance(601_000); // second attempt failed: back-off 600 s
    fake.failNext(401, 1);
    await w.engine.tick();
    const senders = (await w.ok('GET', '/v1/senders')).data as Record<string, unknown>[];
    expect(senders[0]).toMatchObject({ id: sender.id, status: 'disconnected' });
    w.clock.advance(3 * 3600_000);
    await w.engine.tick();
    expect((await w.messages(`&contactId=${id}`))[0]).toMatchObject({ status: 'deferred' });
    expect((await w.timeline(id as string)).some((t) => /is disconnected/.test(t.summary))).toBe(true);
    await w.ok('PATCH', `/v1/senders/${sender.id}`, { status: 'active' });
    w.clock.advance(3 * 3600_000);
    await w.engine.tick();
    [message] = await w.messages(`&contactId=${id}`);
    expect(message).toMatchObject({ status: 'sent' });
    expect(fake.deliveries.length - before).toBe(1);
    const rows = await w.row<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE contact_id = $1', [id]);
    expect(rows[0]?.n).toBe(1);
  });
});
