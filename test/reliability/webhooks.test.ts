// R-webhooks (issue 16): provider webhooks — a seeded ground truth of events per message (Resend:
// delivered, opened, clicked, bounced, failed; Twilio: delivered, failed, replies; WhatsApp through
// Meta and through Gallabox: sent, delivered, read, failed with an error code, replies), 25 % of
// them delivered twice, shuffled — posted through 4 real `quotahit start` processes (API and
// worker) at once, one of them killed with SIGKILL mid-stream: what it had not acknowledged is
// posted again to another, as a provider retries a connection error. Meanwhile this process's
// engine ticks the sequences' next steps: the contacts were enrolled in groups minutes apart, and
// the clock follows the stream's progress, so the second steps fall due over many ticks while the
// replies arrive. Then the database must equal the ground truth exactly (message statuses, events
// per type, error codes, read receipts, replies, enrollment stops, suppressions), and no tick may
// have sent a step for an enrollment whose reply was already recorded when the tick began.
// CI posts about 1,000 events; QUOTAHIT_BATTERY=1 about 10,000.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { freePort } from '../../src/db/embedded.ts';
import { findDueEnrollments } from '../../src/db/enrollments.ts';
import type { LocalDns } from '../channels/support/dnsServer.ts';
import { emailWorld, PUBLIC_URL, RESEND_WEBHOOK_SECRET, startDnsServer, zone } from '../engine/emailSupport.ts';
import { FakeResend } from '../fakes/resend.ts';
import { FakeGallabox } from '../fakes/gallabox.ts';
import { FakeMeta } from '../fakes/meta.ts';
import {
  gallaboxWebhook,
  metaWebhook,
  postWebhook,
  resendWebhook,
  twilioWebhook,
  type SignedWebhook,
} from '../fakes/signedWebhook.ts';
import { FakeTwilio } from '../fakes/twilio.ts';
import { gallaboxSender, metaSender } from '../engine/whatsappSupport.ts';
import { cliEnv } from '../support/harness.ts';
import { startCli, type Server } from '../support/processes.ts';
import { ALWAYS_OPEN } from '../support/world.ts';

const BATTERY = process.env.QUOTAHIT_BATTERY === '1';
/** QUOTAHIT_WEBHOOK_EVENTS sets any size (the battery's 10,000 takes about an hour on a busy 2-core machine). */
const TARGET_EVENTS = Number(process.env.QUOTAHIT_WEBHOOK_EVENTS ?? (BATTERY ? 10_000 : 1_000));
/**
 * The ground truth's mix averages about 1.66 events per email, 1.3 per SMS and 2.47 per WhatsApp
 * message; email fills the rest of the target.
 */
const SMS_MESSAGES = BATTERY ? 200 : 60;
/** WhatsApp messages per provider (Meta, Gallabox). */
const WHATSAPP_MESSAGES = BATTERY ? 400 : 60;
const EMAIL_MESSAGES = Math.ceil((TARGET_EVENTS / 1.25 - SMS_MESSAGES * 1.3 - 2 * WHATSAPP_MESSAGES * 2.47) / 1.66);
const MESSAGES = SMS_MESSAGES + EMAIL_MESSAGES + 2 * WHATSAPP_MESSAGES;
/**
 * Enrollment groups, GROUP_GAP apart on the test's clock: each group's second steps fall due at
 * their own moment of the stream (the clock follows the share of deliveries processed), so the
 * reply check brackets many ticks that send steps, not one.
 */
const GROUPS = 10;
const GROUP_GAP = 5 * 60_000;
/** Enrollment runs per tick while the events go in (each sends at most one step). */
const TICK_RUNS = 10;
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
/** Meta's own limits out of the way: every group's first steps go in one tick. */
const WHATSAPP_CAPS = { ...CAPS, messagingTier: 'unlimited', perSecondLimit: 1000 };
const TEMPLATE = 'casual_checkin';
/** Error codes a WhatsApp message fails with later, in its status webhook (PROVIDERS.md). */
const WHATSAPP_FAILURES = [131026, 131049, 131047] as const;
const REPLY = 'Sounds interesting, tell me more about the pricing.';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Expected = {
  provider: string;
  status: string;
  types: string[];
  /** The failed event's error code, where the provider gives one. */
  code: string | null;
  /** A read receipt came (WhatsApp). */
  read: boolean;
  reply: boolean;
  stop: string | null;
  suppression: string | null;
};
type Event = { hook: SignedWebhook; key: string };

let dns: LocalDns;
let resend: FakeResend;
let twilio: FakeTwilio;
let meta: FakeMeta;
let gallabox: FakeGallabox;
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
  meta = await new FakeMeta().start();
  gallabox = await new FakeGallabox().start();
  const template = { name: TEMPLATE, category: 'MARKETING', status: 'APPROVED', body: 'Hi {{1}}, {{2}}' } as const;
  meta.templates.push({ ...template, language: 'en_US' });
  gallabox.templates.push({ ...template, language: 'en' });
});
afterAll(async () => {
  await dns.close();
  await resend.close();
  await twilio.close();
  await meta.close();
  await gallabox.close();
});

/** A statement across every workspace (the second workspace holds the Gallabox account). */
const all = <T extends Record<string, unknown>>(w: { db: World['db'] }, text: string, values: unknown[] = []) =>
  w.db.system(async (sql) => (await sql.query<T>(text, values)).rows);

/**
 * A workspace sending email through Resend, SMS through Twilio and WhatsApp through Meta, and a
 * second one sending WhatsApp through Gallabox (a second WhatsApp account in the first would take
 * contacts by a hash of the enrollment id). Three steps a day apart; the contacts are enrolled in
 * GROUPS groups GROUP_GAP apart, each group's first steps sent before the next enrolls.
 */
async function setup() {
  const w = await emailWorld(dns, { start: START });
  const gw = await w.workspace('Gallabox workspace');
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
  // WhatsApp steps send the accounts' approved templates, which the accounts must have synced.
  const metaId = (await w.ok('POST', '/v1/senders', metaSender(meta, { extra: WHATSAPP_CAPS }))).id as string;
  expect((await w.ok('GET', `/v1/senders/${metaId}/templates`)).data).toMatchObject([{ name: TEMPLATE }]);
  const gallaboxId = (await gw.ok('POST', '/v1/senders', gallaboxSender(gallabox, { extra: WHATSAPP_CAPS })))
    .id as string;
  expect((await gw.ok('GET', `/v1/senders/${gallaboxId}/templates`)).data).toMatchObject([{ name: TEMPLATE }]);

  const group = (i: number) => i % GROUPS;
  const emails = Array.from({ length: EMAIL_MESSAGES }, (_, i) => ({
    email: `lead${i}@co${i % DOMAINS}.example`,
    firstName: `Lead${i}`,
    timezone: 'UTC',
    tags: [`email-${group(i)}`],
  }));
  const phones = Array.from({ length: SMS_MESSAGES }, (_, i) => ({
    phone: `+1415${String(5_000_000 + i).padStart(7, '0')}`,
    firstName: `Text${i}`,
    smsOptIn: true,
    timezone: 'UTC',
    tags: [`sms-${group(i)}`],
  }));
  const whatsapp = (prefix: string, first: number, tag: string) =>
    Array.from({ length: WHATSAPP_MESSAGES }, (_, i) => ({
      phone: `${prefix}${first + i}`,
      firstName: `Chat${i}`,
      whatsappOptIn: true,
      timezone: 'UTC',
      tags: [`${tag}-${group(i)}`],
    }));
  await w.ok('POST', '/v1/contacts', { contacts: emails });
  await w.ok('POST', '/v1/contacts', { contacts: phones });
  await w.ok('POST', '/v1/contacts', { contacts: whatsapp('+1650', 3_000_000, 'meta') });
  await gw.ok('POST', '/v1/contacts', { contacts: whatsapp('+9198', 10_000_000, 'gallabox') });
  const sequence = async (client: typeof w | typeof gw, channel: string, templates: string[]) =>
    client.sequence({
      name: channel,
      steps: [
        { day: 0, channel, template: templates[0] },
        { day: 1, channel, template: templates[1] },
        // Never due here: every enrollment is still running when its events arrive (a stop only stops a running one).
        { day: 7, channel, template: templates[2] },
      ],
      schedule: ALWAYS_OPEN,
    });
  const lanes = [
    { client: w, tag: 'email', sequenceId: await sequence(w, 'email', ['intro', 'follow_up', 'breakup']) },
    { client: w, tag: 'sms', sequenceId: await sequence(w, 'sms', ['intro', 'follow_up', 'breakup']) },
    { client: w, tag: 'meta', sequenceId: await sequence(w, 'whatsapp', [TEMPLATE, TEMPLATE, TEMPLATE]) },
    { client: gw, tag: 'gallabox', sequenceId: await sequence(gw, 'whatsapp', [TEMPLATE, TEMPLATE, TEMPLATE]) },
  ];
  const sent = async () =>
    (await all<{ n: number }>(w, "SELECT count(*)::int AS n FROM messages WHERE status = 'sent'"))[0]?.n ?? 0;
  const enrolled = async () => (await all<{ n: number }>(w, 'SELECT count(*)::int AS n FROM enrollments'))[0]?.n ?? 0;
  for (let g = 0; g < GROUPS; g++) {
    w.clock.set(new Date(START.getTime() + g * GROUP_GAP));
    for (const lane of lanes)
      await lane.client.ok('POST', `/v1/sequences/${lane.sequenceId}/enrollments`, { tag: `${lane.tag}-${g}` });
    // The group's first steps: the clock moves a second a tick (pacing), well inside the gap.
    const due = await enrolled();
    await tickUntil(w, async () => (await sent()) >= due);
  }
  // Every first step went out on day 0: a cap holding some back would quietly shrink the test.
  expect(await sent()).toBe(MESSAGES);
  return w;
}

type World = Awaited<ReturnType<typeof emailWorld>>;

/** The seeded ground truth: what happens to each first step, and the signed webhooks that say it. */
async function groundTruth(w: World) {
  const random = seededRandom(SEED);
  const chance = (p: number) => random() < p;
  const messages = await all<{ id: string; provider: string; providerMessageId: string; to: string }>(
    w,
    `SELECT m.id, m.provider, m.provider_message_id AS "providerMessageId", coalesce(c.phone, c.email) AS "to"
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
    const e: Expected = {
      provider: m.provider,
      status: 'delivered',
      types: ['sent'],
      code: null,
      read: false,
      reply: false,
      stop: null,
      suppression: null,
    };
    if (m.provider === 'resend') {
      if (chance(0.1)) Object.assign(e, { status: 'bounced', stop: 'bounced', suppression: 'hard_bounce' });
      else if (chance(0.06)) e.status = 'failed';
      else {
        e.types.push('delivered');
        if (chance(0.6)) e.types.push('opened');
        if (e.types.includes('opened') && chance(0.5)) e.types.push('clicked');
      }
      if (e.status !== 'delivered') e.types.push(e.status);
      for (const type of e.types.slice(1)) svix(type, m.providerMessageId);
    } else if (m.provider === 'twilio') {
      const sms = twilio.messages.find((t) => t.sid === m.providerMessageId);
      if (!sms) throw new Error(`Twilio never got ${m.id}`);
      if (chance(0.1)) {
        Object.assign(e, { status: 'failed', types: ['sent', 'failed'], code: '30008' });
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
    } else events.push(...whatsappTruth(m, e, random));
    expected.set(m.id, e);
  }
  // Distinct deliveries per provider (by the path they are posted to), for the report.
  const perProvider = new Map<string, number>();
  for (const { hook } of events) {
    const provider = hook.path.replace('/webhooks/', '');
    perProvider.set(provider, (perProvider.get(provider) ?? 0) + 1);
  }
  // 25 % redeliveries (the same signed request again), then everything shuffled.
  const originals = events.length;
  for (let i = 0; i < originals / 4; i++) events.push(events[Math.floor(random() * originals)] as Event);
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [events[i], events[j]] = [events[j] as Event, events[i] as Event];
  }
  return { expected, events, originals, perProvider };
}

/**
 * One WhatsApp message's statuses and reply, as Meta or Gallabox would send them: `sent` mostly
 * (it changes nothing we keep, but is a delivery to store), then 10 % failed with an error code,
 * else delivered (sometimes missing: `read` may come without it, statuses are not ordered), read
 * by half, answered by 40 %. Meta's bodies are signed with the app secret; Gallabox's with the
 * webhook secret, in hex or base64 at random.
 */
function whatsappTruth(
  m: { id: string; provider: string; providerMessageId: string; to: string },
  e: Expected,
  random: () => number,
): Event[] {
  const chance = (p: number) => random() < p;
  const to = m.to.replace(/^\+/, '');
  const id = m.providerMessageId;
  // Deterministic bodies (a delivery is keyed by the body's hash): times on the test's clock.
  const when = new Date(START.getTime() + DAY);
  const events: Event[] = [];
  const status = (state: 'sent' | 'delivered' | 'read' | 'failed', code?: number) => {
    if (m.provider === 'meta') {
      const body = meta.status({ id, status: state, to, at: when, ...(code ? { code } : {}) });
      events.push({ key: `meta:${id}:${state}`, hook: metaWebhook(meta.appSecret, body) });
    } else {
      const reason = code ? `Message failed: (#${code}) Message Undeliverable` : undefined;
      const body = gallabox.status({ id, status: state, to, at: when, ...(reason ? { reason } : {}) });
      const event = state === 'failed' ? 'Message.WA.status.failed' : 'Message.WA.status.received';
      const encoding = chance(0.5) ? 'hex' : 'base64';
      events.push({ key: `gallabox:${id}:${state}`, hook: gallaboxWebhook(gallabox, body, { event, encoding }) });
    }
  };
  if (chance(0.75)) status('sent');
  if (chance(0.1)) {
    const code = WHATSAPP_FAILURES[Math.floor(random() * WHATSAPP_FAILURES.length)] ?? 131026;
    Object.assign(e, { status: 'failed', types: ['sent', 'failed'], code: String(code) });
    status('failed', code);
    return events;
  }
  if (chance(0.9)) {
    e.types.push('delivered');
    status('delivered');
  }
  if (chance(0.5)) {
    // A read receipt implies delivery: the status is `delivered` and read_at is set.
    Object.assign(e, { read: true });
    e.types.push('read');
    status('read');
  }
  // Neither a delivery nor a read receipt came: the message stays `sent` (a reply says nothing of it).
  if (!e.types.includes('delivered') && !e.read) e.status = 'sent';
  if (chance(0.4)) {
    Object.assign(e, { reply: true, stop: 'replied' });
    const replyId = `${m.provider}-reply-${m.id}`;
    const body =
      m.provider === 'meta'
        ? meta.inbound({ from: to, text: REPLY, id: `wamid.${replyId}`, at: when })
        : gallabox.inbound({ from: to, text: REPLY, id: replyId, at: when });
    events.push({
      key: `${m.provider}:${replyId}`,
      hook:
        m.provider === 'meta'
          ? metaWebhook(meta.appSecret, body)
          : gallaboxWebhook(gallabox, body, { event: 'Message.received', encoding: chance(0.5) ? 'hex' : 'base64' }),
    });
  }
  return events;
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
 * Ticks the engine while the events go in. The clock starts when the first group's second steps
 * fall due and follows the share of the distinct deliveries processed so far (0 to 1: replies are
 * recorded when processed, not when acknowledged) across the groups' span, in small steps, so each
 * group's second steps go out at their own point of the stream, between replies. Before each tick
 * it notes the enrollments whose reply is recorded; a step that tick sends for one of them is a
 * violation. `sending` counts the ticks that sent a step: the ticks the check brackets (how many
 * depends on how fast ticks go beside the ingesters, so it is printed, not asserted).
 */
async function tickWhile(w: World, done: () => boolean, distinct: number) {
  const first = START.getTime() + DAY;
  const violations: string[] = [];
  let ticks = 0;
  let sending = 0;
  let sendingMidStream = 0;
  const stepsSent = async () =>
    new Set(
      (
        await all<{ e: string }>(
          w,
          "SELECT enrollment_id AS e FROM messages WHERE step > 0 AND status NOT IN ('deferred', 'cancelled')",
        )
      ).map((r) => r.e),
    );
  for (let last = false; !last;) {
    last = done();
    const share = last ? 1 : await processedShare(w, distinct);
    const target = first + share * GROUPS * GROUP_GAP;
    if (target > w.clock.now().getTime()) w.clock.set(new Date(target));
    const replied = new Set((await all<{ e: string }>(w, 'SELECT enrollment_id AS e FROM replies')).map((r) => r.e));
    const before = await stepsSent();
    // A bounded tick keeps the ticks short beside busy ingesters (the engine's tick runs every
    // due enrollment, 200 at a time); the last one runs whatever is left.
    if (last) await w.engine.tick();
    else
      for (const row of await w.db.system((sql) => findDueEnrollments(sql, w.clock.now(), TICK_RUNS)))
        await w.engine.runEnrollment({ workspaceId: row.workspaceId, enrollmentId: row.id });
    ticks++;
    const after = await stepsSent();
    if (after.size > before.size) {
      sending++;
      if (share < 1) sendingMidStream++;
    }
    for (const e of after) if (!before.has(e) && replied.has(e)) violations.push(e);
    if (!last) await sleep(50);
  }
  return { violations, ticks, sending, sendingMidStream };
}

/** The share of the distinct deliveries stored and processed so far, 0 to 1. */
async function processedShare(w: World, distinct: number) {
  const [row] = await all<{ n: number }>(
    w,
    'SELECT count(*)::int AS n FROM inbound_events WHERE processed_at IS NOT NULL',
  );
  return Math.min(1, (row?.n ?? 0) / distinct);
}

/** Full engine ticks a second apart on the test's clock (pacing), at most 2 minutes of it, until `done`. */
async function tickUntil(w: { engine: World['engine']; clock: World['clock'] }, done: () => Promise<boolean>) {
  for (let i = 0; i < 120 && !(await done()); i++) {
    await w.engine.tick();
    w.clock.advance(1000);
  }
}

/** Whether any enrollment is due on the test's clock. */
async function dueNow(w: World) {
  return (await w.db.system((sql) => findDueEnrollments(sql, w.clock.now(), 1))).length > 0;
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
      const { expected, events, originals, perProvider } = await groundTruth(w);
      const targets = await ingesters(w);
      afterAll(async () => {
        for (const t of targets) if (t.server.child.exitCode === null) t.server.child.kill('SIGKILL');
        await Promise.all(targets.map((t) => t.server.exited));
      });

      // Group 0's second steps go out in full before the first event is posted, so some replies
      // come after a second step however far the bounded ticks fall behind a fast stream (a CI run
      // beside CPU burners had the whole stream processed before group 0's WhatsApp and SMS steps
      // were reached, 10 runs a tick). Every later group's go out mid-stream or on the last tick.
      // The clock stays short of group 1's (GROUP_GAP later) and moves a second a tick (pacing).
      w.clock.set(new Date(START.getTime() + DAY));
      await tickUntil(w, async () => !(await dueNow(w)));
      expect(await dueNow(w)).toBe(false);
      let posted = false;
      const ticking = tickWhile(w, () => posted, originals);
      const killAt = Math.floor(events.length * 0.4);
      const { acknowledged, retried } = await postAll(targets, events, killAt);
      const killed = await targets[0]?.server.exited;
      // Every distinct delivery is stored once (redeliveries dedupe); every stored one is processed.
      const inbound = await waitProcessed(w, originals);
      posted = true;
      const { violations, ticks, sending, sendingMidStream } = await ticking;

      expect(killed).not.toBe(0);
      expect(inbound.all).toBe(originals);
      expect(violations).toEqual([]);
      await expectGroundTruth(w, expected);
      const race = await replyRace(w);
      // The check means something only if replies came on both sides of second steps. Group 0's
      // steps go before the stream, before any reply; the last group's at the latest on the last
      // tick, after every reply: both hold however fast the ticks go.
      expect(race.before).toBeGreaterThan(0);
      expect(race.after).toBeGreaterThan(0);

      const providers = ['resend', 'twilio', 'meta', 'gallabox'];
      const count = (provider: string, test: (e: Expected) => boolean) =>
        [...expected.values()].filter((e) => e.provider === provider && test(e)).length;
      console.log(
        `[battery] R-webhooks events posted (distinct + redeliveries): ${events.length} (${originals} + ${events.length - originals}), seed ${SEED}`,
      );
      for (const p of providers)
        console.log(
          `[battery] R-webhooks ${p}: first steps ${count(p, () => true)}, distinct deliveries ${perProvider.get(p) ?? 0}, ` +
            `failed ${count(p, (e) => e.status === 'failed')}, bounced ${count(p, (e) => e.status === 'bounced')}, ` +
            `read ${count(p, (e) => e.read)}, replies ${count(p, (e) => e.reply)}`,
        );
      console.log(
        `[battery] R-webhooks ingesters / killed mid-stream: ${INGESTERS} / 1 (after ${killAt} acknowledged)`,
      );
      console.log(`[battery] R-webhooks posts re-sent after a failure: ${retried}; acknowledged: ${acknowledged}`);
      console.log(`[battery] R-webhooks messages differing from the ground truth: 0 of ${expected.size}`);
      console.log(
        `[battery] R-webhooks steps sent after their reply was recorded: ${violations.length} ` +
          `(${sending} ticks sent second steps, ${sendingMidStream} of them while deliveries were still being ` +
          `processed, of ${ticks} ticks; ${GROUPS} groups ${GROUP_GAP / 60_000} min apart, at most ${TICK_RUNS} runs a tick)`,
      );
      console.log(
        `[battery] R-webhooks replied enrollments: ${race.before} stopped before their second step, ` +
          `${race.after} replied after it went; second steps sent: ${race.steps}`,
      );
    },
  );
});

/** Of the enrollments with a reply, how many had their second step sent before it (the reply came later). */
async function replyRace(w: World) {
  const [row] = await all<{ before: number; after: number; steps: number }>(
    w,
    `SELECT count(*) FILTER (WHERE r.e IS NOT NULL AND s.e IS NULL)::int AS before,
            count(*) FILTER (WHERE r.e IS NOT NULL AND s.e IS NOT NULL)::int AS after,
            count(s.e)::int AS steps
       FROM enrollments en
       LEFT JOIN (SELECT DISTINCT enrollment_id AS e FROM replies) r ON r.e = en.id
       LEFT JOIN (SELECT DISTINCT enrollment_id AS e FROM messages
                   WHERE step = 1 AND status NOT IN ('deferred', 'cancelled')) s ON s.e = en.id`,
  );
  return row ?? { before: 0, after: 0, steps: 0 };
}

async function expectGroundTruth(w: World, expected: Map<string, Expected>) {
  const rows = await all<{
    id: string;
    status: string;
    types: string[] | null;
    code: string | null;
    read: boolean;
    replies: number;
    stop: string | null;
  }>(
    w,
    `SELECT m.id, m.status, en.stop_reason AS stop, m.read_at IS NOT NULL AS read,
            (SELECT array_agg(event_type ORDER BY event_type) FROM message_events e
              WHERE e.message_id = m.id AND event_type <> 'replied') AS types,
            (SELECT max(e.metadata->>'code') FROM message_events e
              WHERE e.message_id = m.id AND event_type = 'failed') AS code,
            (SELECT count(*)::int FROM replies r WHERE r.enrollment_id = m.enrollment_id) AS replies
       FROM messages m JOIN enrollments en ON en.id = m.enrollment_id WHERE m.step = 0`,
  );
  const actual = new Map(
    rows.map((r) => {
      // Resend's failures carry no code: only the providers that give one are held to it.
      const code = expected.get(r.id)?.code === null ? null : r.code;
      return [r.id, { status: r.status, types: r.types ?? [], code, read: r.read, replies: r.replies, stop: r.stop }];
    }),
  );
  const want = new Map(
    [...expected].map(([id, e]) => [
      id,
      {
        status: e.status,
        types: [...e.types].sort(),
        code: e.code,
        read: e.read,
        replies: e.reply ? 1 : 0,
        stop: e.stop,
      },
    ]),
  );
  expect(actual).toEqual(want);
  // Suppressions, by reason: one per hard bounce, nothing else.
  const suppressions = await all<{ reason: string; n: number }>(
    w,
    'SELECT reason, count(*)::int AS n FROM suppressions GROUP BY reason ORDER BY reason',
  );
  const bounced = [...expected.values()].filter((e) => e.suppression === 'hard_bounce').length;
  expect(suppressions).toEqual(bounced > 0 ? [{ reason: 'hard_bounce', n: bounced }] : []);
}
