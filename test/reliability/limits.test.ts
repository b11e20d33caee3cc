// R-limits (issue 16): scheduled sends on a virtual clock over many accounts of several channels —
// email with daily and hourly caps and a minimum gap, WhatsApp with its per-second limit and
// messaging tier, SMS paced per number (Twilio, segments a second) — inside sending windows, run
// by several workers whose clocks are each off by up to ±2 s (one world clock, each worker's own
// view of it). The real reservation SQL (qh_claim_steps) and the real pacing statement decide;
// afterwards every recorded send is checked against every limit from the database. Limits are
// checked on the instants the workers recorded (reserved_at for the caps the reservation holds,
// sent_at for pacing), which is what the account's lock orders; windows in the contact's zone.
// The run is bound by virtual time (the caps), so the accounts grow with the count asked for: units
// of 3 email + 2 WhatsApp + 2 SMS accounts, up to 4 units a workspace, enough for any count to be
// sent in about 4 virtual days. CI runs 600 sends (2 workspaces of 1 unit); `npm run battery`
// (QUOTAHIT_BATTERY=1) runs QUOTAHIT_LIMITS_SENDS (default 1,000,000) and prints the figures.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import type { Clock } from '../../src/engine/clock.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { startFakeHttpProvider, type FakeHttpProvider } from '../fakes/httpProvider.ts';
import { FakeTwilio } from '../fakes/twilio.ts';
import { world, type World } from '../support/world.ts';

const BATTERY = process.env.QUOTAHIT_BATTERY === '1';
const SENDS = Number(process.env.QUOTAHIT_LIMITS_SENDS ?? (BATTERY ? 1_000_000 : 600));
const SEED = 'r-limits-1';
const WORKERS = 3;
/**
 * Runs each worker has in flight at once, as many as a worker process runs by default
 * (QUOTAHIT_WORKER_CONCURRENCY, 32): the accounts' locks are contended as in production. (8 lanes
 * sent 15,000 in 247 s, 24 in 225 s, 32 in 226 s: docs/reliability.md.)
 */
const LANES = Number(process.env.QUOTAHIT_LIMITS_LANES ?? 32);
const SKEW_MS = 2000;

const report = (name: string, value: unknown) => console.log(`[battery] R-limits ${name}: ${JSON.stringify(value)}`);

let http: FakeHttpProvider;
let twilio: FakeTwilio;
beforeAll(async () => {
  http = await startFakeHttpProvider();
  twilio = await new FakeTwilio().start();
});
afterAll(async () => {
  await http.close();
  await twilio.close();
});

const EMAIL = { dailyLimit: 20, hourlyLimit: 5, minGapSeconds: 60, warmup: null };
const WHATSAPP = { dailyLimit: 80, hourlyLimit: null, minGapSeconds: 0, warmup: null, perSecondLimit: 4 };
const SMS = { dailyLimit: 50, hourlyLimit: null, minGapSeconds: 0, warmup: null, segmentsPerSecond: 2 };
const WINDOWS = {
  email: {
    timezone: 'UTC',
    days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    start: '09:00',
    end: '17:00',
    jitterSeconds: 900,
  },
  whatsapp: {
    timezone: 'UTC',
    days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
    start: '08:00',
    end: '20:00',
    jitterSeconds: 60,
  },
  sms: { timezone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '10:00', end: '18:30', jitterSeconds: 60 },
} as const;
const ZONES = ['UTC', 'America/New_York', 'Europe/Warsaw', 'Asia/Kolkata'];
const ACCOUNTS = { email: 3, whatsapp: 2, sms: 2 } as const;
/** How many steps of a channel a workspace keeps waiting: enough that every limit binds, few enough to stay cheap. */
const BACKLOG = { email: 12, whatsapp: 30, sms: 24 } as const;
type Kind = keyof typeof ACCOUNTS;
const KINDS = Object.keys(ACCOUNTS) as Kind[];

/** What one unit's accounts may send in a weekday: 3 × 20 + 2 × 80 + 2 × 50 = 320. */
const UNIT_PER_DAY =
  ACCOUNTS.email * EMAIL.dailyLimit + ACCOUNTS.whatsapp * WHATSAPP.dailyLimit + ACCOUNTS.sms * SMS.dailyLimit;
/**
 * Units sized for 3 full days of caps: the channels drain at their own pace and the last sends
 * trail into the 4th day. At least 2 units, so the CI size keeps its 2 workspaces of 1 unit.
 */
const UNITS = Math.max(2, Math.ceil(SENDS / (UNIT_PER_DAY * 3)));
const UNITS_PER_WORKSPACE = 4;
const WORKSPACES = Math.max(2, Math.ceil(UNITS / UNITS_PER_WORKSPACE));
/** Units of workspace n: the units spread evenly, the first workspaces taking one more. */
const unitsOf = (n: number) => Math.floor(UNITS / WORKSPACES) + (n < UNITS % WORKSPACES ? 1 : 0);

/** A workspace's accounts (its units') and one-step sequences, one per channel, each with its window. */
async function setUp(w: World, n: number) {
  const units = unitsOf(n);
  for (let i = 0; i < ACCOUNTS.email * units; i++)
    await w.ok('POST', '/v1/senders', {
      channel: 'email',
      provider: 'http',
      fromEmail: `seller${i}@ws${n}.example.com`,
      fromName: 'Sam Seller',
      credentials: { url: http.url },
      ...EMAIL,
    });
  for (let i = 0; i < ACCOUNTS.whatsapp * units; i++)
    await w.ok('POST', '/v1/senders', {
      channel: 'whatsapp',
      provider: 'http',
      fromPhone: accountPhone('+4478', n, i, 8),
      credentials: { url: http.url },
      messagingTier: 1000,
      ...WHATSAPP,
    });
  for (let i = 0; i < ACCOUNTS.sms * units; i++) {
    const { segmentsPerSecond, ...caps } = SMS;
    await w.ok('POST', '/v1/senders', {
      channel: 'sms',
      provider: 'twilio',
      fromPhone: accountPhone('+1500', n, i, 7),
      credentials: { ...twilio.account(), baseUrl: twilio.url, segmentsPerSecond },
      ...caps,
    });
  }
  const sequences = {} as Record<Kind, string>;
  for (const kind of KINDS)
    sequences[kind] = await w.sequence({
      name: `${kind} wave`,
      steps: [{ day: 0, channel: kind, template: 'intro' }],
      schedule: WINDOWS[kind],
    });
  return { w, n, units, sequences };
}
type Plan = Awaited<ReturnType<typeof setUp>>;

/** Each worker's own view of the world's clock: off by a fixed amount within ±SKEW_MS. */
function skewedClocks(base: Clock, random: () => number): { clocks: Clock[]; skews: number[] } {
  const skews = Array.from({ length: WORKERS }, (_, i) =>
    i === 0 ? -SKEW_MS : i === 1 ? SKEW_MS : Math.round((random() * 2 - 1) * SKEW_MS),
  );
  return { skews, clocks: skews.map((skew) => ({ now: () => new Date(base.now().getTime() + skew) })) };
}

describe('R-limits: caps, gaps, per-second limits and windows under skewed workers', () => {
  it(
    `sends ${SENDS} scheduled messages with 0 cap or window violations`,
    async () => {
      const started = performance.now();
      const random = seededRandom(SEED);
      const first = await world({
        start: new Date('2026-03-02T00:00:00Z'),
        publicUrl: 'https://quotahit.example',
        poolSize: Number(process.env.QUOTAHIT_LIMITS_POOL ?? 12),
      });
      const spaces: World[] = [first];
      for (const i of range(WORKSPACES - 1)) spaces.push(await first.workspace(`ws${i + 1}`));
      const plans: Plan[] = [];
      for (const [n, w] of spaces.entries()) plans.push(await setUp(w, n));
      const { clocks, skews } = skewedClocks(first.clock, random);
      // Each worker starts its due batches at its own seeded draw (as independent processes would).
      const workers = clocks.map((clock, i) => ({
        engine: first.worker(clock),
        start: seededRandom(`${SEED}-worker-${i}`),
      }));
      const state = { enrolled: 0, rounds: 0 };
      // Hour by hour: top each workspace's waiting steps up to its backlog, then run the workers.
      let hours = 0;
      while (state.enrolled < SENDS || (await waiting(first)) > 0) {
        if (state.enrolled < SENDS) await topUp(first, plans, state, random);
        state.rounds += await runHour(first, workers, random);
        await vacuum(first);
        // Long runs say how far they are each virtual day (the wall-clock rate, for projections).
        if (SENDS > 600 && ++hours % 24 === 0)
          report('progress', {
            virtualDay: hours / 24,
            enrolled: state.enrolled,
            waiting: await waiting(first),
            rounds: state.rounds,
            seconds: Math.round((performance.now() - started) / 1000),
          });
      }
      const seconds = Math.round((performance.now() - started) / 1000);
      const checked = await checkLimits(first);
      const days = Math.ceil((first.clock.now().getTime() - Date.parse('2026-03-02T00:00:00Z')) / 86_400_000);
      report('run', {
        scheduled: SENDS,
        sent: checked.sent,
        workspaces: WORKSPACES,
        units: UNITS,
        accounts: UNITS * (ACCOUNTS.email + ACCOUNTS.whatsapp + ACCOUNTS.sms),
        workers: WORKERS,
        lanes: LANES,
        skewsMs: skews,
        virtualDays: days,
        rounds: state.rounds,
        seconds,
        checkSeconds: Math.round((performance.now() - started) / 1000) - seconds,
        sendsPerSecond: Math.round((checked.sent / Math.max(1, seconds)) * 10) / 10,
        seed: SEED,
      });
      for (const line of checked.lines) report(line.limit, line);
      expect(checked.sent).toBe(SENDS);
      expect(checked.lines.filter((l) => l.violations > 0)).toEqual([]);
    },
    BATTERY || SENDS > 600 ? 24 * 3600_000 : 240_000,
  );
});

/**
 * Enrolls new contacts so each workspace has its backlog of each channel (per unit) waiting, never
 * past SENDS. The waiting steps of every sequence are counted in one statement, not one per sequence.
 */
async function topUp(first: World, plans: Plan[], state: { enrolled: number }, random: () => number): Promise<void> {
  const active = await first.db.system(
    async (sql) =>
      (
        await sql.query<{ id: string; n: number }>(
          `SELECT sequence_id AS id, count(*)::int AS n FROM enrollments WHERE ${WAITING} GROUP BY sequence_id`,
        )
      ).rows,
  );
  const waitingOf = new Map(active.map((r: { id: string; n: number }) => [r.id, r.n]));
  // Drawn in order (the seed decides), enrolled concurrently.
  const batches: { plan: Plan; kind: Kind; contacts: ReturnType<typeof contactFor>[] }[] = [];
  let drawn = state.enrolled;
  for (const plan of plans)
    for (const kind of KINDS) {
      const backlog = BACKLOG[kind] * plan.units;
      const count = Math.min(backlog - (waitingOf.get(plan.sequences[kind]) ?? 0), SENDS - drawn);
      if (count <= 0) continue;
      batches.push({ plan, kind, contacts: range(count).map((i) => contactFor(kind, drawn + i, random)) });
      drawn += count;
    }
  const enrolled = await Promise.all(batches.map((batch) => enrollBatch(batch.plan, batch.kind, batch.contacts)));
  state.enrolled += enrolled.reduce((sum, n) => sum + n, 0);
}

/** New contacts of a channel, enrolled in the workspace's sequence of that channel: how many. */
async function enrollBatch(plan: Plan, kind: Kind, contacts: ReturnType<typeof contactFor>[]): Promise<number> {
  await plan.w.ok('POST', '/v1/contacts', { contacts });
  const keys = contacts.map((c) => ('email' in c ? c.email : c.phone));
  const ids = await plan.w.row<{ id: string }>(
    kind === 'email'
      ? 'SELECT id FROM contacts WHERE email = ANY($1)'
      : 'SELECT id FROM contacts WHERE phone = ANY($1)',
    [keys],
  );
  // Every new person was taken (a rejected row would quietly shrink the run).
  expect(ids.length).toBe(contacts.length);
  const result = await plan.w.enroll(
    plan.sequences[kind],
    ids.map((r) => r.id),
  );
  expect(result.skipped).toEqual([]);
  return result.enrolled.length;
}

/**
 * One virtual hour: each round moves the world's clock on (to the next due step when nothing is
 * due sooner, by up to a skew either side of it) and runs every worker at once on its own view.
 */
async function runHour(
  first: World,
  workers: { engine: Engine; start: () => number }[],
  random: () => number,
): Promise<number> {
  const end = first.clock.now().getTime() + 3600_000;
  let rounds = 0;
  for (;;) {
    const [next] = await first.db.system(
      async (sql) =>
        (await sql.query<{ at: Date | null }>(`SELECT min(next_run_at) AS at FROM enrollments WHERE ${WAITING}`)).rows,
    );
    const now = first.clock.now().getTime();
    const due = next?.at ? next.at.getTime() + (random() * 2 - 1) * SKEW_MS : Infinity;
    const at = Math.max(now + 200 + random() * 800, due);
    if (at >= end) {
      first.clock.set(new Date(end));
      return rounds;
    }
    first.clock.set(new Date(at));
    await Promise.all(workers.map((worker) => worker.engine.tick({ concurrency: LANES, start: worker.start })));
    rounds++;
  }
}

/**
 * What autovacuum does on a production server, once a virtual hour: the test servers may run with
 * it off (the CI's PostgreSQL does), and the steps' updates leave dead rows in the due index that
 * every worker's due query would walk again (a 100,000 run slowed from 50 to 17 sends/s by its 16th
 * virtual hour without it).
 */
async function vacuum(first: World): Promise<void> {
  await first.db.pool.query('VACUUM (ANALYZE) enrollments, messages, sender_usage, contacts, senders');
}

async function waiting(first: World): Promise<number> {
  const [row] = await first.db.system(
    async (sql) => (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM enrollments WHERE ${WAITING}`)).rows,
  );
  return row?.n ?? 0;
}

/**
 * A waiting step: an active enrollment with its next run set, which PostgreSQL answers from the
 * engine's due index (enrollments_due), so a million finished enrollments are not scanned every round.
 */
const WAITING = "status = 'active' AND next_run_at IS NOT NULL";

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * An account's number, unique across the workspaces: a valid number of the prefix's plan however
 * many workspaces there are (the workspace's number once went into the digits, and from the 10th
 * workspace on the numbers were too long to be valid).
 */
function accountPhone(prefix: string, n: number, i: number, digits: number): string {
  return `${prefix}${String(5_550_000 + n * 100 + i).padStart(digits, '0')}`;
}

/** A new person for a channel (unique within the run), in one of several zones: a valid UK mobile number. */
function contactFor(kind: Kind, i: number, random: () => number) {
  const timezone = ZONES[Math.floor(random() * ZONES.length)] ?? 'UTC';
  if (kind === 'email') return { email: `p${i}@d${i % 997}.example.org`, firstName: `P${i}`, timezone };
  return {
    phone: `+4479${String(i).padStart(8, '0')}`,
    firstName: `P${i}`,
    timezone,
    smsOptIn: true,
    whatsappOptIn: true,
  };
}

type Sent = {
  senderId: string;
  channel: Kind;
  reservedAt: Date;
  sentAt: Date | null;
  recipient: string;
  zone: string;
  sequenceId: string;
};
type Account = {
  id: string;
  channel: Kind;
  dailyLimit: number;
  hourlyLimit: number | null;
  minGapSeconds: number;
  perSecondLimit: number;
  messagingTier: number | null;
  timezone: string;
};
type Line = { limit: string; accounts: number; allowed: number | string; maxObserved: number; violations: number };

/** Every recorded send against every limit, computed here from the rows alone. */
async function checkLimits(first: World): Promise<{ sent: number; lines: Line[] }> {
  const { sends, accounts, windows } = await first.db.system(async (sql) => ({
    sends: (
      await sql.query<Sent>(
        `SELECT m.sender_id AS "senderId", m.channel, m.reserved_at AS "reservedAt", m.sent_at AS "sentAt",
                m.recipient, coalesce(c.timezone, 'UTC') AS zone, m.sequence_id AS "sequenceId"
           FROM messages m JOIN contacts c ON c.id = m.contact_id
          WHERE m.status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown')
          ORDER BY m.reserved_at, m.id`,
      )
    ).rows,
    accounts: (
      await sql.query<Account>(
        `SELECT id, channel, daily_limit AS "dailyLimit", hourly_limit AS "hourlyLimit",
                min_gap_seconds AS "minGapSeconds", per_second_limit AS "perSecondLimit",
                messaging_tier AS "messagingTier", timezone FROM senders`,
      )
    ).rows,
    windows: (await sql.query<{ id: string; schedule: WindowRule }>('SELECT id, schedule FROM sequences')).rows,
  }));
  // Linear in the sends: one pass groups them by account (a copied array per send was quadratic).
  const bySender = new Map<string, Sent[]>();
  for (const s of sends) {
    const mine = bySender.get(s.senderId);
    if (mine) mine.push(s);
    else bySender.set(s.senderId, [s]);
  }
  const accountsOf = { email: 0, whatsapp: 0, sms: 0 } as Record<Kind, number>;
  for (const a of accounts) accountsOf[a.channel]++;
  const lines = new Map<string, Line>();
  const add = (limit: string, allowed: number | string, observed: number, over: number) => {
    const line = lines.get(limit) ?? { limit, accounts: 0, allowed, maxObserved: 0, violations: 0 };
    lines.set(limit, {
      ...line,
      accounts: line.accounts + 1,
      maxObserved: Math.max(line.maxObserved, observed),
      violations: line.violations + over,
    });
  };
  for (const a of accounts) {
    const mine = bySender.get(a.id) ?? [];
    const at = mine.map((s) => s.reservedAt.getTime());
    const zone = (t: number) => DateTime.fromMillis(t, { zone: a.timezone });
    const perDay = buckets(at, (t) => zone(t).toISODate() ?? '');
    add(`${a.channel} daily cap`, a.dailyLimit, perDay.max, perDay.over(a.dailyLimit));
    if (a.hourlyLimit !== null) {
      const perHour = buckets(at, (t) => zone(t).toFormat('yyyy-MM-dd HH'));
      add(`${a.channel} hourly cap`, a.hourlyLimit, perHour.max, perHour.over(a.hourlyLimit));
    }
    if (a.minGapSeconds > 0) {
      const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
      const least = gaps.reduce((m, g) => Math.min(m, g), Infinity) / 1000;
      add(
        `${a.channel} min gap (s, least observed)`,
        a.minGapSeconds,
        least,
        gaps.filter((g) => g < a.minGapSeconds * 1000).length,
      );
    }
    if (a.channel === 'whatsapp') {
      const second = sliding(at, 1000);
      add('whatsapp per second', a.perSecondLimit, second.max, second.over(a.perSecondLimit));
      const reached = firstReach(mine);
      const day = sliding(reached, 86_400_000);
      add(
        'whatsapp tier (new people per 24 h)',
        a.messagingTier ?? 'unlimited',
        day.max,
        a.messagingTier === null ? 0 : day.over(a.messagingTier),
      );
    }
    if (a.channel === 'sms') {
      const sentAt = mine.map((s) => s.sentAt?.getTime() ?? 0).sort((x, y) => x - y);
      const second = sliding(sentAt, 1000);
      add('sms per second (Twilio pace)', SMS.segmentsPerSecond, second.max, second.over(SMS.segmentsPerSecond));
    }
  }
  const rules = new Map(windows.map((w) => [w.id, w.schedule]));
  const tally = { email: [0, 0], whatsapp: [0, 0], sms: [0, 0] } as Record<Kind, [number, number]>;
  for (const s of sends) {
    const rule = rules.get(s.sequenceId);
    const out = !rule || !inside(s.reservedAt, rule, s.zone) || (s.sentAt !== null && !inside(s.sentAt, rule, s.zone));
    tally[s.channel][out ? 1 : 0]++;
  }
  for (const kind of KINDS)
    lines.set(`${kind} window`, {
      limit: `${kind} window`,
      accounts: accountsOf[kind],
      allowed: `${WINDOWS[kind].start}–${WINDOWS[kind].end} local`,
      maxObserved: tally[kind][0],
      violations: tally[kind][1],
    });
  return { sent: sends.length, lines: [...lines.values()] };
}

type WindowRule = { days: string[]; start: string; end: string };
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function inside(at: Date, rule: WindowRule, zone: string): boolean {
  const local = DateTime.fromJSDate(at, { zone });
  const clock = local.toFormat('HH:mm');
  return rule.days.includes(WEEKDAYS[local.weekday - 1] ?? '') && clock >= rule.start && clock < rule.end;
}

/** The most in one bucket, and how many buckets hold more than a limit allows (by how many). */
function buckets(times: number[], key: (t: number) => string) {
  const counts = new Map<string, number>();
  for (const t of times) {
    const k = key(t);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const values = [...counts.values()];
  return {
    max: values.reduce((m, n) => Math.max(m, n), 0),
    over: (limit: number) => values.reduce((sum, n) => sum + Math.max(0, n - limit), 0),
  };
}

/** The most sends in any window (t - span, t] over sorted instants, and the sends past a limit. */
function sliding(sorted: number[], span: number) {
  let max = 0;
  let from = 0;
  const counts: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    while ((sorted[i] ?? 0) - (sorted[from] ?? 0) >= span) from++;
    counts.push(i - from + 1);
    max = Math.max(max, i - from + 1);
  }
  return { max, over: (limit: number) => counts.filter((n) => n > limit).length };
}

/** When each person was first written to by this account (a new conversation in the tier's count). */
function firstReach(sends: Sent[]): number[] {
  const first = new Map<string, number>();
  for (const s of sends) if (!first.has(s.recipient)) first.set(s.recipient, s.reservedAt.getTime());
  return [...first.values()].sort((x, y) => x - y);
}
