// R-webhooks (issue 16): provider webhooks — a seeded ground truth of events per message (Resend:
// delivered, opened, clicked, bounced, failed; Twilio: delivered, failed, replies), 25 % of them
// delivered twice, shuffled — posted through 4 real `quotahit start` processes (API and worker)
// at once, one of them killed with SIGKILL mid-stream: what it had not acknowledged is posted again
// to another, as a provider retries a connection error. Meanwhile this process's engine ticks the
// sequences' next steps. Then the database must equal the ground truth exactly (message statuses,
// events per type, replies, enrollment stops, suppressions), and no tick may have sent a step for
// an enrollment whose reply was already recorded when the tick began.
// CI posts about 1,000 events; QUOTAHIT_BATTERY=1 about 10,000.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { freePort } from '../../src/db/embedded.ts';
import type { LocalDns } from '../channels/support/dnsServer.ts';
import { emailWorld, PUBLIC_URL, RESEND_WEBHOOK_SECRET, startDnsServer, zone } from '../engine/emailSupport.ts';
import { FakeResend } from '../fakes/resend.ts';
import { postWebhook, resendWebhook, twilioWebhook, type SignedWebhook } from '../fakes/signedWebhook.ts';
import { FakeTwilio } from '../fakes/twilio.ts';
import { cliEnv } from '../support/harness.ts';
import { startCli, type Server } from '../support/processes.ts';
import { ALWAYS_OPEN } from '../support/world.ts';

const BATTERY = process.env.QUOTAHIT_BATTERY === '1';
/** QUOTAHIT_WEBHOOK_EVENTS sets any size (the battery's 10,000 takes about an hour on a busy 2-core machine). */
const TARGET_EVENTS = Number(process.env.QUOTAHIT_WEBHOOK_EVENTS ?? (BATTERY ? 10_000 : 1_000));
/**
 * SMS go out one per tick on a manual clock (Twilio pacing), so most messages are email; the
 * ground truth's mix averages about 1.66 events per email and 1.3 per SMS.
 */
const SMS_MESSAGES = BATTERY ? 200 : 60;
const EMAIL_MESSAGES = Math.ceil((TARGET_EVENTS / 1.25 - SMS_MESSAGES * 1.3) / 1.66);
const MESSAGES = SMS_MESSAGES + EMAIL_MESSAGES;
const INGESTERS = 4;
const IN_FLIGHT = 4;
const SEED = 'r-webhooks';
/**
 * Recipient domains: each takes at most DEFAULT_DOMAIN_DAILY_CAP (50) emails a day from one
 * workspace, and every first step must go out on day 0 (the battery's ~4,700 held 2,000 back a day).
 */
const DOMAINS = Math.max(50, Math.ceil(EMAIL_MESSAGES / 40));
const DAY = 86_400_000;
/** In the future of the real clock: the ingesters' own workers never find these steps due. */
const START = new Date('2027-03-01T09:00:00Z');
const CAPS = { dailyLimit: 100_000, hourlyLimit: null, minGapSeconds: 0, warmup: null };
const REPLY = 'Sounds interesting, tell me more about the pricing.';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Expected = {
  status: string;
  types: string[];
  reply: boolean;
  stop: string | null;
  suppression: string | null;
};
type Event = { hook: SignedWebhook; key: string };

let dns: LocalDns;
let resend: FakeResend;
let twilio: FakeTwilio;
beforeAll(async () => {
  const domains = Object.fromEntries(
    Array.from({ length: DOMAINS }, (_, i) => [
      `co${i}.example`,
      { MX: [{ exchange: `mx.co${i}.example`, priority: 10 }] },
    ]),
  );
  dns = await startDnsServer({ ...zone(), ...domains });
  resend = await new FakeResend().start();
  twilio = await new FakeTwilio().start();
});
afterAll(async () => {
  await dns.close();
  await resend.close();
  await twilio.close();
});

/** A workspace sending email through Resend and SMS through Twilio, two steps a day apart. */
async function setup() {
  const w = await emailWorld(dns, { start: START });
  await w.ok('POST', '/v1/senders', {
    channel: 'email',
    provider: 'resend',
    fromEmail: 'sam@acme.example',
    fromName: 'Sam Rivera',
    resend: { apiKey: resend.apiKey, baseUrl: resend.url, webhookSecret: RESEND_WEBHOOK_SECRET },
    ...CAPS,
  });
  // A number that says its own throughput (an upgraded one): the SMS go out on a few ticks.
  await w.ok('POST', '/v1/senders', {
    channel: 'sms',
    provider: 'twilio',
    fromPhone: '+15005550006',
    credentials: { ...twilio.account(), baseUrl: twilio.url, segmentsPerSecond: 1000 },
    ...CAPS,
  });
  const emails = Array.from({ length: EMAIL_MESSAGES }, (_, i) => ({
    email: `lead${i}@co${i % DOMAINS}.example`,
    firstName: `Lead${i}`,
    timezone: 'UTC',
    tags: ['email'],
  }));
  const phones = Array.from({ length: SMS_MESSAGES }, (_, i) => ({
    phone: `+1415${String(5_000_000 + i).padStart(7, '0')}`,
    firstName: `Text${i}`,
    smsOptIn: true,
    timezone: 'UTC',
    tags: ['sms'],
  }));
  await w.ok('POST', '/v1/contacts', { contacts: emails });
  await w.ok('POST', '/v1/contacts', { contacts: phones });
  for (const channel of ['email', 'sms']) {
    const sequenceId = await w.sequence({
      name: channel,
      steps: [
        { day: 0, channel, template: 'intro' },
        { day: 1, channel, template: 'follow_up' },
        // Never due here: every enrollment is still running when its events arrive (a stop only stops a running one).
        { day: 7, channel, template: 'breakup' },
      ],
      schedule: ALWAYS_OPEN,
    });
    await w.ok('POST', `/v1/sequences/${sequenceId}/enrollments`, { tag: channel });
  }
  // The first steps: SMS go one segment a second per number (pacing), so the clock moves on.
  const sent = async () =>
    (await w.row<{ n: number }>("SELECT count(*)::int AS n FROM messages WHERE status = 'sent'"))[0]?.n;
  for (let i = 0; i < 2 * SMS_MESSAGES; i++) {
    await w.engine.tick();
    if ((await sent()) === MESSAGES) break;
    w.clock.advance(1000);
  }
  // Every first step went out on day 0: a cap holding some back would quietly shrink the test.
  expect(await sent()).toBe(MESSAGES);
  return w;
}

type World = Awaited<ReturnType<typeof setup>>;

/** The seeded ground truth: what happens to each first step, and the signed webhooks that say it. */
async function groundTruth(w: World) {
  const random = seededRandom(SEED);
  const chance = (p: number) => random() < p;
  const messages = await w.row<{ id: string; channel: string; providerMessageId: string; to: string }>(
    `SELECT m.id, m.channel, m.provider_message_id AS "providerMessageId", coalesce(c.phone, c.email) AS "to"
       FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.step = 0 ORDER BY m.id`,
  );
  const expected = new Map<string, Expected>();
  const events: Event[] = [];
  const at = new Date();
  let n = 0;
  const svix = (type: string, emailId: string) => {
    const body = resend.eventFor(`email.${type}`, emailId);
    events.push({
      key: `resend:${++n}`,
      hook: resendWebhook({ secret: RESEND_WEBHOOK_SECRET, svixId: `msg_${n}`, body, at }),
    });
  };
  for (const m of messages) {
    // Every send records `sent`. A reply is counted per enrollment: it answers the latest message.
    const e: Expected = { status: 'delivered', types: ['sent'], reply: false, stop: null, suppression: null };
    if (m.channel === 'email') {
      if (chance(0.1)) Object.assign(e, { status: 'bounced', stop: 'bounced', suppression: 'hard_bounce' });
      else if (chance(0.06)) e.status = 'failed';
      else {
        e.types.push('delivered');
        if (chance(0.6)) e.types.push('opened');
        if (e.types.includes('opened') && chance(0.5)) e.types.push('clicked');
      }
      if (e.status !== 'delivered') e.types.push(e.status);
      for (const type of e.types.slice(1)) svix(type, m.providerMessageId);
    } else {
      const sms = twilio.messages.find((t) => t.sid === m.providerMessageId);
      if (!sms) throw new Error(`Twilio never got ${m.id}`);
      if (chance(0.1)) {
        Object.assign(e, { status: 'failed', types: ['sent', 'failed'] });
        events.push({
          key: `${sms.sid}:failed`,
          hook: twilioWebhook(twilio.statusCallback(sms.sid, 'undelivered', 30008)),
        });
      } else {
        e.types.push('delivered');
        events.push({ key: `${sms.sid}:delivered`, hook: twilioWebhook(twilio.statusCallback(sms.sid, 'delivered')) });
        if (chance(0.4)) {
          Object.assign(e, { reply: true, stop: 'replied' });
          const inbound = twilio.inbound({
            accountSid: sms.accountSid,
            url: `${PUBLIC_URL}/webhooks/twilio`,
            from: sms.to,
            to: sms.from ?? '',
            body: REPLY,
          });
          events.push({ key: `${sms.sid}:reply`, hook: twilioWebhook(inbound) });
        }
      }
    }
    expected.set(m.id, e);
  }
  // 25 % redeliveries (the same signed request again), then everything shuffled.
  const originals = events.length;
  for (let i = 0; i < originals / 4; i++) events.push(events[Math.floor(random() * originals)] as Event);
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [events[i], events[j]] = [events[j] as Event, events[i] as Event];
  }
  return { expected, events, originals };
}

/** Four ingesters: real `quotahit start` processes (API and worker) on the world's database. */
async function ingesters(w: World): Promise<{ url: string; server: Server }[]> {
  const url = (w.db.pool.options as { connectionString: string }).connectionString;
  return Promise.all(
    Array.from({ length: INGESTERS }, async () => {
      const port = await freePort();
      const env = cliEnv({
        DATABASE_URL: url,
        PORT: String(port),
        PUBLIC_URL,
        QUOTAHIT_SWEEP_SECONDS: '1',
        DATABASE_POOL_SIZE: '5',
        LOG_LEVEL: 'error',
      });
      const server = await startCli(['start'], env, /is listening on/, 120_000);
      return { url: `http://127.0.0.1:${port}`, server };
    }),
  );
}

/**
 * Posts every event, IN_FLIGHT at a time per ingester, until each got a 2xx; kills the first
 * ingester once `killAt` have been acknowledged. A failed post (connection reset, timeout, non-2xx)
 * goes back in the queue for whoever is still alive.
 */
async function postAll(targets: { url: string; server: Server }[], events: Event[], killAt: number) {
  const pending = [...events];
  let acknowledged = 0;
  let inFlight = 0;
  let retried = 0;
  const dead = new Set<number>();
  const lane = async (index: number) => {
    const target = targets[index] as { url: string; server: Server };
    for (;;) {
      if (dead.has(index)) return;
      const event = pending.shift();
      if (!event) {
        if (inFlight === 0) return;
        await sleep(20);
        continue;
      }
      inFlight++;
      try {
        const status = await postWebhook(target.url, event.hook);
        if (status >= 300) throw new Error(`status ${status}`);
        acknowledged++;
      } catch {
        retried++;
        pending.push(event);
      } finally {
        inFlight--;
      }
      if (acknowledged >= killAt && !dead.has(0)) {
        dead.add(0);
        targets[0]?.server.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(targets.flatMap((_, i) => Array.from({ length: IN_FLIGHT }, () => lane(i))));
  return { acknowledged, retried };
}

/**
 * Ticks the engine a day later while the events go in. Before each tick it notes the enrollments
 * whose reply is recorded; a step that tick sends for one of them is a violation.
 */
async function tickWhile(w: World, done: () => boolean) {
  w.clock.set(new Date(START.getTime() + DAY + 60_000));
  const violations: string[] = [];
  let ticks = 0;
  const stepsSent = async () =>
    new Set(
      (
        await w.row<{ e: string }>(
          "SELECT enrollment_id AS e FROM messages WHERE step > 0 AND status NOT IN ('deferred', 'cancelled')",
        )
      ).map((r) => r.e),
    );
  for (let last = false; !last;) {
    last = done();
    const replied = new Set((await w.row<{ e: string }>('SELECT enrollment_id AS e FROM replies')).map((r) => r.e));
    const before = await stepsSent();
    await w.engine.tick();
    ticks++;
    for (const e of await stepsSent()) if (!before.has(e) && replied.has(e)) violations.push(e);
    w.clock.advance(1000);
    if (!last) await sleep(50);
  }
  return { violations, ticks };
}

/** Waits until every distinct delivery is stored and processed (the deadline is a give-up, not a figure). */
async function waitProcessed(w: World, stored: number) {
  const deadline = Date.now() + 1_200_000;
  for (;;) {
    const [row] = await w.db.system(
      async (sql) =>
        (
          await sql.query<{ all: number; open: number }>(
            'SELECT count(*)::int AS all, count(*) FILTER (WHERE processed_at IS NULL)::int AS open FROM inbound_events',
          )
        ).rows,
    );
    if (row && row.all >= stored && row.open === 0) return row;
    if (Date.now() > deadline) throw new Error(`inbound events not processed: ${JSON.stringify(row)}`);
    await sleep(250);
  }
}

describe('R-webhooks', () => {
  it(
    `ingests ~${TARGET_EVENTS} shuffled events with 25 % redeliveries through ${INGESTERS} processes, one killed, exactly`,
    { timeout: BATTERY ? 7_200_000 : 1_800_000 },
    async () => {
      const w = await setup();
      const { expected, events, originals } = await groundTruth(w);
      const targets = await ingesters(w);
      afterAll(async () => {
        for (const t of targets) if (t.server.child.exitCode === null) t.server.child.kill('SIGKILL');
        await Promise.all(targets.map((t) => t.server.exited));
      });

      let posted = false;
      const ticking = tickWhile(w, () => posted);
      const { acknowledged, retried } = await postAll(targets, events, Math.floor(events.length * 0.4));
      const killed = await targets[0]?.server.exited;
      // Every distinct delivery is stored once (redeliveries dedupe); every stored one is processed.
      const inbound = await waitProcessed(w, originals);
      posted = true;
      const { violations, ticks } = await ticking;

      expect(killed).not.toBe(0);
      expect(inbound.all).toBe(originals);
      expect(violations).toEqual([]);
      await expectGroundTruth(w, expected);
      console.log(
        `[battery] R-webhooks events posted (distinct + redeliveries): ${events.length} (${originals} + ${events.length - originals}), seed ${SEED}`,
      );
      console.log(
        `[battery] R-webhooks ingesters / killed mid-stream: ${INGESTERS} / 1 (after ${Math.floor(events.length * 0.4)} acknowledged)`,
      );
      console.log(`[battery] R-webhooks posts re-sent after a failure: ${retried}; acknowledged: ${acknowledged}`);
      console.log(`[battery] R-webhooks messages differing from the ground truth: 0 of ${expected.size}`);
      console.log(
        `[battery] R-webhooks steps sent after their reply was recorded: ${violations.length} (${ticks} ticks)`,
      );
    },
  );
});

async function expectGroundTruth(w: World, expected: Map<string, Expected>) {
  const rows = await w.row<{
    id: string;
    status: string;
    types: string[] | null;
    replies: number;
    stop: string | null;
  }>(
    `SELECT m.id, m.status, en.stop_reason AS stop,
            (SELECT array_agg(event_type ORDER BY event_type) FROM message_events e
              WHERE e.message_id = m.id AND event_type <> 'replied') AS types,
            (SELECT count(*)::int FROM replies r WHERE r.enrollment_id = m.enrollment_id) AS replies
       FROM messages m JOIN enrollments en ON en.id = m.enrollment_id WHERE m.step = 0`,
  );
  const actual = new Map(
    rows.map((r) => [r.id, { status: r.status, types: r.types ?? [], replies: r.replies, stop: r.stop }]),
  );
  const want = new Map(
    [...expected].map(([id, e]) => [
      id,
      { status: e.status, types: [...e.types].sort(), replies: e.reply ? 1 : 0, stop: e.stop },
    ]),
  );
  expect(actual).toEqual(want);
  // Suppressions, by reason: one per hard bounce, nothing else.
  const suppressions = await w.row<{ reason: string; n: number }>(
    'SELECT reason, count(*)::int AS n FROM suppressions GROUP BY reason ORDER BY reason',
  );
  const bounced = [...expected.values()].filter((e) => e.suppression === 'hard_bounce').length;
  expect(suppressions).toEqual(bounced > 0 ? [{ reason: 'hard_bounce', n: bounced }] : []);
  const count = (type: string) => [...expected.values()].filter((e) => e.types.includes(type)).length;
  return Object.fromEntries(['delivered', 'opened', 'clicked', 'bounced', 'failed'].map((t) => [t, count(t)]));
}
