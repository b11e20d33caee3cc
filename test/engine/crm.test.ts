// The CRM push end to end: a positive reply becomes HubSpot/Pipedrive records (the person, the
// hand-off's deal at its stage, a note per sent message and reply, our stage in a person property)
// exactly once through a worker killed mid-delivery and answers lost on the wire; a CRM answering
// 429 gets the event once after the wait it named; stage sync follows an enrollment's end; bad
// configurations are refused precisely and tokens are never echoed.
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { claimDeliveries } from '../../src/db/outboundDeliveries.ts';
import { startHubspot } from '../fakes/hubspot.ts';
import { pipedrive429, startPipedrive } from '../fakes/pipedrive.ts';
import { instant, world, type World } from '../support/world.ts';

const LOCAL = { allowHosts: ['127.0.0.1'], random: seededRandom('crm') };
const HUBSPOT_TOKEN = 'pat-na1-11111111-2222-3333-4444-555555555555';
const PIPEDRIVE_TOKEN = 'pd0123456789abcdef0123456789abcdef012345';

async function contactWithMessage(w: World, steps = [{ channel: 'email' as const, template: 'intro' }]) {
  const [id] = await w.contacts([
    { email: 'ana@acme.example.com', firstName: 'Ana', company: 'Acme', timezone: 'UTC' },
  ]);
  const sequenceId = await w.sequence(instant(steps));
  await w.enroll(sequenceId, [id as string]);
  await w.engine.tick();
  const [message] = await w.messages();
  return { contactId: id as string, messageId: message?.id as string };
}

/** Delivers until nothing is pending, moving the clock past every back-off. */
/** A world pushing to a CRM on its local fake (closed after the file) through one integration of `settings`. */
async function crmWorld<Fake extends { url: string; close: () => Promise<void> }>(
  start: Promise<Fake>,
  settings: { kind: 'hubspot' | 'pipedrive'; token: string } & Record<string, unknown>,
) {
  const w = await world({ outbound: LOCAL });
  const crm = await start;
  afterAll(() => crm.close());
  const created = await w.ok('POST', '/v1/integrations', { ...settings, baseUrl: crm.url });
  return { w, crm, created };
}

/** Pipedrive's hand-off deals go to stage 3; `settings` on top. */
async function pipedriveWorld(settings: Record<string, unknown>) {
  const { crm, ...rest } = await crmWorld(startPipedrive({ token: PIPEDRIVE_TOKEN }), {
    kind: 'pipedrive',
    token: PIPEDRIVE_TOKEN,
    dealStage: '3',
    ...settings,
  });
  return { pipedrive: crm, ...rest };
}

async function drain(w: World) {
  for (let i = 0; i < 30; i++) {
    await w.engine.outbound.deliverDue();
    const [pending] = await w.row(`SELECT count(*)::int AS n FROM outbound_deliveries WHERE status = 'pending'`);
    if ((pending as { n: number }).n === 0) return;
    w.clock.advance(10 * 60_000);
  }
  throw new Error('deliveries still pending');
}

describe('CRM push', () => {
  it('HubSpot: a positive reply becomes its records exactly once through a killed worker and lost answers', async () => {
    const {
      w,
      crm: hubspot,
      created,
    } = await crmWorld(startHubspot({ token: HUBSPOT_TOKEN }), {
      kind: 'hubspot',
      token: HUBSPOT_TOKEN,
      pipeline: 'default',
      dealStage: 'appointmentscheduled',
      stages: { not_interested: 'closedlost' },
      stageProperty: 'quotahit_stage',
    });
    expect(created).toMatchObject({
      kind: 'hubspot',
      settings: { dealStage: 'appointmentscheduled', baseUrl: hubspot.url },
    });
    expect(JSON.stringify(created) + JSON.stringify(await w.ok('GET', '/v1/integrations'))).not.toContain(
      HUBSPOT_TOKEN,
    );
    const { contactId, messageId } = await contactWithMessage(w);
    await w.ok('POST', `/v1/messages/${messageId}/replies`, { body: 'Interested — can we talk Thursday?' });
    // A worker claims every delivery and dies before sending anything.
    const now = w.clock.now();
    const taken = await w.db.system((sql) =>
      claimDeliveries(sql, { now, leaseUntil: new Date(now.getTime() + 120_000), limit: 50 }),
    );
    expect(taken.length).toBeGreaterThan(3);
    expect(await w.engine.outbound.deliverDue()).toBe(0);
    w.clock.advance(121_000);
    // The next worker's deal creation and first note are done by HubSpot, their answers lost.
    hubspot.state.faults.push({ match: /^POST \/crm\/v3\/objects\/deals$/, answer: 'lost' });
    hubspot.state.faults.push({ match: /^POST \/crm\/v3\/objects\/notes$/, answer: 'lost' });
    await drain(w);
    const { contacts, deals, notes } = hubspot.store;
    expect(contacts).toHaveLength(1);
    expect(contacts[0]?.properties).toMatchObject({
      email: 'ana@acme.example.com',
      firstname: 'Ana',
      quotahit_stage: 'handed_off',
    });
    expect(deals).toHaveLength(1);
    expect(deals[0]?.properties).toMatchObject({ dealstage: 'appointmentscheduled', pipeline: 'default' });
    expect(deals[0]?.contacts).toEqual([contacts[0]?.id]);
    const bodies = notes.map((n) => n.properties.hs_note_body ?? '');
    expect(bodies).toHaveLength(2);
    expect(bodies.filter((b) => b.includes('Reply received'))).toHaveLength(1);
    expect(bodies.filter((b) => b.includes('Sent by QuotaHit'))).toHaveLength(1);
    expect(bodies.join()).toContain('can we talk Thursday?');
    expect(notes.every((n) => n.contacts.includes(contacts[0]?.id ?? ''))).toBe(true);
    const [link] = await w.row(`SELECT person_id, deal_id FROM crm_links WHERE contact_id = $1`, [contactId]);
    expect(link).toEqual({ person_id: contacts[0]?.id, deal_id: deals[0]?.id });
    expect(await w.row(`SELECT 1 FROM outbound_deliveries WHERE status <> 'succeeded'`)).toHaveLength(0);
  });

  it('Pipedrive: a 429 then 200 delivers once, after the wait the CRM named, visible in the delivery log', async () => {
    const { w, pipedrive, created } = await pipedriveWorld({ events: ['contact.replied'] });
    const { messageId } = await contactWithMessage(w);
    await w.ok('POST', `/v1/messages/${messageId}/replies`, { body: 'Yes please, send the details.' });
    pipedrive.state.faults.push({ match: /./, answer: pipedrive429({ reset: '30' }) });
    expect(await w.engine.outbound.deliverDue()).toBe(1);
    expect(pipedrive.store.persons).toHaveLength(0);
    const log = await w.ok('GET', `/v1/integrations/${created.id}/deliveries`);
    expect((log.data as { status: string; lastStatus: number }[])[0]).toMatchObject({
      status: 'pending',
      lastStatus: 429,
    });
    w.clock.advance(20_000);
    expect(await w.engine.outbound.deliverDue()).toBe(0);
    w.clock.advance(11_000);
    expect(await w.engine.outbound.deliverDue()).toBe(1);
    w.clock.advance(3_600_000);
    expect(await w.engine.outbound.deliverDue()).toBe(0);
    expect(pipedrive.store.persons).toHaveLength(1);
    expect(pipedrive.store.persons[0]).toMatchObject({
      name: 'Ana',
      emails: [{ value: 'ana@acme.example.com', primary: true }],
    });
    expect(pipedrive.store.notes).toHaveLength(1);
    expect(pipedrive.store.notes[0]).toMatchObject({ person_id: pipedrive.store.persons[0]?.id });
    expect(String(pipedrive.store.notes[0]?.content)).toContain('send the details');
  });

  it('Pipedrive: a worker frozen mid-delivery loses its lease; the next finds the note and writes none again', async () => {
    const { w, pipedrive, created } = await pipedriveWorld({ events: ['contact.replied'] });
    const { messageId } = await contactWithMessage(w);
    await w.ok('POST', `/v1/messages/${messageId}/replies`, { body: 'Interested, call me.' });
    pipedrive.state.faults.push({ match: /^POST \/api\/v1\/notes$/, answer: 'stall' });
    const stalled = new Promise<void>((resolve) => (pipedrive.state.onStall = resolve));
    // The first worker creates the person and the note, then hangs before the answer.
    const frozen = w.engine.outbound.deliverDue();
    await stalled;
    w.clock.advance(121_000);
    expect(await w.engine.outbound.deliverDue()).toBe(1);
    // The frozen worker dies; its late result is dropped.
    for (const kill of pipedrive.state.stalled) kill();
    await frozen;
    expect(pipedrive.store.persons).toHaveLength(1);
    expect(pipedrive.store.notes).toHaveLength(1);
    const log = await w.ok('GET', `/v1/integrations/${created.id}/deliveries`);
    expect(log.data).toMatchObject([{ status: 'succeeded', attempts: 2 }]);
  });

  it('Pipedrive stage sync: our stage lands in the person field and moves the hand-off deal per the mapping', async () => {
    const { w, pipedrive } = await pipedriveWorld({
      stages: { not_interested: '9', 'enrollment.completed': '8' },
      stageProperty: 'abc123stagekey',
    });
    const field = () =>
      (pipedrive.store.persons[0]?.custom_fields as Record<string, unknown> | undefined)?.abc123stagekey;
    const { contactId } = await contactWithMessage(w);
    await w.engine.tick();
    await drain(w);
    // The one-step sequence ended unanswered: unreachable, and no deal yet to move.
    expect(field()).toBe('unreachable');
    expect(pipedrive.store.deals).toHaveLength(0);
    await w.ok('POST', '/v1/handoffs', { contactId });
    await drain(w);
    expect(pipedrive.store.deals).toHaveLength(1);
    expect(pipedrive.store.deals[0]).toMatchObject({ stage_id: 3, person_id: pipedrive.store.persons[0]?.id });
    expect(field()).toBe('handed_off');
    await w.db.tenant(w.workspaceId, (sql) =>
      sql.query(`UPDATE contacts SET status = 'not_interested' WHERE id = $1`, [contactId]),
    );
    await drain(w);
    expect(pipedrive.store.deals).toHaveLength(1);
    expect(pipedrive.store.deals[0]).toMatchObject({ stage_id: 9 });
    expect(field()).toBe('not_interested');
    expect(pipedrive.store.persons).toHaveLength(1);
  });

  it('refuses bad CRM integrations precisely', async () => {
    const w = await world();
    const bad = async (body: unknown, pattern: RegExp) => {
      const res = await w.call('POST', '/v1/integrations', body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(pattern);
    };
    await bad({ kind: 'hubspot', dealStage: 'x' }, /token is required/);
    await bad({ kind: 'hubspot', token: 't' }, /dealStage is required/);
    await bad({ kind: 'pipedrive', token: 't', dealStage: 'qualified' }, /dealStage must be a Pipedrive id/);
    await bad(
      { kind: 'pipedrive', token: 't', dealStage: '3', stages: { lost: '4' } },
      /stages: Unrecognized key: .*lost/,
    );
    await bad(
      { kind: 'hubspot', token: 't', dealStage: 'x', baseUrl: 'http://169.254.169.254/' },
      /baseUrl.*link-local/,
    );
    await bad({ kind: 'hubspot', token: 't', dealStage: 'x', stageProperty: 'a b' }, /property name/);
    await bad({ kind: 'hubspot', token: '', dealStage: 'x' }, /must not be empty/);
  });
});
