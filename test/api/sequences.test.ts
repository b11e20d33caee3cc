import { describe, expect, it } from 'vitest';
import { instant, world } from '../support/world.ts';

describe('sequences API', () => {
  it('lists the presets; standard_b2b is exactly the spec sequence', async () => {
    const w = await world();
    const presets = (await w.ok('GET', '/v1/sequences/presets')).data as Record<string, unknown>[];
    expect(presets.map((p) => p.id)).toEqual(['standard_b2b', 'aggressive', 'nurture', 're_engagement']);
    for (const p of presets) expect(String(p.reasoning).length).toBeGreaterThan(50);
    const standard = presets[0] as { steps: { day: number; channel: string; template: string }[] };
    expect(standard.steps.map((s) => [s.day, s.channel, s.template])).toEqual([
      [0, 'email', 'intro'],
      [2, 'linkedin', 'connection_request'],
      [5, 'email', 'followup_1'],
      [7, 'whatsapp', 'casual_checkin'],
      [10, 'email', 'value_add'],
      [14, 'call', 'discovery_call'],
      [21, 'email', 'breakup'],
    ]);
  });

  it('creates from a preset or from steps, and reads back', async () => {
    const w = await world();
    const fromPreset = await w.ok('POST', '/v1/sequences', { name: 'Q2 outbound', preset: 'nurture' });
    expect(fromPreset).toMatchObject({ name: 'Q2 outbound', preset: 'nurture' });
    const custom = await w.ok('POST', '/v1/sequences', {
      name: 'Custom',
      steps: [
        { day: 0, channel: 'email', template: 'intro', subject: 'Quick question' },
        { day: 1, channel: 'linkedin', template: 'connection_request' },
        { day: 3, channel: 'linkedin', template: 'linkedin_dm', conditions: [{ type: 'linkedin_connected' }] },
      ],
      schedule: {
        timezone: 'Europe/Berlin',
        days: ['mon', 'tue', 'wed'],
        start: '09:00',
        end: '24:00',
        jitterSeconds: 120,
      },
    });
    expect(await w.ok('GET', `/v1/sequences/${custom.id}`)).toMatchObject({
      name: 'Custom',
      schedule: { timezone: 'Europe/Berlin', end: '24:00' },
    });
    expect(((await w.ok('GET', '/v1/sequences')).data ?? []).length).toBe(2);
  });

  it.each([
    [{ name: 'x', preset: 'spray' }, 'preset must be one of standard_b2b, aggressive, nurture, re_engagement'],
    [
      {
        name: 'x',
        steps: [
          { day: 5, channel: 'email', template: 'intro' },
          { day: 2, channel: 'email', template: 'followup_1' },
        ],
      },
      'steps[1].day (2) is before steps[0].day (5)',
    ],
    [{ name: 'x', steps: [{ day: 0, channel: 'fax', template: 'intro' }] }, 'steps[0].channel'],
    [
      { name: 'x', steps: [{ day: 0, channel: 'linkedin', template: 'linkedin_dm' }] },
      'needs an earlier linkedin step with template "connection_request"',
    ],
    [{ name: 'x', steps: [] }, 'steps'],
    [
      { name: 'x', steps: [{ day: 0, channel: 'email', template: 'intro' }], schedule: { timezone: 'Mars/Base' } },
      'schedule.timezone',
    ],
    [
      {
        name: 'x',
        steps: [{ day: 0, channel: 'email', template: 'intro' }],
        schedule: { start: '18:00', end: '09:00' },
      },
      'schedule',
    ],
  ])('rejects %j with a precise message', async (body, fragment) => {
    const w = await world();
    const res = await w.call('POST', '/v1/sequences', body);
    expect(res.status).toBe(400);
    expect(String((res.body.error as Record<string, unknown>).message)).toContain(fragment);
    expect(((await w.ok('GET', '/v1/sequences')).data ?? []).length).toBe(0);
  });

  it('enrolls by ids or tag, and says why a contact was skipped', async () => {
    const w = await world();
    const ids = await w.contacts([
      { email: 'a@x.example.com', tags: ['vip'] },
      { email: 'b@x.example.com', tags: ['vip'] },
      { email: 'c@x.example.com' },
    ]);
    const sequenceId = await w.sequence({ name: 's', preset: 'standard_b2b' });
    const byTag = await w.ok('POST', `/v1/sequences/${sequenceId}/enrollments`, { tag: 'vip' });
    expect((byTag.enrolled as unknown[]).length).toBe(2);
    const again = await w.ok('POST', `/v1/sequences/${sequenceId}/enrollments`, {
      contactIds: [...ids, '00000000-0000-4000-8000-000000000000'],
    });
    expect((again.enrolled as unknown[]).length).toBe(1);
    expect(again.skipped).toEqual(
      expect.arrayContaining([
        { contactId: '00000000-0000-4000-8000-000000000000', reason: 'contact not found' },
        { contactId: ids[0], reason: 'already enrolled in this sequence' },
      ]),
    );
    const bad = await w.call('POST', `/v1/sequences/${sequenceId}/enrollments`, { contactIds: ['nope'] });
    expect(bad.status).toBe(400);
    const missing = await w.call('POST', '/v1/sequences/00000000-0000-4000-8000-000000000000/enrollments', {
      contactIds: ids,
    });
    expect(missing.status).toBe(404);
    const foreign = await w.workspace('foreign');
    expect((await foreign.call('POST', `/v1/sequences/${sequenceId}/enrollments`, { tag: 'vip' })).status).toBe(404);
  });

  it('"no leads": a tag no contact has is a 400 no_leads; ids that name nobody are each skipped with the reason', async () => {
    const w = await world();
    const sequenceId = await w.sequence({ name: 's', preset: 'standard_b2b' });
    // A workspace without any contact.
    const empty = await w.call('POST', `/v1/sequences/${sequenceId}/enrollments`, { tag: 'q3-leads' });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toEqual({ code: 'no_leads', message: 'no contact has the tag "q3-leads"' });
    // Contacts exist, none with that tag: the same answer, and nothing was enrolled.
    await w.contacts([{ email: 'a@x.example.com', tags: ['vip'] }]);
    const nobody = await w.call('POST', `/v1/sequences/${sequenceId}/enrollments`, { tag: 'q3-leads' });
    expect(nobody.status).toBe(400);
    expect((nobody.body.error as Record<string, unknown>).code).toBe('no_leads');
    const unknownIds = await w.ok('POST', `/v1/sequences/${sequenceId}/enrollments`, {
      contactIds: ['00000000-0000-4000-8000-000000000001'],
    });
    expect(unknownIds).toEqual({
      enrolled: [],
      skipped: [{ contactId: '00000000-0000-4000-8000-000000000001', reason: 'contact not found' }],
    });
    const rows = await w.row('SELECT 1 FROM enrollments WHERE sequence_id = $1', [sequenceId]);
    expect(rows).toHaveLength(0);
    // An empty list and an empty tag are malformed requests, and an unknown sequence is still a 404.
    const noIds = await w.call('POST', `/v1/sequences/${sequenceId}/enrollments`, { contactIds: [] });
    expect(noIds.status).toBe(400);
    expect((await w.call('POST', `/v1/sequences/${sequenceId}/enrollments`, { tag: '' })).status).toBe(400);
    const missing = await w.call('POST', '/v1/sequences/00000000-0000-4000-8000-000000000000/enrollments', {
      tag: 'q3-leads',
    });
    expect(missing.status).toBe(404);
  });

  it('simulates on a virtual clock without sending or writing anything', async () => {
    const w = await world();
    const ids = await w.contacts([
      {
        email: 'a@x.example.com',
        timezone: 'America/New_York',
        phone: '+14155550111',
        whatsappOptIn: true,
        linkedinUrl: 'linkedin.com/in/a',
      },
      { email: 'b@y.example.com', country: 'DE' },
    ]);
    await w.ok('POST', '/v1/senders', {
      channel: 'email',
      provider: 'sandbox',
      fromEmail: 'me@ours.example.com',
      dailyLimit: 1,
      warmup: null,
      hourlyLimit: null,
      minGapSeconds: 0,
    });
    const sequenceId = await w.sequence({ name: 's', preset: 'standard_b2b' });
    const result = await w.ok('POST', `/v1/sequences/${sequenceId}/simulate`, { contactIds: ids, days: 30 });
    const contacts = result.contacts as {
      contactId: string;
      timezone: string;
      events: { action: string; channel?: string; at: string; reason?: string }[];
    }[];
    expect(contacts.map((c) => c.timezone)).toEqual(['America/New_York', 'Europe/Berlin']);
    const first = contacts[0]?.events ?? [];
    expect(first.filter((e) => e.action === 'send').map((e) => e.channel)).toEqual([
      'email',
      'linkedin',
      'email',
      'whatsapp',
      'email',
      'call',
      'email',
    ]);
    // One email a day from the only account: the second contact's intro waits for the next day.
    const deferred = contacts
      .flatMap((c) => c.events)
      .find((e) => e.action === 'deferred' && /daily cap/.test(e.reason ?? ''));
    expect(deferred).toBeDefined();
    expect((result.totals as Record<string, number>).sends).toBeGreaterThan(10);
    expect(await w.messages()).toHaveLength(0);
    expect((await w.call('POST', `/v1/sequences/${sequenceId}/simulate`, { days: 0 })).status).toBe(400);
  });
});

describe('analytics', () => {
  it('counts per step and channel: sent, replied, bounced', async () => {
    const w = await world();
    const ids = await w.contacts([
      { email: 'a@x.example.com' },
      { email: 'b@x.example.com' },
      { email: 'c@x.example.com' },
    ]);
    const sequenceId = await w.sequence(
      instant([
        { channel: 'email', template: 'intro' },
        { channel: 'email', template: 'followup_1', day: 3 },
      ]),
    );
    await w.enroll(sequenceId, ids);
    await w.engine.tick();
    const sent = await w.messages();
    await w.ok('POST', `/v1/messages/${sent[0]?.id}/replies`, { body: 'Yes, interested — tell me more.' });
    await w.ok('POST', `/v1/messages/${sent[1]?.id}/replies`, { body: 'Unsubscribe me please' });
    const stats = await w.ok('GET', `/v1/analytics/sequences/${sequenceId}`);
    expect(stats.steps).toEqual([
      expect.objectContaining({
        step: 0,
        channel: 'email',
        sent: 3,
        replied: 2,
        positiveReplies: 1,
        unsubscribed: 1,
        bounced: 0,
      }),
    ]);
    expect((await w.call('GET', '/v1/analytics/sequences/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});

describe('variants', () => {
  it('assigns each contact a variant deterministically and reports each variant and its winner status', async () => {
    const w = await world();
    const ids = await w.contacts(
      Array.from({ length: 12 }, (_, i) => ({ email: `v${i}@x${i}.example.com`, firstName: `V${i}` })),
    );
    const sequenceId = await w.sequence({ ...instant([{ channel: 'email', template: 'intro' }]), variants: 2 });
    const { enrolled } = await w.enroll(sequenceId, ids);
    await w.engine.tick();
    const sent = await w.messages();
    const variants = new Set(sent.map((m) => m.variant));
    expect([...variants].sort()).toEqual([0, 1]);
    for (const e of enrolled) {
      const view = await w.enrollment(e.enrollmentId);
      expect(sent.find((m) => m.contactId === e.contactId)?.variant).toBe(view.variant);
    }
    const stats = await w.ok('GET', `/v1/analytics/sequences/${sequenceId}`);
    expect((stats.steps as { variant: number; sent: number }[]).map((r) => r.variant)).toEqual([0, 1]);
    expect(stats.winners).toEqual([
      expect.objectContaining({
        step: 0,
        channel: 'email',
        winner: null,
        reason: expect.stringMatching(/needs 100 sends per variant/),
      }),
    ]);
  });
});
