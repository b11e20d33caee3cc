// R-provider (issue 16): providers that misbehave — 429 with Retry-After, 5xx, a timeout after the
// request was accepted, a connection reset, SMTP 421/451/550 — against the local fakes with
// injected faults (test/fakes/faults.ts), the engine on the world's manual clock. Transient faults
// are retried with back-off, never earlier than Retry-After says, and never end a message while
// retries remain; permanent ones fail it with a clear reason; a timeout after accept is resent
// under the same idempotency key where the provider keeps one (and counted once at the fake), and
// is `unknown`, never resent, where it keeps none. Figures: requests per fault kind, and the p99
// extra delay (virtual time) against the same run without faults.
// CI runs a few dozen messages per provider; `npm run battery` (QUOTAHIT_BATTERY=1) runs more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSmtpTransports } from '../../src/channels/smtp/transports.ts';
import { startSmtpServer, type LocalSmtp } from '../channels/support/smtpServer.ts';
import type { LocalDns } from '../channels/support/dnsServer.ts';
import {
  emailSequence,
  emailWorld,
  NO_CAPS,
  resendAccount,
  smtpAccount,
  startDnsServer,
  zone,
} from '../engine/emailSupport.ts';
import { FaultPlan, type Fault } from '../fakes/faults.ts';
import { startFakeHttpProvider } from '../fakes/httpProvider.ts';
import { FakeResend } from '../fakes/resend.ts';
import { FakeTwilio } from '../fakes/twilio.ts';
import { ALWAYS_OPEN, instant, world, type World } from '../support/world.ts';

const BATTERY = process.env.QUOTAHIT_BATTERY === '1';
const MESSAGES = Number(process.env.QUOTAHIT_PROVIDER_MESSAGES ?? (BATTERY ? 400 : 30));
const TRACE = process.env.QUOTAHIT_PROVIDER_TRACE === '1';
/** Resend's own run: a dozen in CI, the battery's count in the battery. */
const RESEND_MESSAGES = BATTERY ? MESSAGES : 12;
/**
 * Resend's recipients, spread over ten domains: the engine sends at most 50 emails a day to one
 * domain, and 400 to globex.example alone took 8 virtual days (577,200 s), which measured the cap.
 */
const RESEND_DOMAINS = Array.from({ length: 10 }, (_, i) => `d${i}.globex.example`);
/** A test's limit: the battery's runs are long on a loaded machine (the Twilio one took ~5 s a round before 081). */
const LIMIT_MS = BATTERY ? 1_800_000 : 180_000;
const SEED = 'r-provider-1';
const FAULT_RATE = 0.35;
/** The engine's send timeout: long enough that a loaded machine never hits it by accident. */
const SEND_TIMEOUT_MS = 3000;

const TRANSIENT: readonly Fault[] = [
  { kind: 'rate_limited', retryAfterSeconds: 1 },
  { kind: 'rate_limited', retryAfterSeconds: 37 },
  { kind: 'rate_limited', retryAfterSeconds: 600 },
  { kind: 'server_error', status: 500 },
  { kind: 'server_error', status: 503 },
  { kind: 'reset' },
];
const TIMEOUT: Fault = { kind: 'timeout_after_accept' };

const report = (name: string, value: unknown) => console.log(`[battery] R-provider ${name}: ${JSON.stringify(value)}`);

/** What a run cost: rounds of runAll, enrollment runs, virtual time reached, wall time. */
type RunStats = { rounds: number; runs: number; virtualS: number; wallS: number };

/**
 * Runs the engine at each instant a step is due until nothing is left waiting (bounded). With
 * QUOTAHIT_PROVIDER_TRACE=1 it prints each round: the virtual time, how many wait, the tick's wall time.
 */
async function runAll(w: World): Promise<RunStats> {
  const wallStart = Date.now();
  const virtualStart = w.clock.now().getTime();
  let runs = await w.engine.tick();
  const stats = (rounds: number): RunStats => ({
    rounds,
    runs,
    virtualS: (w.clock.now().getTime() - virtualStart) / 1000,
    wallS: (Date.now() - wallStart) / 1000,
  });
  for (let round = 0; round < 10_000; round++) {
    const [next] = await w.row<{ at: Date | null; waiting: number }>(
      `SELECT min(next_run_at) AS at, count(*)::int AS waiting FROM enrollments WHERE status = 'active'`,
    );
    if (!next?.at) return stats(round);
    w.clock.set(new Date(Math.max(next.at.getTime(), w.clock.now().getTime())));
    const tickStart = Date.now();
    const ran = await w.engine.tick();
    runs += ran;
    if (TRACE)
      console.log(
        `[trace] round ${round} virtual ${w.clock.now().toISOString()} waiting ${next.waiting} ran ${ran} tick ${Date.now() - tickStart} ms`,
      );
  }
  throw new Error(`steps still waiting after 10,000 rounds: ${JSON.stringify(stats(10_000))}`);
}

type Row = { id: string; contactId: string; status: string; error: string | null; sentAt: Date | null };
const rowsOf = (w: World) =>
  w.row<Row>(
    `SELECT id, contact_id AS "contactId", status, error, sent_at AS "sentAt" FROM messages ORDER BY contact_id`,
  );

/** Every request after a 429 for the same message came no sooner than its Retry-After said. */
function earlyRetries(plan: FaultPlan): number {
  let early = 0;
  plan.log.forEach((entry, i) => {
    if (entry.fault?.kind !== 'rate_limited') return;
    const next = plan.log.slice(i + 1).find((later) => later.key === entry.key);
    if (next && next.at < entry.at + entry.fault.retryAfterSeconds * 1000) early++;
  });
  return early;
}

/** The 99th percentile of the extra virtual time each message took to go out (ms). */
function p99(extra: number[]): number {
  const sorted = [...extra].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? 0;
}

const people = (n: number, phone = false) =>
  Array.from({ length: n }, (_, i) => ({
    firstName: `P${i}`,
    timezone: 'UTC',
    ...(phone ? { phone: `+4479${String(1_000_000 + i).padStart(8, '0')}`, smsOptIn: true } : {}),
    ...(phone ? {} : { email: `p${i}@co${i}.example.com` }),
  }));

describe('R-provider: an idempotent provider (the HTTP channel)', () => {
  /** One run: every message through the fake with this plan; how long each took after the start (virtual ms). */
  async function run(plan: FaultPlan | undefined) {
    const w = await world({ sendTimeoutMs: SEND_TIMEOUT_MS });
    const faults = plan ?? new FaultPlan();
    const fake = await startFakeHttpProvider({ faults });
    faults.clock = () => w.clock.now().getTime();
    await w.ok('POST', '/v1/senders', {
      channel: 'email',
      provider: 'http',
      fromEmail: 'sam@ours.example.com',
      fromName: 'Sam Seller',
      credentials: { url: fake.url },
      ...NO_CAPS,
    });
    const ids = await w.contacts(people(MESSAGES));
    await w.enroll(await w.sequence(instant([{ channel: 'email', template: 'intro' }])), ids);
    const start = w.clock.now().getTime();
    const stats = await runAll(w);
    const rows = await rowsOf(w);
    await fake.close();
    return { w, fake, rows, stats, delays: rows.map((r) => (r.sentAt?.getTime() ?? Infinity) - start) };
  }

  it(
    'retries transient faults after Retry-After, resends a timed-out request under its key once',
    async () => {
      const plan = new FaultPlan().seeded(SEED, FAULT_RATE, [...TRANSIENT, TIMEOUT]);
      const faulty = await run(plan);
      const clean = await run(undefined);
      // Every message went out, once at the provider, under its own id as the key.
      expect(faulty.rows.map((r) => r.status)).toEqual(faulty.rows.map(() => 'sent'));
      expect(faulty.fake.deliveries.map((d) => d.key).sort()).toEqual(faulty.rows.map((r) => r.id).sort());
      expect(earlyRetries(plan)).toBe(0);
      // Each request that timed out after being taken was sent again with the same key.
      const timedOut = plan.log.filter((e) => e.fault?.kind === 'timeout_after_accept');
      for (const entry of timedOut) expect(plan.log.filter((e) => e.key === entry.key).length).toBeGreaterThan(1);
      const extra = faulty.delays.map((d, i) => d - (clean.delays[i] ?? 0));
      report('http (idempotent) requests per fault', plan.counts());
      report('http (idempotent) p99 extra delay (virtual s)', {
        messages: MESSAGES,
        p99: p99(extra) / 1000,
        max: Math.max(...extra) / 1000,
        seed: SEED,
        rate: FAULT_RATE,
      });
      report('http (idempotent) run', { faulty: faulty.stats, clean: clean.stats });
      expect(timedOut.length).toBeGreaterThan(0);
    },
    LIMIT_MS,
  );
});

describe('R-provider: Resend (idempotency keys for 24 hours)', () => {
  it(
    'resends a timed-out request under the same key: Resend sends it once',
    async () => {
      const w = await emailWorld(dns, { sendTimeoutMs: SEND_TIMEOUT_MS });
      const resend = await new FakeResend().start();
      resend.faults = new FaultPlan(() => w.clock.now().getTime()).seeded(`${SEED}-resend`, FAULT_RATE, [
        ...TRANSIENT,
        TIMEOUT,
      ]);
      await resendAccount(w, resend);
      const ids = await w.contacts(
        Array.from({ length: RESEND_MESSAGES }, (_, i) => ({
          email: `r${i}@${RESEND_DOMAINS[i % RESEND_DOMAINS.length]}`,
          firstName: `R${i}`,
          timezone: 'UTC',
        })),
      );
      await w.enroll(await w.sequence(emailSequence(1)), ids);
      const start = w.clock.now().getTime();
      const stats = await runAll(w);
      const rows = await rowsOf(w);
      expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'sent'));
      expect(resend.emails.map((e) => e.idempotencyKey).sort()).toEqual(rows.map((r) => r.id).sort());
      expect(earlyRetries(resend.faults)).toBe(0);
      for (const entry of resend.faults.log.filter((e) => e.fault?.kind === 'timeout_after_accept'))
        expect(resend.faults.log.filter((e) => e.key === entry.key).length).toBeGreaterThan(1);
      report('resend (idempotent) requests per fault', resend.faults.counts());
      const delays = rows.map((r) => (r.sentAt?.getTime() ?? 0) - start);
      report('resend (idempotent) run', {
        messages: RESEND_MESSAGES,
        seed: `${SEED}-resend`,
        p99: p99(delays) / 1000,
        ...stats,
      });
      await resend.close();
    },
    LIMIT_MS,
  );
});

let twilio: FakeTwilio;
beforeAll(async () => {
  twilio = await new FakeTwilio().start();
});
afterAll(() => twilio.close());

describe('R-provider: a provider without idempotency keys (Twilio SMS)', () => {
  it(
    'retries transient faults; a timeout after accept is unknown and never sent again',
    async () => {
      const w = await world({ sendTimeoutMs: SEND_TIMEOUT_MS, publicUrl: 'https://quotahit.example' });
      const plan = new FaultPlan(() => w.clock.now().getTime()).seeded(SEED, FAULT_RATE, [...TRANSIENT, TIMEOUT]);
      twilio.faults = plan;
      await w.ok('POST', '/v1/senders', {
        channel: 'sms',
        provider: 'twilio',
        fromPhone: '+15005550006',
        credentials: { ...twilio.account(), baseUrl: twilio.url, segmentsPerSecond: 1000 },
        ...NO_CAPS,
      });
      const ids = await w.contacts(people(MESSAGES, true));
      await w.enroll(
        await w.sequence({
          name: 'sms',
          steps: [{ day: 0, channel: 'sms', template: 'intro' }],
          schedule: ALWAYS_OPEN,
        }),
        ids,
      );
      const start = w.clock.now().getTime();
      const stats = await runAll(w);
      const rows = await rowsOf(w);
      const phones = await w.row<{ id: string; phone: string }>('SELECT id, phone FROM contacts');
      const phoneOf = new Map(phones.map((p) => [p.id, p.phone]));
      const timedOut = new Set(plan.log.filter((e) => e.fault?.kind === 'timeout_after_accept').map((e) => e.key));
      expect(timedOut.size).toBeGreaterThan(0);
      for (const row of rows) {
        const phone = phoneOf.get(row.contactId) ?? '';
        const taken = twilio.messages.filter((m) => m.to === phone);
        // Whatever happened, Twilio took the text at most once.
        expect(taken.length, phone).toBeLessThanOrEqual(1);
        if (timedOut.has(phone)) {
          expect(row.status).toBe('unknown');
          expect(row.error).toMatch(/did not answer in time/);
          // Nothing was asked of Twilio for that person after the timeout.
          const last = plan.log.filter((e) => e.key === phone).pop();
          expect(last?.fault?.kind).toBe('timeout_after_accept');
        } else {
          expect(row.status).toBe('sent');
          expect(taken).toHaveLength(1);
        }
      }
      expect(earlyRetries(plan)).toBe(0);
      const delays = rows.filter((r) => r.sentAt).map((r) => (r.sentAt?.getTime() ?? 0) - start);
      report('twilio (no idempotency) requests per fault', plan.counts());
      report('twilio (no idempotency) p99 extra delay (virtual s)', {
        messages: MESSAGES,
        unknown: rows.filter((r) => r.status === 'unknown').length,
        p99: p99(delays) / 1000,
        seed: SEED,
      });
      report('twilio (no idempotency) run', stats);
    },
    LIMIT_MS,
  );
});

let smtp: LocalSmtp;
let dns: LocalDns;
const smtpFaults = new FaultPlan();
beforeAll(async () => {
  smtp = await startSmtpServer({ users: { 'sam@acme.example': 'app-password' }, faults: smtpFaults });
  const mx = (domain: string) => ({ MX: [{ exchange: `mx.${domain}`, priority: 10 }] });
  dns = await startDnsServer({ ...zone(), ...Object.fromEntries(RESEND_DOMAINS.map((d) => [d, mx(d)])) });
});
afterAll(async () => {
  closeSmtpTransports();
  await smtp.close();
  await dns.close();
});

describe('R-provider: SMTP replies 421, 451 and 550 from a real server on loopback', () => {
  it('retries 421/451 with back-off until accepted; 550 fails or bounces with the reason', async () => {
    const w = await emailWorld(dns);
    smtpFaults.clock = () => w.clock.now().getTime();
    await w.ok('POST', '/v1/senders', smtpAccount(smtp));
    const reply = (code: number, text: string): Fault => ({ kind: 'smtp_reply', code, text });
    smtpFaults
      .forKey('a@globex.example', reply(421, '4.3.2 Service shutting down'))
      .forKey('b@globex.example', reply(451, '4.7.1 Greylisted, try again'), reply(451, '4.7.1 Greylisted'))
      .forKey('c@initech.example', reply(550, '5.7.1 Message refused by policy'))
      .forKey('d@initech.example', reply(550, '5.1.1 User unknown'));
    const ids = await w.contacts(
      ['a@globex.example', 'b@globex.example', 'c@initech.example', 'd@initech.example'].map((email) => ({
        email,
        firstName: email[0]?.toUpperCase(),
        timezone: 'UTC',
      })),
    );
    await w.enroll(await w.sequence(emailSequence(1)), ids);
    const start = w.clock.now().getTime();
    await runAll(w);
    const rows = await w.row<{ email: string; status: string; error: string | null; sentAt: Date | null }>(
      `SELECT c.email, m.status, m.error, m.sent_at AS "sentAt" FROM messages m JOIN contacts c ON c.id = m.contact_id
        ORDER BY c.email`,
    );
    expect(rows.map((r) => [r.email, r.status])).toEqual([
      ['a@globex.example', 'sent'],
      ['b@globex.example', 'sent'],
      ['c@initech.example', 'failed'],
      ['d@initech.example', 'bounced'],
    ]);
    expect(rows[2]?.error).toMatch(/^rejected: SMTP 550: .*5\.7\.1 Message refused by policy/);
    // Back-off: each retry of a temporary refusal waited (5 minutes, then 10).
    const tries = (key: string) => smtpFaults.log.filter((e) => e.key === key).map((e) => (e.at - start) / 1000);
    expect(tries('a@globex.example')).toEqual([0, 300]);
    expect(tries('b@globex.example')).toEqual([0, 300, 900]);
    expect(smtp.messages.map((m) => m.to).sort()).toEqual([['a@globex.example'], ['b@globex.example']]);
    report('smtp requests per reply', {
      ...smtpFaults.counts(),
      extraDelaySeconds: Object.fromEntries(
        rows.map((r) => [r.email, r.sentAt ? (r.sentAt.getTime() - start) / 1000 : null]),
      ),
    });
  }, 120_000);
});
