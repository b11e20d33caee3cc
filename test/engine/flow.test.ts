import { describe, expect, it } from 'vitest';
import { instant, MONDAY_9AM, world } from '../support/world.ts';

const DAY = 86_400_000;

const rich = {
  email: 'ana@acme.example.com',
  phone: '+14155550123',
  linkedinUrl: 'https://www.linkedin.com/in/ana-lopez',
  firstName: 'Ana',
  lastName: 'Lopez',
  title: 'VP Operations',
  company: 'Acme',
  timezone: 'UTC',
  whatsappOptIn: true,
  enrichment: { painPoints: ['manual month-end reporting'], techStack: ['HubSpot'], industry: 'logistics' },
};
const sparse = { email: 'bo@globex.example.com', firstName: 'Bo', timezone: 'UTC' };

describe('the standard_b2b preset run by the engine through the sandbox', () => {
  it('sends every step on its day, falls back where a channel is missing, and completes', async () => {
    const w = await world();
    const [a, b] = await w.contacts([rich, sparse]);
    const sequenceId = await w.sequence({ name: 'Outbound', preset: 'standard_b2b' });
    const { enrolled } = await w.enroll(sequenceId, [a as string, b as string]);
    expect(enrolled).toHaveLength(2);

    // Day 0 inside the window (jitter ≤ 5 min): the intro emails.
    w.clock.advance(5 * 60_000);
    await w.engine.tick();
    let sent = await w.messages('&status=sent');
    expect(sent.map((m) => [m.channel, m.purpose, m.provider])).toEqual([
      ['email', 'intro', 'sandbox'],
      ['email', 'intro', 'sandbox'],
    ]);
    for (const m of sent) {
      expect(m.body).not.toMatch(/\{\{|\}\}/);
      expect(String(m.subject ?? '').length).toBeGreaterThan(0);
    }
    expect(sent.find((m) => m.contactId === a)?.body).toContain('Ana');

    // Walk through the 21 days (Monday → the Monday three weeks on).
    for (let day = 1; day <= 24; day++) {
      w.clock.set(new Date(MONDAY_9AM.getTime() + day * DAY + 10 * 60_000));
      await w.engine.tick();
    }
    sent = await w.messages('&status=sent');
    const byContact = (id: string) => sent.filter((m) => m.contactId === id).map((m) => `${m.step}:${m.channel}`);
    expect(byContact(a as string)).toEqual(['0:email', '1:linkedin', '2:email', '3:whatsapp', '4:email', '6:email']);
    // Ana's call step is a task for a person (docs/calls.md), not a message.
    const tasks = (await w.ok('GET', '/v1/tasks')).data as { contactId: string; step: number }[];
    expect(tasks.map((t) => [t.contactId, t.step])).toEqual([[a, 5]]);
    // Bo has no LinkedIn, no phone: LinkedIn → email, WhatsApp → SMS (no phone) → email, call → email.
    expect(byContact(b as string)).toEqual([
      '0:email',
      '1:email',
      '2:email',
      '3:email',
      '4:email',
      '5:email',
      '6:email',
    ]);

    const timeline = await w.timeline(b as string);
    const fellBack = timeline.filter((t) => t.type === 'fell_back');
    expect(fellBack.map((t) => t.data.step)).toEqual(expect.arrayContaining([1, 3, 5]));
    expect(fellBack.find((t) => t.data.step === 1)?.summary).toMatch(/LinkedIn/i);
    expect(timeline.some((t) => t.type === 'completed')).toBe(true);

    const enrollment = await w.enrollment(enrolled[0]?.enrollmentId as string);
    expect(enrollment).toMatchObject({ status: 'completed', currentStep: 7 });
    const contact = await w.ok('GET', `/v1/contacts/${a}`);
    expect(contact.status).toBe('unreachable');
  });

  it('never sends a step before its day, and only inside the window', async () => {
    const w = await world({ start: new Date('2026-03-06T16:58:00Z') }); // Friday
    const [a] = await w.contacts([sparse]);
    const sequenceId = await w.sequence({
      name: 'Window',
      steps: [
        { day: 0, channel: 'email', template: 'intro' },
        { day: 3, channel: 'email', template: 'followup_1' },
      ],
      schedule: {
        timezone: 'UTC',
        days: ['mon', 'tue', 'wed', 'thu', 'fri'],
        start: '08:00',
        end: '17:00',
        jitterSeconds: 600,
      },
    });
    await w.enroll(sequenceId, [a as string]);
    await w.engine.tick();
    // Friday 16:58 + up to 10 min of jitter cannot end past 17:00: either it went out now, or Monday.
    for (let hour = 0; hour < 24 * 7; hour++) {
      w.clock.advance(3600_000);
      await w.engine.tick();
    }
    const sent = await w.messages('&status=sent');
    expect(sent).toHaveLength(2);
    for (const m of sent) {
      const at = new Date(String(m.sentAt));
      expect([1, 2, 3, 4, 5]).toContain(at.getUTCDay());
      expect(at.getUTCHours() * 60 + at.getUTCMinutes()).toBeGreaterThanOrEqual(8 * 60);
      expect(at.getUTCHours() * 60 + at.getUTCMinutes()).toBeLessThan(17 * 60 + 1);
    }
    const second = new Date(String(sent[1]?.sentAt));
    expect(second.getTime()).toBeGreaterThanOrEqual(new Date('2026-03-09T08:00:00Z').getTime()); // enrolled Fri + 3 days = Mon
  });
});

describe('conditions and skips', () => {
  it('skips a step whose condition is not met and says why on the timeline', async () => {
    const w = await world();
    const [a] = await w.contacts([sparse]);
    const sequenceId = await w.sequence(
      instant([
        { channel: 'email', template: 'intro' },
        { channel: 'email', template: 'followup_1' },
      ]),
    );
    // Add a condition through a full definition: step 1 only if step 0 was opened.
    const conditional = await w.sequence({
      ...instant([{ channel: 'email', template: 'intro' }]),
      name: 'conditional',
      steps: [
        { day: 0, channel: 'email', template: 'intro' },
        { day: 0, channel: 'email', template: 'followup_1', conditions: [{ type: 'opened', step: 0 }] },
        { day: 0, channel: 'email', template: 'breakup', conditions: [{ type: 'has_field', field: 'phone' }] },
      ],
    });
    expect(sequenceId).not.toBe(conditional);
    await w.enroll(conditional, [a as string]);
    await w.engine.tick();
    const sent = await w.messages('&status=sent');
    expect(sent.map((m) => m.step)).toEqual([0]);
    const skipped = (await w.timeline(a as string)).filter((t) => t.type === 'skipped');
    expect(skipped.map((t) => t.data.step)).toEqual([2, 1]); // newest first
    expect(skipped[1]?.summary).toMatch(/condition not met/);
  });
});

describe('LinkedIn connections and the colleague rule', () => {
  it('sends a LinkedIn DM only once the connection was accepted; otherwise it falls back', async () => {
    const w = await world();
    const [connected, pending] = await w.contacts([
      { email: 'c1@acme.example.com', linkedinUrl: 'linkedin.com/in/c-one', timezone: 'UTC' },
      { email: 'c2@acme.example.com', linkedinUrl: 'linkedin.com/in/c-two', timezone: 'UTC' },
    ]);
    const sequenceId = await w.sequence(
      instant([
        { channel: 'linkedin', template: 'connection_request' },
        { channel: 'linkedin', template: 'linkedin_dm', day: 2 },
      ]),
    );
    await w.enroll(sequenceId, [connected as string, pending as string]);
    await w.engine.tick();
    const accepted = await w.ok('POST', `/v1/contacts/${connected}/linkedin-connection`, { connected: true });
    expect(accepted.linkedinConnectedAt).toEqual(expect.any(String));
    w.clock.advance(2 * DAY + 60_000);
    await w.engine.tick();
    const dm = async (id: string) => (await w.messages('&status=sent')).find((m) => m.contactId === id && m.step === 1);
    expect(await dm(connected as string)).toMatchObject({ channel: 'linkedin', purpose: 'linkedin_dm' });
    // The request went out: the DM waits for the acceptance up to its timeout (14 days), then falls back.
    expect(await dm(pending as string)).toBeUndefined();
    w.clock.advance(14 * DAY);
    await w.engine.tick();
    expect(await dm(pending as string)).toMatchObject({ channel: 'email' });
    expect((await w.timeline(pending as string)).find((t) => t.type === 'fell_back')?.summary).toMatch(/connect/i);
    expect((await w.call('POST', `/v1/contacts/${connected}/linkedin-connection`, { connected: 'yes' })).status).toBe(
      400,
    );
  });

  it('with pauseColleaguesOnReply, a reply pauses colleagues at the same company domain', async () => {
    const w = await world();
    const [ana, ben, other] = await w.contacts([
      { email: 'ana@acme.example.com', companyDomain: 'acme.example.com', timezone: 'UTC' },
      { email: 'ben@acme.example.com', companyDomain: 'acme.example.com', timezone: 'UTC' },
      { email: 'zoe@else.example.com', companyDomain: 'else.example.com', timezone: 'UTC' },
    ]);
    const sequenceId = await w.sequence({
      ...instant([
        { channel: 'email', template: 'intro' },
        { channel: 'email', template: 'followup_1', day: 2 },
      ]),
      pauseColleaguesOnReply: true,
    });
    const { enrolled } = await w.enroll(sequenceId, [ana as string, ben as string, other as string]);
    await w.engine.tick();
    const first = (await w.messages(`&contactId=${ana}`))[0];
    await w.ok('POST', `/v1/messages/${first?.id}/replies`, { body: 'Not interested, thanks.' });
    const status = async (contactId: string) =>
      (await w.enrollment(enrolled.find((e) => e.contactId === contactId)?.enrollmentId as string)).status;
    expect(await status(ana as string)).toBe('stopped');
    expect(await status(ben as string)).toBe('paused');
    expect(await status(other as string)).toBe('active');
    expect((await w.timeline(ben as string)).find((t) => t.type === 'paused')?.summary).toMatch(
      /colleague at acme.example.com replied/,
    );
    w.clock.advance(3 * DAY);
    await w.engine.tick();
    expect((await w.messages('&status=sent')).filter((m) => m.step === 1).map((m) => m.contactId)).toEqual([other]);
    expect((await w.ok('GET', `/v1/contacts/${ana}`)).status).toBe('not_interested');
  });
});
