import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DOMAIN_DAILY_CAP,
  DEFAULT_LIMITS,
  SenderLimits,
  counterWindows,
  effectiveDailyCap,
  inRollingWeek,
  pickSender,
  quotaDecision,
  quotaKindFor,
  recipientDomain,
  warmupDayFor,
  type QuotaUsage,
} from '../../src/core/quota.ts';

const idle: QuotaUsage = { today: 0, thisHour: 0, thisWeek: 0 };

describe('defaults', () => {
  it('match the spec', () => {
    expect(DEFAULT_LIMITS.email).toMatchObject({ dailyLimit: 50, warmup: { start: 10, increment: 5, ceiling: 50 } });
    expect(DEFAULT_LIMITS.linkedin_connection).toMatchObject({ dailyLimit: 20, weeklyLimit: 100 });
    expect(DEFAULT_LIMITS.linkedin_message.dailyLimit).toBe(20);
    expect(DEFAULT_LIMITS.whatsapp).toEqual({ dailyLimit: 100_000, minGapSeconds: 0 });
    expect(DEFAULT_LIMITS.sms.dailyLimit).toBe(200);
    expect(DEFAULT_LIMITS.call.dailyLimit).toBe(50);
    expect(DEFAULT_DOMAIN_DAILY_CAP).toBe(50);
    for (const limits of Object.values(DEFAULT_LIMITS)) expect(SenderLimits.parse(limits)).toEqual(limits);
  });

  it.each([
    ['linkedin', 'connection_request', 'linkedin_connection'],
    ['linkedin', 'linkedin_dm', 'linkedin_message'],
    ['email', 'intro', 'email'],
    ['whatsapp', 'casual_checkin', 'whatsapp'],
  ] as const)('%s/%s counts against %s', (channel, template, kind) => {
    expect(quotaKindFor(channel, template)).toBe(kind);
  });
});

describe('effectiveDailyCap (warm-up ramp)', () => {
  it.each([
    [1, 10],
    [2, 15],
    [3, 20],
    [8, 45],
    [9, 50],
    [10, 50],
    [365, 50],
    [0, 10],
  ])('email day %i allows %i', (day, cap) => {
    expect(effectiveDailyCap(DEFAULT_LIMITS.email, day)).toBe(cap);
  });

  it('never exceeds dailyLimit even when the ceiling is higher', () => {
    expect(
      effectiveDailyCap({ dailyLimit: 30, warmup: { start: 10, increment: 10, ceiling: 100 }, minGapSeconds: 0 }, 50),
    ).toBe(30);
  });

  it('without a warm-up is the daily limit', () => {
    expect(effectiveDailyCap(DEFAULT_LIMITS.sms, 1)).toBe(200);
  });
});

describe('warmupDayFor', () => {
  it('counts local calendar days, 1 on the first day', () => {
    const warmupStartedAt = new Date('2025-03-07T23:30:00Z'); // Friday 18:30 in New York
    expect(warmupDayFor({ warmupStartedAt, now: new Date('2025-03-08T04:00:00Z'), zone: 'America/New_York' })).toBe(1);
    expect(warmupDayFor({ warmupStartedAt, now: new Date('2025-03-08T05:00:00Z'), zone: 'America/New_York' })).toBe(2);
    // Across the spring-forward night (a 23-hour day).
    expect(warmupDayFor({ warmupStartedAt, now: new Date('2025-03-10T04:30:00Z'), zone: 'America/New_York' })).toBe(4);
  });
});

describe('quotaDecision', () => {
  const now = new Date('2025-06-04T14:20:00Z'); // Wednesday 16:20 in Berlin (CEST)
  const zone = 'Europe/Berlin';
  const limits: SenderLimits = { dailyLimit: 50, hourlyLimit: 10, weeklyLimit: 200, minGapSeconds: 90 };

  const cases: {
    name: string;
    usage: QuotaUsage;
    warmupDay?: number;
    domain?: { today: number; cap: number };
    expected: unknown;
  }[] = [
    {
      name: 'room everywhere',
      usage: { ...idle, lastSentAt: new Date('2025-06-04T14:18:00Z') },
      expected: { ok: true },
    },
    {
      name: 'daily cap → next local midnight',
      usage: { ...idle, today: 50 },
      expected: { ok: false, reason: 'daily_cap', retryAt: new Date('2025-06-04T22:00:00Z') },
    },
    {
      name: 'hourly cap → next local hour',
      usage: { ...idle, thisHour: 10 },
      expected: { ok: false, reason: 'hourly_cap', retryAt: new Date('2025-06-04T15:00:00Z') },
    },
    {
      name: 'weekly cap → Monday 00:00 local',
      usage: { ...idle, thisWeek: 200 },
      expected: { ok: false, reason: 'weekly_cap', retryAt: new Date('2025-06-08T22:00:00Z') },
    },
    {
      name: 'min gap → last send + gap',
      usage: { ...idle, lastSentAt: new Date('2025-06-04T14:19:30Z') },
      expected: { ok: false, reason: 'min_gap', retryAt: new Date('2025-06-04T14:21:00Z') },
    },
    {
      name: 'a gap that just ended',
      usage: { ...idle, lastSentAt: new Date('2025-06-04T14:18:30Z') },
      expected: { ok: true },
    },
    {
      name: 'several refusals report the one that clears last',
      usage: { today: 50, thisHour: 10, thisWeek: 200, lastSentAt: now },
      expected: { ok: false, reason: 'weekly_cap', retryAt: new Date('2025-06-08T22:00:00Z') },
    },
    {
      name: 'daily beats hourly',
      usage: { ...idle, today: 50, thisHour: 10 },
      expected: { ok: false, reason: 'daily_cap', retryAt: new Date('2025-06-04T22:00:00Z') },
    },
    {
      name: 'recipient domain cap',
      usage: idle,
      domain: { today: 50, cap: 50 },
      expected: { ok: false, reason: 'domain_cap', retryAt: new Date('2025-06-04T22:00:00Z') },
    },
    { name: 'domain below cap', usage: idle, domain: { today: 49, cap: 50 }, expected: { ok: true } },
  ];

  it.each(cases)('$name', ({ usage, warmupDay, domain, expected }) => {
    expect(
      quotaDecision({ limits, usage, now, zone, ...(warmupDay ? { warmupDay } : {}), ...(domain ? { domain } : {}) }),
    ).toEqual(expected);
  });

  it('applies the warm-up day (safe day 1 when omitted)', () => {
    const email = DEFAULT_LIMITS.email;
    expect(quotaDecision({ limits: email, usage: { ...idle, today: 10 }, now, zone })).toMatchObject({
      ok: false,
      reason: 'daily_cap',
    });
    expect(quotaDecision({ limits: email, usage: { ...idle, today: 14 }, now, zone, warmupDay: 2 })).toEqual({
      ok: true,
    });
    expect(quotaDecision({ limits: email, usage: { ...idle, today: 15 }, now, zone, warmupDay: 2 })).toMatchObject({
      ok: false,
      reason: 'daily_cap',
    });
    expect(quotaDecision({ limits: email, usage: { ...idle, today: 49 }, now, zone, warmupDay: 30 })).toEqual({
      ok: true,
    });
  });

  it('a daily cap on the fall-back night resets at the local midnight (25-hour day)', () => {
    const decision = quotaDecision({
      limits,
      usage: { ...idle, today: 50 },
      now: new Date('2025-10-26T10:00:00Z'),
      zone,
    });
    expect(decision).toEqual({ ok: false, reason: 'daily_cap', retryAt: new Date('2025-10-26T23:00:00Z') });
  });

  it('a rolling week (LinkedIn invitations) frees 7 days after its oldest request, whatever the calendar week', () => {
    const rolling: SenderLimits = { dailyLimit: 20, weeklyLimit: 100, minGapSeconds: 0, rollingWeek: true };
    const oldest = new Date('2025-06-02T09:15:00Z'); // a Monday: a calendar week would free on the 8th at 22:00
    expect(
      quotaDecision({ limits: rolling, usage: { ...idle, thisWeek: 100, oldestThisWeek: oldest }, now, zone }),
    ).toEqual({ ok: false, reason: 'weekly_cap', retryAt: new Date('2025-06-09T09:15:00Z') });
    expect(
      quotaDecision({ limits: rolling, usage: { ...idle, thisWeek: 99, oldestThisWeek: oldest }, now, zone }),
    ).toEqual({
      ok: true,
    });
    // The oldest request unknown: tomorrow (local midnight), looked at again then.
    expect(quotaDecision({ limits: rolling, usage: { ...idle, thisWeek: 100 }, now, zone })).toEqual({
      ok: false,
      reason: 'weekly_cap',
      retryAt: new Date('2025-06-04T22:00:00Z'),
    });
    expect(DEFAULT_LIMITS.linkedin_connection.rollingWeek).toBe(true);
  });

  it('a send counts in the rolling week until exactly 7 days after it', () => {
    const sentAt = new Date('2025-06-02T09:15:00Z');
    expect(inRollingWeek(sentAt, new Date('2025-06-09T09:14:59.999Z'))).toBe(true);
    expect(inRollingWeek(sentAt, new Date('2025-06-09T09:15:00Z'))).toBe(false);
    expect(inRollingWeek(sentAt, sentAt)).toBe(true);
  });

  it('hours follow the local clock in half-hour zones', () => {
    const decision = quotaDecision({
      limits,
      usage: { ...idle, thisHour: 10 },
      now: new Date('2025-06-04T05:10:00Z'),
      zone: 'Asia/Kolkata',
    });
    expect(decision).toEqual({ ok: false, reason: 'hourly_cap', retryAt: new Date('2025-06-04T05:30:00Z') });
  });
});

describe('counterWindows', () => {
  it('are the local day, hour and ISO week', () => {
    expect(counterWindows(new Date('2025-06-04T14:20:00Z'), 'Europe/Berlin')).toEqual({
      dayStart: new Date('2025-06-03T22:00:00Z'),
      nextDay: new Date('2025-06-04T22:00:00Z'),
      hourStart: new Date('2025-06-04T14:00:00Z'),
      nextHour: new Date('2025-06-04T15:00:00Z'),
      weekStart: new Date('2025-06-01T22:00:00Z'),
      nextWeek: new Date('2025-06-08T22:00:00Z'),
    });
  });
});

describe('pickSender', () => {
  const senders = [
    { id: 'b', remaining: 10 },
    { id: 'a', remaining: 10 },
    { id: 'c', remaining: 3 },
    { id: 'd', remaining: 0 },
  ];
  it.each([
    ['most remaining, ties by id', undefined, 'a'],
    ['the sticky sender wins', 'c', 'c'],
    ['the sticky sender wins even when full', 'd', 'd'],
    ['a sticky sender that is gone is replaced', 'zzz', 'a'],
    ['null sticky', null, 'a'],
  ] as const)('%s', (_name, sticky, expected) => {
    expect(pickSender(senders, sticky)?.id).toBe(expected);
  });

  it('rotates as capacity is used', () => {
    const pool = [
      { id: 'm1', remaining: 2 },
      { id: 'm2', remaining: 2 },
    ];
    const picks: string[] = [];
    for (let i = 0; i < 4; i++) {
      const pick = pickSender(pool);
      if (!pick) throw new Error('no sender');
      picks.push(pick.id);
      pick.remaining -= 1;
    }
    expect(picks).toEqual(['m1', 'm2', 'm1', 'm2']);
  });

  it('spreads concurrent picks over the accounts within the band of the most room, by seed', () => {
    const pool = [
      { id: 'm1', remaining: 100 },
      { id: 'm2', remaining: 90 },
      { id: 'm3', remaining: 80 },
      { id: 'm4', remaining: 60 },
    ];
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const pick = pickSender(pool, undefined, { seed: `enrollment-${i}`, band: 25 });
      counts.set(pick?.id ?? 'none', (counts.get(pick?.id ?? 'none') ?? 0) + 1);
    }
    // m4 is more than 25 sends behind the best: never picked. The others share the load.
    expect(counts.get('m4')).toBeUndefined();
    for (const id of ['m1', 'm2', 'm3']) expect(counts.get(id)).toBeGreaterThan(800);
    // The same seed always gets the same account; the sticky one still wins; a full pool gives the best.
    const seeded = { seed: 'enrollment-7', band: 25 };
    expect(pickSender(pool, undefined, seeded)?.id).toBe(pickSender(pool, undefined, seeded)?.id);
    expect(pickSender(pool, 'm4', seeded)?.id).toBe('m4');
    expect(
      pickSender(
        [
          { id: 'x', remaining: 0 },
          { id: 'y', remaining: 0 },
        ],
        undefined,
        seeded,
      )?.id,
    ).toBe('x');
  });

  it('returns null without candidates', () => {
    expect(pickSender([], 'a')).toBeNull();
  });
});

describe('recipientDomain', () => {
  it.each([
    ['Jane@Acme.COM', 'acme.com'],
    ['"odd@name"@example.org', 'example.org'],
    ['no-at-sign', undefined],
    ['trailing@', undefined],
  ])('%s → %s', (email, domain) => {
    expect(recipientDomain(email)).toBe(domain);
  });
});
