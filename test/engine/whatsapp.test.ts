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

async function metaAccount(w: World) {
  meta.now = () => w.clock.now();
  const sender = await w.ok('POST', '/v1/senders', {
    channel: 'whatsapp',
    provider: 'meta',
    fromPhone: '+15550783881',
    credentials: {
      accessToken: meta.accessToken,
      phoneNumberId: meta.phoneNumberId,
      wabaId: meta.wabaId,
      appSecret: meta.appSecret,
      verifyToken: 'verify-me-please',
      baseUrl: meta.url,
    },
  });
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
