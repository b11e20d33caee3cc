import { describe, expect, it } from 'vitest';
import { DANA, writerWorkspace, writerWorld } from './writerFixtures.ts';
import { ALWAYS_OPEN } from '../support/world.ts';

const RICH = {
  ...DANA,
  phone: '+14155550123',
  linkedinUrl: 'https://www.linkedin.com/in/dana-kim',
  whatsappOptIn: true,
};
const SPARSE = { email: 'bo@globex.example.com', firstName: 'Bo', timezone: 'UTC', tags: ['q2'] };
const GONE = { email: 'cy@initech.example.com', firstName: 'Cy', timezone: 'UTC', tags: ['q2'] };

async function leadsWorld() {
  const w = await writerWorld();
  const [rich, sparse, gone] = (await w.contacts([RICH, SPARSE, GONE])) as [string, string, string];
  await w.row(`UPDATE contacts SET status = 'unsubscribed' WHERE id = $1`, [gone]);
  return { w, rich, sparse, gone };
}

type Lead = Record<string, unknown> & { contactId: string };

describe('outreach plans', () => {
  it('analyses each lead: reachable channels, angle, per-step channels, first touch; excluded leads say why', async () => {
    const { w, rich, sparse, gone } = await leadsWorld();
    const created = await w.call('POST', '/v1/plans', { tag: 'q2' });
    expect(created.status).toBe(201);
    const plan = created.body;
    expect(plan).toMatchObject({
      status: 'draft',
      preset: 'standard_b2b',
      sequenceId: null,
      result: null,
      summary: {
        leads: 3,
        ready: 2,
        excluded: 1,
        sequence: { preset: 'standard_b2b', name: 'Standard B2B Outreach' },
        angles: { pain: 1, none: 1 },
      },
    });
    const leads = plan.leads as Lead[];
    const byId = (id: string) => leads.find((lead) => lead.contactId === id);
    expect(byId(rich)).toMatchObject({
      status: 'ready',
      name: 'Dana Kim',
      company: 'Northwind Logistics',
      // No smsOptIn: SMS needs consent (docs/sms.md).
      reachable: ['email', 'linkedin', 'whatsapp', 'call'],
      angle: { kind: 'pain', facts: ['enrichment.painPoints[0]'] },
      timezone: 'UTC',
      firstTouch: { step: 0, channel: 'email', purpose: 'intro' },
    });
    const firstTouch = (byId(rich)?.firstTouch as { at: string }).at;
    expect(Date.parse(firstTouch) - w.clock.now().getTime()).toBeLessThanOrEqual(300_000);
    expect(byId(sparse)).toMatchObject({ status: 'ready', reachable: ['email'], angle: { kind: 'none' } });
    // Bo has no LinkedIn and no phone: those steps go out by email.
    const sparseSteps = byId(sparse)?.steps as { channel: string; note?: string }[];
    expect(sparseSteps.map((s) => s.channel)).toEqual(['email', 'email', 'email', 'email', 'email', 'email', 'email']);
    expect(sparseSteps[1]?.note).toMatch(/LinkedIn: no LinkedIn URL/);
    expect(byId(gone)).toMatchObject({ status: 'excluded', reason: 'contact is unsubscribed' });

    const read = await w.ok('GET', `/v1/plans/${String(plan.id)}`);
    expect(read).toEqual(plan);
  });

  it('executes: creates the sequence, enrolls, sends the first touches and answers with the spec summary', async () => {
    const { w, rich, sparse, gone } = await leadsWorld();
    const sequence = await w.ok('POST', '/v1/sequences', {
      name: 'Two steps',
      steps: [
        { day: 0, channel: 'email', template: 'intro' },
        { day: 3, channel: 'linkedin', template: 'connection_request' },
      ],
      schedule: ALWAYS_OPEN,
    });
    const plan = await w.ok('POST', '/v1/plans', { contactIds: [rich, sparse, gone], sequenceId: sequence.id });
    expect(plan).toMatchObject({
      sequenceId: sequence.id,
      preset: null,
      summary: { sequence: { reason: 'the sequence given' } },
    });

    const res = await w.call('POST', `/v1/plans/${String(plan.id)}/execute`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      messages_sent: 2,
      channels_used: { email: 2 },
      errors: [{ contactId: gone, error: 'contact is unsubscribed' }],
      enrolled: 2,
      scheduled: [],
      sequenceId: sequence.id,
    });
    const updates = (res.body.lead_updates as Lead[]).sort((a, b) =>
      (a.name as string).localeCompare(b.name as string),
    );
    expect(updates).toEqual([
      { contactId: sparse, name: 'Bo', previousStatus: 'new', status: 'contacted' },
      { contactId: rich, name: 'Dana Kim', previousStatus: 'new', status: 'contacted' },
    ]);
    const messages = (await w.ok('GET', '/v1/messages?status=sent')).data as Record<string, unknown>[];
    expect(messages.map((m) => [m.channel, m.purpose]).sort()).toEqual([
      ['email', 'intro'],
      ['email', 'intro'],
    ]);

    // The plan keeps its result; a second execution is refused.
    expect(await w.ok('GET', `/v1/plans/${String(plan.id)}`)).toMatchObject({
      status: 'executed',
      result: { messages_sent: 2 },
      executedAt: expect.any(String),
    });
    const again = await w.call('POST', `/v1/plans/${String(plan.id)}/execute`);
    expect(again).toMatchObject({
      status: 409,
      body: { error: { code: 'conflict', message: 'the plan was already executed' } },
    });
  });

  it('with a preset creates the sequence; first touches still inside their jitter are reported as scheduled', async () => {
    const { w, rich } = await leadsWorld();
    const plan = await w.ok('POST', '/v1/plans', { contactIds: [rich], preset: 'aggressive' });
    const result = await w.ok('POST', `/v1/plans/${String(plan.id)}/execute`);
    expect(result).toMatchObject({ messages_sent: 0, channels_used: {}, errors: [], lead_updates: [], enrolled: 1 });
    expect(result.scheduled).toEqual([
      { contactId: rich, enrollmentId: expect.any(String), nextRunAt: expect.any(String) },
    ]);
    const sequence = await w.ok('GET', `/v1/sequences/${String(result.sequenceId)}`);
    expect(sequence).toMatchObject({
      preset: 'aggressive',
      name: expect.stringMatching(/^Aggressive \(hot leads\) · plan 2026-03-02$/),
    });
  });

  it('recommends re-engagement for leads contacted before', async () => {
    const { w, rich, sparse } = await leadsWorld();
    await w.row(`UPDATE contacts SET status = 'contacted' WHERE id = ANY ($1::uuid[])`, [[rich, sparse]]);
    const plan = await w.ok('POST', '/v1/plans', { contactIds: [rich, sparse] });
    expect(plan).toMatchObject({
      preset: 're_engagement',
      summary: { sequence: { reason: '2 of 2 leads were contacted before' } },
    });
  });

  it.each([
    [{}, 400, 'give either "contactIds" or "tag" (exactly one)'],
    [{ contactIds: ['{rich}'], tag: 'q2' }, 400, 'give either "contactIds" or "tag" (exactly one)'],
    [{ contactIds: [] }, 400, 'body.contactIds: must list at least one contact'],
    [{ contactIds: ['x'] }, 400, 'body.contactIds.0: must be a contact id (UUID)'],
    [{ tag: '' }, 400, 'body.tag: must not be empty'],
    [
      { tag: 'q2', preset: 'spray' },
      400,
      'body.preset: must be one of standard_b2b, aggressive, nurture, re_engagement',
    ],
    [
      { tag: 'q2', preset: 'nurture', sequenceId: '0190a1b2-0000-7000-8000-000000000001' },
      400,
      'give "sequenceId" or "preset", not both',
    ],
    [{ tag: 'q2', sequenceId: '0190a1b2-0000-7000-8000-000000000001' }, 404, 'sequence not found'],
    [{ tag: 'nobody' }, 400, 'no contact has the tag "nobody"'],
    [
      { contactIds: ['{rich}', '0190a1b2-0000-7000-8000-000000000002'] },
      404,
      'contacts not found: 0190a1b2-0000-7000-8000-000000000002',
    ],
    [{ tag: 'q2', mood: 'bold' }, 400, 'mood'],
  ])('POST /v1/plans rejects %j with %i and a precise message', async (payload, status, message) => {
    const { w, rich } = await leadsWorld();
    const res = await w.call('POST', '/v1/plans', JSON.parse(JSON.stringify(payload).replace('{rich}', rich)));
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect((res.body.error as { message: string }).message).toContain(message);
  });

  it("keeps plans and contacts per workspace: another workspace's ids are 404", async () => {
    const { w, rich } = await leadsWorld();
    const other = await writerWorkspace(w);
    const [theirs] = await other.contacts([{ ...DANA, email: 'dana@other.example.com' }]);
    const theirPlan = await other.ok('POST', '/v1/plans', { contactIds: [theirs] });

    expect(await w.call('POST', '/v1/plans', { contactIds: [rich, theirs] })).toMatchObject({
      status: 404,
      body: { error: { message: `contacts not found: ${theirs}` } },
    });
    expect(await w.call('GET', `/v1/plans/${String(theirPlan.id)}`)).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found', message: 'plan not found' } },
    });
    expect(await w.call('POST', `/v1/plans/${String(theirPlan.id)}/execute`)).toMatchObject({ status: 404 });
    expect(await w.call('GET', '/v1/plans/not-a-uuid')).toMatchObject({
      status: 400,
      body: { error: { message: 'params.id: must be a UUID' } },
    });
    const bad = await w.call('POST', '/v1/plans', '{"tag":', { 'content-type': 'application/json' });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
    // Their plan is untouched.
    expect(await other.ok('GET', `/v1/plans/${String(theirPlan.id)}`)).toMatchObject({ status: 'draft' });
  });
});
