// WhatsApp end to end through Meta's Cloud API (its local fake, signed webhooks): a standard_b2b
// sequence's day-7 WhatsApp step goes out as the approved template (no prior inbound), the contact
// answers through a signed webhook, the enrollment stops and the window opens, a follow-up in a new
// sequence goes as free text inside the window, a contact without opt-in gets no WhatsApp message
// (with the reason), read receipts arrive without delivered, and bad webhooks write nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimStep } from '../../src/engine/steps/claim.ts';
import { decideStep } from '../../src/engine/steps/decide.ts';
import type { AfterCommit } from '../../src/engine/steps/types.ts';
import { FakeMeta } from '../fakes/meta.ts';
import { instant, MONDAY_9AM, world, type World } from '../support/world.ts';
import { metaSender } from './whatsappSupport.ts';

const DAY = 86_400_000;
const ana = {
  email: 'ana@initech.example.com',
  phone: '+16505551234',
  linkedinUrl: 'https://www.linkedin.com/in/ana-lima',
  firstName: 'Ana',
  lastName: 'Lima',
  company: 'Initech',
  title: 'Head of Operations',
  timezone: 'UTC',
  whatsappOptIn: true,
};
const bo = {
  email: 'bo@globex.example.com',
  phone: '+16505550000',
  firstName: 'Bo',
  timezone: 'UTC',
  whatsappOptIn: false,
};

let meta: FakeMeta;
beforeAll(async () => {
  meta = await new FakeMeta().start();
  meta.templates.push(
    { name: 'casual_checkin', language: 'en_US', category: 'MARKETING', status: 'APPROVED', body: 'Hi {{1}}, {{2}}' },
    { name: 'value_add', language: 'en_US', category: 'MARKETING', status: 'PENDING', body: 'Hello {{1}}' },
  );
});
afterAll(() => meta.close());

async function metaAccount(w: World, extra: Record<string, unknown> = {}, credentials: Record<string, unknown> = {}) {
  meta.now = () => w.clock.now();
  const sender = await w.ok('POST', '/v1/senders', metaSender(meta, { extra, credentials }));
  return sender.id as string;
}

const hook = (w: World, body: string, headers: Record<string, string>) =>
  w.app.inject({ method: 'POST', url: '/webhooks/meta', headers, payload: body });

async function storedEvents(w: World): Promise<number> {
  return w.db.system(async (sql) => {
    const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM inbound_events');
    return rows[0]?.n ?? 0;
  });
}

describe('WhatsApp through Meta, end to end', () => {
  it('template outside the window, a signed reply stops the sequence, free text inside the window', async () => {
    const w = await world();
    const senderId = await metaAccount(w);
    const templates = await w.ok('GET', `/v1/senders/${senderId}/templates`);
    expect(templates.data).toMatchObject([
      { name: 'casual_checkin', status: 'APPROVED' },
      { name: 'value_add', status: 'PENDING' },
    ]);
    const listed = await w.ok('GET', '/v1/senders');
    expect(JSON.stringify(listed)).not.toContain(meta.accessToken);
    expect(JSON.stringify(listed)).not.toContain(meta.appSecret);

    const [a, b] = await w.contacts([ana, bo]);
    const sequenceId = await w.sequence({ name: 'Outbound', preset: 'standard_b2b' });
    const { enrolled } = await w.enroll(sequenceId, [a as string, b as string]);
    for (let day = 0; day <= 7; day++) {
      w.clock.set(new Date(MONDAY_9AM.getTime() + day * DAY + 10 * 60_000));
      await w.engine.tick();
    }

    // Day 7: Ana's check-in went to Meta as the approved template, `to` as digits.
    expect(meta.messages).toHaveLength(1);
    expect(meta.messages[0]?.body).toMatchObject({
      to: '16505551234',
      type: 'template',
      template: { name: 'casual_checkin', language: { code: 'en_US' } },
    });
    const [whatsapp] = await w.messages(`&channel=whatsapp&contactId=${a}`);
    expect(whatsapp).toMatchObject({ provider: 'meta', status: 'sent', body: expect.stringMatching(/^Hi Ana, /) });
    // Bo has no opt-in: no WhatsApp message, and the timeline says why.
    expect(meta.messages.filter((m) => m.to === '16505550000')).toHaveLength(0);
    expect(JSON.stringify(await w.timeline(b as string))).toContain('no WhatsApp opt-in');

    // Ana reads it (Meta sends `read` without `delivered`), then answers on WhatsApp.
    const wamid = meta.messages[0]?.id ?? '';
    const read = meta.status({ id: wamid, status: 'read', to: '16505551234', at: w.clock.now() });
    expect((await hook(w, read, meta.sign(read))).statusCode).toBe(200);
    const [seen] = await w.messages(`&channel=whatsapp&contactId=${a}`);
    expect(seen).toMatchObject({ status: 'read', readAt: expect.any(String) });

    w.clock.advance(60 * 60_000);
    const reply = meta.inbound({
      from: '16505551234',
      text: 'Yes, interested. Can we talk Thursday?',
      at: w.clock.now(),
    });
    const answered = await hook(w, reply, meta.sign(reply));
    expect(answered.statusCode, answered.body).toBe(200);
    const again = await hook(w, reply, meta.sign(reply));
    expect(again.json()).toMatchObject({ received: true, duplicate: true });
    const enrollment = await w.enrollment(enrolled.find((e) => e.contactId === a)?.enrollmentId ?? '');
    expect(enrollment).toMatchObject({ status: 'stopped' });
    expect(JSON.stringify(await w.timeline(a as string))).toContain('Can we talk Thursday?');

    // A follow-up inside the 24-hour window, in a new sequence, goes as the writer's free text.
    const followUp = await w.sequence(instant([{ channel: 'whatsapp', template: 'casual_checkin' }]));
    await w.enroll(followUp, [a as string]);
    w.clock.advance(60_000);
    await w.engine.tick();
    expect(meta.messages).toHaveLength(2);
    expect(meta.messages[1]?.body).toMatchObject({ type: 'text', to: '16505551234' });
  });

  it('holds a step with no approved template and no window, with the reason, and sends nothing', async () => {
    const w = await world();
    await metaAccount(w);
    const [a] = await w.contacts([{ ...ana, phone: '+16505557777', email: 'ana2@initech.example.com' }]);
    const sequenceId = await w.sequence(instant([{ channel: 'whatsapp', template: 'value_add' }]));
    await w.enroll(sequenceId, [a as string]);
    const before = meta.messages.length;
    await w.engine.tick();
    expect(meta.messages.length).toBe(before);
    expect(JSON.stringify(await w.timeline(a as string))).toContain('no approved template');
    const [held] = await w.messages(`&contactId=${a}`);
    expect(held).toMatchObject({ status: 'deferred' });
  });

  it("fills a template's named variables from the writer's text and the person's facts; a missing one holds", async () => {
    meta.templates.push({
      name: 'named_intro',
      language: 'en_US',
      category: 'MARKETING',
      status: 'APPROVED',
      body: 'Hi {{first_name}}, {{message}} (for the {{company}} team)',
    });
    const w = await world();
    const senderId = await metaAccount(w);
    await w.ok('GET', `/v1/senders/${senderId}/templates`);
    const [a, b] = await w.contactsByEmail([
      { ...ana, phone: '+16505556661', email: 'ana6@initech.example.com' },
      { ...ana, phone: '+16505556662', email: 'ana7@nowhere.example.com', company: undefined },
    ]);
    const sequenceId = await w.sequence(instant([{ channel: 'whatsapp', template: 'named_intro' }]));
    await w.enroll(sequenceId, [a as string, b as string]);
    await w.engine.tick();
    const sent = meta.messages.filter((m) => m.to === '16505556661');
    expect(sent).toHaveLength(1);
    const [written] = await w.messages(`&contactId=${a}`);
    const parameters = (sent[0]?.body as { template: { components: { parameters: unknown[] }[] } }).template
      .components[0]?.parameters;
    expect(parameters).toEqual([
      { type: 'text', parameter_name: 'first_name', text: 'Ana' },
      { type: 'text', parameter_name: 'message', text: expect.any(String) },
      { type: 'text', parameter_name: 'company', text: 'Initech' },
    ]);
    // The writer's message is the filled {{message}}, and the row keeps what Ana read.
    expect(String(written?.body)).toMatch(/^Hi Ana, .+ \(for the Initech team\)$/);
    expect(meta.messages.filter((m) => m.to === '16505556662')).toHaveLength(0);
    expect(JSON.stringify(await w.timeline(b as string))).toContain(
      'template \\"named_intro\\" needs {{company}}: the contact has no company',
    );
    expect(await w.messages(`&contactId=${b}`)).toMatchObject([{ status: 'deferred' }]);
  });

  it("holds a filled template that breaks the writer's guardrails, with the reason; the template's own words pass", async () => {
    meta.templates.push(
      {
        name: 'plan_note',
        language: 'en_US',
        category: 'MARKETING',
        status: 'APPROVED',
        // The approved wording names a product and a figure of its own: not invented facts.
        body: 'Hi {{first_name}}, {{message}} Your {{plan_tier}} plan gets QuotaPro at 20% off.',
      },
      {
        name: 'signed_note',
        language: 'en_US',
        category: 'MARKETING',
        status: 'APPROVED',
        body: 'Hi {{1}}, {{2}}\n{{3}}',
      },
      {
        name: 'long_note',
        language: 'en_US',
        category: 'MARKETING',
        status: 'APPROVED',
        body: 'Hi {{first_name}}, a note on {{project}}.',
      },
    );
    const w = await world();
    const senderId = await metaAccount(w, { fromName: 'The Sales team' });
    await w.ok('GET', `/v1/senders/${senderId}/templates`);
    const person = (n: number, custom: Record<string, string>) => ({
      ...ana,
      phone: `+1650555443${n}`,
      email: `guard${n}@initech.example.com`,
      custom,
    });
    const [good, leaked, long, signed] = await w.contactsByEmail([
      person(1, { plan_tier: 'Gold' }),
      // A fact that still carries a merge tag: it would reach the person as "{{tier}}".
      person(2, { plan_tier: '{{tier}}' }),
      // Over 1,024 characters once filled, with no message to shorten.
      person(3, { project: 'word '.repeat(300) }),
      person(4, {}),
    ]);
    const plan = await w.sequence(instant([{ channel: 'whatsapp', template: 'plan_note' }]));
    await w.enroll(plan, [good as string, leaked as string]);
    const longSequence = await w.sequence(instant([{ channel: 'whatsapp', template: 'long_note' }]));
    await w.enroll(longSequence, [long as string]);
    const signedSequence = await w.sequence(instant([{ channel: 'whatsapp', template: 'signed_note' }]));
    await w.enroll(signedSequence, [signed as string]);
    await w.engine.tick();

    const to = (n: number) => meta.messages.filter((m) => m.to === `1650555443${n}`);
    expect(to(1)).toHaveLength(1);
    const [sent] = await w.messages(`&contactId=${good}`);
    expect(sent).toMatchObject({
      status: 'sent',
      body: expect.stringMatching(/Your Gold plan gets QuotaPro at 20% off\.$/),
    });
    for (const [n, contactId, reason] of [
      [
        2,
        leaked,
        'template \\"plan_note\\" filled fails the writer\'s checks: the body still contains template braces',
      ],
      [3, long, 'template \\"long_note\\" filled is over 1024 characters'],
      [
        4,
        signed,
        'template \\"signed_note\\" filled fails the writer\'s checks: \\"The Sales team\\" is a placeholder identity',
      ],
    ] as const) {
      expect(to(n), `contact ${n}`).toHaveLength(0);
      expect(JSON.stringify(await w.timeline(contactId as string))).toContain(reason);
      // Held, never dropped: the row waits with the reason, its body still the writer's message.
      const [held] = await w.messages(`&contactId=${contactId}`);
      expect(held).toMatchObject({ status: 'deferred' });
      expect(String(held?.body)).not.toContain('{{');
    }
  });

  it("uses the account's defaultTemplate when no approved template is named like the step's purpose", async () => {
    const w = await world();
    const senderId = await metaAccount(w, {}, { defaultTemplate: 'casual_checkin' });
    await w.ok('GET', `/v1/senders/${senderId}/templates`);
    const [a] = await w.contacts([{ ...ana, phone: '+16505553331', email: 'ana31@initech.example.com' }]);
    // `value_add` exists at Meta but is PENDING: the default goes instead.
    const sequenceId = await w.sequence(instant([{ channel: 'whatsapp', template: 'value_add' }]));
    await w.enroll(sequenceId, [a as string]);
    await w.engine.tick();
    const sent = meta.messages.filter((m) => m.to === '16505553331');
    expect(sent.map((m) => m.body.template)).toMatchObject([{ name: 'casual_checkin', language: { code: 'en_US' } }]);
    expect(await w.messages(`&contactId=${a}`)).toMatchObject([{ status: 'sent', purpose: 'value_add' }]);
  });

  it("POST templates registers a template Meta has, with Meta's status and body; GET syncs its approval", async () => {
    meta.templates.push({
      name: 'spring_offer',
      language: 'en_US',
      category: 'MARKETING',
      status: 'PENDING',
      body: 'Hi {{1}}, {{2}}',
    });
    const w = await world();
    const senderId = await metaAccount(w);
    const url = `/v1/senders/${senderId}/templates`;
    const registered = await w.call('POST', url, {
      name: 'spring_offer',
      language: 'en_US',
      category: 'MARKETING',
      body: 'Our own idea of the body {{1}}',
    });
    expect(registered).toMatchObject({
      status: 201,
      body: { name: 'spring_offer', status: 'PENDING', body: 'Hi {{1}}, {{2}}', registered: true },
    });
    const absent = await w.call('POST', url, {
      name: 'spring_offer',
      language: 'pt_BR',
      category: 'MARKETING',
      body: 'x',
    });
    expect(absent).toMatchObject({ status: 422, body: { error: { code: 'unknown_template' } } });
    const spring = meta.templates.find((t) => t.name === 'spring_offer');
    if (spring) spring.status = 'APPROVED';
    const synced = (await w.ok('GET', url)).data as Record<string, unknown>[];
    expect(synced.find((t) => t.name === 'spring_offer')).toMatchObject({ status: 'APPROVED' });
  });

  it('answers the hub.challenge handshake and refuses bad webhooks, writing nothing', async () => {
    const w = await world();
    await metaAccount(w);
    const challenge = await w.app.inject({
      method: 'GET',
      url: '/webhooks/meta?hub.mode=subscribe&hub.verify_token=verify-me-please&hub.challenge=1158201444',
    });
    expect([challenge.statusCode, challenge.body]).toEqual([200, '1158201444']);
    const wrong = await w.app.inject({
      method: 'GET',
      url: '/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1',
    });
    expect(wrong.statusCode).toBe(403);
    // A second Meta account's verify token is matched as well (one callback URL for all).
    await metaAccount(
      w,
      { fromPhone: '+15550783882' },
      { phoneNumberId: '106540352249999', verifyToken: 'the-second-token' },
    );
    const second = await w.app.inject({
      method: 'GET',
      url: '/webhooks/meta?hub.mode=subscribe&hub.verify_token=the-second-token&hub.challenge=77',
    });
    expect([second.statusCode, second.body]).toEqual([200, '77']);

    const before = await storedEvents(w);
    const body = meta.inbound({ from: '16505551234', text: 'hi' });
    expect((await hook(w, body, { 'content-type': 'application/json' })).statusCode).toBe(401);
    expect((await hook(w, body, meta.sign(body, 'not-the-app-secret'))).statusCode).toBe(401);
    const tampered = await hook(w, body.replace('hi', 'ho'), meta.sign(body));
    expect(tampered.statusCode).toBe(401);
    expect(tampered.json()).toMatchObject({ error: { code: 'invalid_signature' } });
    const malformed = '{"object":"whatsapp_business_account","entry":[';
    expect((await hook(w, malformed, meta.sign(malformed))).statusCode).toBe(400);
    const elsewhere = body.replace(meta.phoneNumberId, '999999999999');
    const unknown = await hook(w, elsewhere, meta.sign(elsewhere));
    expect(unknown.statusCode).toBe(404);
    expect(await storedEvents(w)).toBe(before);
  });

  it('a crash between the call and the bookkeeping leaves the message unknown: never resent blindly', async () => {
    const lease = 120_000;
    const w = await world({ leaseMs: lease });
    await metaAccount(w);
    const [a] = await w.contacts([{ ...ana, phone: '+16505558888', email: 'ana3@initech.example.com' }]);
    const sequenceId = await w.sequence(instant([{ channel: 'whatsapp', template: 'casual_checkin' }]));
    const { enrolled } = await w.enroll(sequenceId, [a as string]);
    const enrollmentId = enrolled[0]?.enrollmentId ?? '';
    const after: AfterCommit = [];
    const decided = await w.engine.deps.db.tenant(w.workspaceId, (sql) =>
      decideStep({ locked: true, sql }, w.engine.deps, { enrollmentId, now: w.clock.now(), after }),
    );
    const reserved = decided.kind === 'claim' ? await claimStep(w.engine.deps, decided) : decided;
    expect(reserved.kind).toBe('deliver');
    // The worker dies here: Meta may or may not have the message, and cannot be asked.
    const before = meta.messages.length;
    w.clock.advance(lease + 1000);
    await w.engine.tick();
    expect(meta.messages.length).toBe(before);
    expect(await w.messages(`&contactId=${a}`)).toMatchObject([{ channel: 'whatsapp', status: 'unknown' }]);
  });

  it('a send that times out after Meta took it is unknown, not retried (no idempotency key)', async () => {
    // The send gives up after 3 s, time enough for the request to reach Meta on a busy machine;
    // Meta answers only long after that.
    const w = await world({ sendTimeoutMs: 3000 });
    await w.ok('GET', `/v1/senders/${await metaAccount(w)}/templates`);
    const [a] = await w.contacts([{ ...ana, phone: '+16505559999', email: 'ana9@initech.example.com' }]);
    const sequenceId = await w.sequence(instant([{ channel: 'whatsapp', template: 'casual_checkin' }]));
    await w.enroll(sequenceId, [a as string]);
    meta.answerDelayMs = 10_000;
    try {
      await w.engine.tick();
    } finally {
      meta.answerDelayMs = 0;
    }
    const to = () => meta.messages.filter((m) => m.to === '16505559999');
    expect(to()).toHaveLength(1);
    expect(await w.messages(`&contactId=${a}`)).toMatchObject([{ status: 'unknown' }]);
    w.clock.advance(3600_000);
    await w.engine.tick();
    expect(to()).toHaveLength(1);
  });
});
