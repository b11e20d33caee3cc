// WhatsApp through Gallabox end to end (its local fake): the template goes out by variable, a
// signed Message.received "STOP" suppresses the contact and stops the enrollment, statuses come
// back signed in base64; and the templates API refuses what it cannot register.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGallabox } from '../fakes/gallabox.ts';
import { instant, world, type World } from '../support/world.ts';
import { gallaboxSender } from './whatsappSupport.ts';

const ana = { phone: '+919876543210', firstName: 'Ana', timezone: 'UTC', whatsappOptIn: true };

let gallabox: FakeGallabox;
beforeAll(async () => {
  gallabox = await new FakeGallabox().start();
  gallabox.templates.push({
    name: 'casual_checkin',
    language: 'en',
    category: 'MARKETING',
    status: 'APPROVED',
    body: 'Hi {{1}}, {{2}}',
  });
});
afterAll(() => gallabox.close());

async function gallaboxAccount(w: World, extra: Record<string, unknown> = {}) {
  gallabox.now = () => w.clock.now();
  const sender = await w.ok('POST', '/v1/senders', gallaboxSender(gallabox, { extra }));
  return sender.id as string;
}

const hook = (w: World, body: string, headers: Record<string, string>) =>
  w.app.inject({ method: 'POST', url: '/webhooks/gallabox', headers, payload: body });

describe('WhatsApp through Gallabox, end to end', () => {
  it('sends the template, takes statuses and a STOP reply that suppresses WhatsApp and stops the enrollment', async () => {
    const w = await world();
    const senderId = await gallaboxAccount(w);
    expect((await w.ok('GET', `/v1/senders/${senderId}/templates`)).data).toMatchObject([
      { name: 'casual_checkin', status: 'APPROVED' },
    ]);
    const [a] = await w.contacts([ana]);
    const sequenceId = await w.sequence(
      instant([
        { channel: 'whatsapp', template: 'casual_checkin' },
        { channel: 'whatsapp', template: 'casual_checkin', day: 2 },
      ]),
    );
    const { enrolled } = await w.enroll(sequenceId, [a as string]);
    await w.engine.tick();
    expect(gallabox.messages).toHaveLength(1);
    expect(gallabox.messages[0]?.body).toMatchObject({
      recipient: { phone: '919876543210' },
      whatsapp: { type: 'template', template: { templateName: 'casual_checkin', bodyValues: { 1: 'Ana' } } },
    });

    const id = gallabox.messages[0]?.id ?? '';
    const delivered = gallabox.status({ id, status: 'delivered', to: '919876543210', at: w.clock.now() });
    const receipt = await hook(
      w,
      delivered,
      gallabox.sign(delivered, { event: 'Message.WA.status.received', encoding: 'base64' }),
    );
    expect(receipt.statusCode, receipt.body).toBe(200);
    expect((await w.messages(`&contactId=${a}`))[0]).toMatchObject({ status: 'delivered' });
    const read = gallabox.status({ id, status: 'read', to: '919876543210', at: w.clock.now() });
    expect((await hook(w, read, gallabox.sign(read, { event: 'Message.WA.status.received' }))).statusCode).toBe(200);
    expect((await w.messages(`&contactId=${a}`))[0]).toMatchObject({ status: 'read', readAt: expect.any(String) });

    w.clock.advance(60_000);
    const stop = gallabox.inbound({ from: '919876543210', text: 'STOP', at: w.clock.now() });
    expect((await hook(w, stop, gallabox.sign(stop))).statusCode).toBe(200);
    expect(await w.enrollment(enrolled[0]?.enrollmentId ?? '')).toMatchObject({ status: 'stopped' });
    const suppressed = await w.row<{ n: number }>('SELECT count(*)::int AS n FROM suppressions');
    expect(suppressed[0]?.n).toBeGreaterThan(0);

    // Nothing more goes to them, in this sequence or another.
    const again = await w.sequence(instant([{ channel: 'whatsapp', template: 'casual_checkin' }]));
    await w.enroll(again, [a as string]);
    w.clock.advance(3 * 86_400_000);
    await w.engine.tick();
    expect(gallabox.messages).toHaveLength(1);

    // No signature, a wrong one, malformed JSON and an unknown channel write nothing.
    const events = () =>
      w.db.system(async (sql) => {
        const { rows } = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM inbound_events');
        return rows[0]?.n ?? 0;
      });
    const stored = await events();
    const unsigned = await hook(w, stop, { 'content-type': 'application/json', 'x-event-name': 'Message.received' });
    expect(unsigned.statusCode).toBe(401);
    expect((await hook(w, stop, gallabox.sign(stop, { secret: 'wrong-secret-123' }))).statusCode).toBe(401);
    const malformed = '{"channelId":';
    expect((await hook(w, malformed, gallabox.sign(malformed))).statusCode).toBe(400);
    const elsewhere = stop.replace(gallabox.channelId, 'ffffffffffffffffffffffff');
    expect((await hook(w, elsewhere, gallabox.sign(elsewhere))).statusCode).toBe(404);
    expect(await events()).toBe(stored);
  });

  it('fills a template with named variables and sends bodyValues keyed by each name as the template spells it', async () => {
    // Gallabox's docs write variables by name ({{ContactName}}); Meta's named ones are snake_case.
    gallabox.templates.push({
      name: 'named_checkin',
      language: 'en',
      category: 'MARKETING',
      status: 'APPROVED',
      body: 'Hi {{ContactName}}, {{message}}\nFor the {{company_name}} team in {{ city }}. {{agent_name}}',
    });
    const w = await world();
    const senderId = await gallaboxAccount(w, { fromName: 'Sam Rivera' });
    await w.ok('GET', `/v1/senders/${senderId}/templates`);
    const [a] = await w.contacts([
      { ...ana, phone: '+919876500001', lastName: 'Lima', company: 'Initech', city: 'Pune' },
    ]);
    const sequenceId = await w.sequence(instant([{ channel: 'whatsapp', template: 'named_checkin' }]));
    const before = gallabox.messages.length;
    await w.enroll(sequenceId, [a as string]);
    await w.engine.tick();

    const sent = gallabox.messages.slice(before);
    expect(sent).toHaveLength(1);
    const [row] = await w.messages(`&contactId=${a}`);
    const message = /^Hi Ana, (.+)$/m.exec(String(row?.body))?.[1] ?? '';
    expect(message).not.toBe('');
    // One value per variable, keyed by its name as written (no braces, no spaces), each on one line.
    expect(sent[0]?.body).toEqual({
      channelId: gallabox.channelId,
      channelType: 'whatsapp',
      recipient: { name: 'Ana Lima', phone: '919876500001' },
      whatsapp: {
        type: 'template',
        template: {
          templateName: 'named_checkin',
          bodyValues: {
            ContactName: 'Ana',
            message,
            company_name: 'Initech',
            city: 'Pune',
            agent_name: 'Sam Rivera',
          },
        },
      },
    });
    expect(row).toMatchObject({ status: 'sent', provider: 'gallabox' });
    expect(String(row?.body)).toContain('\nFor the Initech team in Pune. Sam Rivera');
  });

  it('the templates API refuses what it cannot register, with the reason', async () => {
    const w = await world();
    const senderId = await gallaboxAccount(w);
    const template = { name: 'casual_checkin', language: 'en', category: 'MARKETING', body: 'Hi {{1}}, {{2}}' };
    const registered = await w.call('POST', `/v1/senders/${senderId}/templates`, template);
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ name: 'casual_checkin', status: 'APPROVED', registered: true });
    const missing = await w.call('POST', `/v1/senders/${senderId}/templates`, { ...template, name: 'not_at_gallabox' });
    expect(missing).toMatchObject({ status: 422, body: { error: { code: 'unknown_template' } } });
    const bad = await w.call('POST', `/v1/senders/${senderId}/templates`, { ...template, name: 'Has Spaces' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('name');
    expect((await w.call('POST', `/v1/senders/${senderId}/templates`, { name: 'x' })).status).toBe(400);
    expect((await w.call('GET', '/v1/senders/00000000-0000-4000-8000-000000000000/templates')).status).toBe(404);
    const email = await w.ok('POST', '/v1/senders', {
      channel: 'email',
      provider: 'sandbox',
      fromEmail: 'sam@acme.example',
    });
    const notWhatsapp = await w.call('GET', `/v1/senders/${String(email.id)}/templates`);
    expect(notWhatsapp).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringContaining('no message templates') } },
    });
  });
});
