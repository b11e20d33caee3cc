// Outbound webhooks end to end: a reply written by the engine becomes signed deliveries (verified
// by a receiver written from the Standard Webhooks spec), retried with back-off, honouring
// Retry-After, disabled by a 410, exactly once through a killed worker and a lost answer; and
// receivers on internal addresses refused.
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { claimDeliveries } from '../../src/db/outboundDeliveries.ts';
import { createAddressPolicy } from '../../src/engine/outbound/addressPolicy.ts';
import { createOutboundHttp } from '../../src/engine/outbound/http.ts';
import { startWebhookReceiver } from '../fakes/webhookReceiver.ts';
import { instant, world, type World } from '../support/world.ts';

const LOCAL = { allowHosts: ['127.0.0.1'], random: seededRandom('webhooks') };

async function setup(events = ['contact.replied', 'contact.interested']) {
  const w = await world({ outbound: LOCAL });
  const receiver = await startWebhookReceiver({ now: () => w.clock.now() });
  afterAll(() => receiver.close());
  const created = await w.ok('POST', '/v1/webhooks', { url: receiver.url, events });
  receiver.state.secrets.push(created.secret as string);
  return { w, receiver, webhookId: created.id as string };
}

async function positiveReply(w: World) {
  const [id] = await w.contacts([
    { email: 'ana@acme.example.com', firstName: 'Ana', company: 'Acme', timezone: 'UTC' },
  ]);
  const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
  await w.enroll(sequenceId, [id as string]);
  await w.engine.tick();
  const [message] = await w.messages();
  await w.ok('POST', `/v1/messages/${message?.id}/replies`, { body: 'Sounds interesting, can we talk Thursday?' });
  return id as string;
}

describe('outbound webhooks', () => {
  it('a positive reply reaches the receiver signed, once per event, naming the contact', async () => {
    const { w, receiver } = await setup();
    const contactId = await positiveReply(w);
    expect(await w.engine.outbound.deliverDue()).toBe(2);
    expect(receiver.state.requests.every((r) => r.verified)).toBe(true);
    const types = receiver.state.accepted.map((a) => a.payload.type).sort();
    expect(types).toEqual(['contact.interested', 'contact.replied']);
    const payload = receiver.state.accepted[0]?.payload;
    expect(payload?.data.contact).toMatchObject({ id: contactId, email: 'ana@acme.example.com' });
    expect(payload?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(receiver.state.requests[0]?.id).toMatch(/^msg_/);
    expect(await w.engine.outbound.deliverDue()).toBe(0);
  });

  it('writes nothing for a workspace without webhooks, and only subscribed types', async () => {
    const { w, receiver } = await setup(['sender.paused']);
    await positiveReply(w);
    expect(await w.engine.outbound.deliverDue()).toBe(0);
    expect(receiver.state.requests).toHaveLength(0);
    const other = await w.workspace('Quiet');
    await positiveReply(other);
    expect(await other.row('SELECT 1 FROM outbound_events')).toHaveLength(0);
  });

  it('a receiver answering 500 then 200 gets the event once, after back-off', async () => {
    const { w, receiver, webhookId } = await setup(['contact.replied']);
    receiver.state.answers.push({ status: 500 });
    await positiveReply(w);
    expect(await w.engine.outbound.deliverDue()).toBe(1);
    const [failed] = (await w.ok('GET', `/v1/webhooks/${webhookId}/deliveries`)).data as Record<string, unknown>[];
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500, eventType: 'contact.replied' });
    const next = new Date(failed?.nextAttemptAt as string).getTime() - w.clock.now().getTime();
    expect(next).toBeGreaterThanOrEqual(8_000);
    expect(next).toBeLessThanOrEqual(12_000);
    expect(await w.engine.outbound.deliverDue()).toBe(0);
    w.clock.advance(next);
    expect(await w.engine.outbound.deliverDue()).toBe(1);
    expect(receiver.state.requests).toHaveLength(2);
    expect(receiver.state.accepted).toHaveLength(1);
    const [done] = (await w.ok('GET', `/v1/webhooks/${webhookId}/deliveries`)).data as Record<string, unknown>[];
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2, lastStatus: 200 });
  });

  it('honours Retry-After, and a 410 disables the endpoint', async () => {
    const { w, receiver, webhookId } = await setup(['contact.replied', 'contact.interested']);
    receiver.state.answers.push({ status: 429, headers: { 'retry-after': '3600' } }, { status: 410 });
    await positiveReply(w);
    await w.engine.outbound.deliverDue();
    const rows = (await w.ok('GET', `/v1/webhooks/${webhookId}/deliveries`)).data as Record<string, unknown>[];
    const limited = rows.find((r) => r.lastStatus === 429);
    expect(new Date(limited?.nextAttemptAt as string).getTime() - w.clock.now().getTime()).toBeGreaterThanOrEqual(
      3_600_000,
    );
    expect(rows.find((r) => r.lastStatus === 410)).toMatchObject({ status: 'failed' });
    expect(await w.ok('GET', `/v1/webhooks/${webhookId}`)).toMatchObject({ status: 'disabled' });
    w.clock.advance(2 * 3_600_000);
    expect(await w.engine.outbound.deliverDue()).toBe(0);
    await w.ok('POST', `/v1/webhooks/${webhookId}/enable`);
    expect(await w.engine.outbound.deliverDue()).toBe(1);
    expect(receiver.state.accepted).toHaveLength(1);
  });

  it('exactly once through a worker killed mid-delivery and an answer lost on the wire', async () => {
    const { w, receiver } = await setup(['contact.replied', 'contact.interested']);
    await positiveReply(w);
    // A worker claims both deliveries and dies before sending anything.
    const now = w.clock.now();
    const taken = await w.db.system((sql) =>
      claimDeliveries(sql, { now, leaseUntil: new Date(now.getTime() + 120_000), limit: 10 }),
    );
    expect(taken).toHaveLength(2);
    expect(await w.engine.outbound.deliverDue()).toBe(0);
    w.clock.advance(121_000);
    // The next worker delivers one; the other's answer is lost (the receiver processed it).
    receiver.state.answers.push({ status: 200 }, 'reset');
    expect(await w.engine.outbound.deliverDue()).toBe(2);
    w.clock.advance(3_600_000);
    expect(await w.engine.outbound.deliverDue()).toBe(1);
    expect(receiver.state.requests).toHaveLength(3);
    expect(receiver.state.accepted.map((a) => a.payload.type).sort()).toEqual([
      'contact.interested',
      'contact.replied',
    ]);
    expect(await w.row(`SELECT 1 FROM outbound_deliveries WHERE status <> 'succeeded'`)).toHaveLength(0);
  });

  it('rotates the secret with an overlap: both sign until it ends', async () => {
    const { w, receiver, webhookId } = await setup(['contact.replied']);
    const old = receiver.state.secrets[0] as string;
    const rotated = await w.ok('POST', `/v1/webhooks/${webhookId}/rotate-secret`, { overlapHours: 1 });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(old);
    await positiveReply(w);
    await w.engine.outbound.deliverDue();
    expect(receiver.state.requests[0]?.signature.split(' ')).toHaveLength(2);
    receiver.state.secrets.splice(0, 1, rotated.secret as string);
    w.clock.advance(2 * 3_600_000);
    await w.ok(
      'POST',
      `/v1/webhooks/${webhookId}/deliveries/${((await w.ok('GET', `/v1/webhooks/${webhookId}/deliveries`)).data as { id: string }[])[0]?.id}/retry`,
    );
    await w.engine.outbound.deliverDue();
    expect(receiver.state.requests[1]?.signature.split(' ')).toHaveLength(1);
    expect(receiver.state.requests.every((r) => r.verified)).toBe(true);
  });

  it('lists without secrets, deletes, and rejects bad input precisely', async () => {
    const { w, webhookId } = await setup();
    const list = await w.ok('GET', '/v1/webhooks');
    expect(JSON.stringify(list)).not.toContain('whsec_');
    const bad = async (body: unknown, pattern: RegExp) => {
      const res = await w.call('POST', '/v1/webhooks', body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(pattern);
    };
    await bad({ url: 'not a url', events: ['contact.replied'] }, /absolute http/);
    await bad({ url: 'ftp://example.com/x', events: ['contact.replied'] }, /http\(s\)/);
    await bad({ url: 'https://example.com/x', events: ['contact.exploded'] }, /must be one of/);
    await bad({ url: 'https://example.com/x', events: [] }, /at least one event/);
    await bad({ url: 'https://example.com/x' }, /events/);
    await bad({ url: 'http://169.254.169.254/latest/meta-data', events: ['contact.replied'] }, /link-local/);
    await bad({ url: 'http://10.0.0.5/hook', events: ['contact.replied'] }, /private/);
    expect((await w.call('GET', '/v1/webhooks/not-a-uuid/deliveries')).status).toBe(400);
    expect((await w.call('POST', `/v1/webhooks/${webhookId}/deliveries/${webhookId}/retry`)).status).toBe(404);
    expect((await w.call('DELETE', `/v1/webhooks/${webhookId}`)).status).toBe(204);
    expect((await w.call('GET', `/v1/webhooks/${webhookId}`)).status).toBe(404);
    expect((await w.call('DELETE', `/v1/webhooks/${webhookId}`)).status).toBe(404);
  });
});

describe('outbound addresses', () => {
  it('refuses loopback and metadata URLs by default, and metadata even under a broad allow list', async () => {
    const w = await world({ outbound: { allowHosts: ['127.0.0.1', '0.0.0.0/0'] } });
    const res = await w.call('POST', '/v1/webhooks', { url: 'http://169.254.169.254/', events: ['contact.replied'] });
    expect(res.status).toBe(400);
    const plain = await world();
    for (const url of [
      'http://127.0.0.1:9/x',
      'http://localhost:9/x',
      'http://[::1]:9/x',
      'http://[::ffff:127.0.0.1]:9/x',
    ]) {
      const refused = await plain.call('POST', '/v1/webhooks', { url, events: ['contact.replied'] });
      expect(refused.status, url).toBe(400);
    }
  });

  it('checks at connect time: a name resolving to loopback is refused, a listed metadata address is not', async () => {
    const receiver = await startWebhookReceiver({ now: () => new Date() });
    afterAll(() => receiver.close());
    const http = createOutboundHttp({ policy: createAddressPolicy([]) });
    await expect(http.request({ url: `http://localhost:${receiver.port}/x`, body: '{}' })).rejects.toThrow(
      /resolves to .*may not reach|may not reach/,
    );
    await expect(http.request({ url: `http://127.0.0.1:${receiver.port}/x`, body: '{}' })).rejects.toThrow(
      /may not reach/,
    );
    const policy = createAddressPolicy(['10.0.0.0/8', '169.254.169.254']);
    expect(policy.allows('x', '169.254.169.254')).toBe(true);
    expect(policy.allows('x', '169.254.169.253')).toBe(false);
    expect(createAddressPolicy(['0.0.0.0/0']).allows('x', '169.254.169.254')).toBe(false);
    expect(createAddressPolicy(['internal.example']).allows('internal.example', '10.1.2.3')).toBe(true);
    expect(createAddressPolicy([]).allows('x', '93.184.216.34')).toBe(true);
    expect(() => createAddressPolicy(['10.0.0.0/40'])).toThrow(/CIDR/);
    await http.close();
  });
});
