// Emails are signed by a person: a real email send from an account with no person name (fromName)
// is held with a reason the API shows (the contact's timeline, the account's identityGaps, the
// preview's warnings), never skipped; naming the account (PATCH /v1/senders/:id) releases it at once
// and it goes out signed. The sandbox still writes its drafts, with the warning.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHttpProvider, type FakeHttpProvider } from '../fakes/httpProvider.ts';
import { instant, world, type World } from '../support/world.ts';

let fake: FakeHttpProvider;
beforeAll(async () => {
  fake = await startFakeHttpProvider();
});
afterAll(() => fake.close());

const UNNAMED = () => ({
  channel: 'email',
  provider: 'http',
  fromEmail: 'sales@ours.example.com',
  credentials: { url: fake.url },
  dailyLimit: 100,
  hourlyLimit: null,
  minGapSeconds: 0,
  warmup: null,
});

async function enrolled(w: World, email: string) {
  const [contactId] = await w.contactsByEmail([
    { email, firstName: 'Dana', company: 'Globex', title: 'Head of Finance', timezone: 'UTC' },
  ]);
  const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
  const { enrolled: list } = await w.enroll(sequenceId, [contactId as string]);
  return { contactId: contactId as string, enrollmentId: list[0]?.enrollmentId as string };
}

const deliveredTo = (email: string) => fake.deliveries.filter((d) => JSON.stringify(d.body).includes(email));

describe('emails are signed by a person', () => {
  it('holds a real send from an account with no name, says why, and sends it once the name is set', async () => {
    const w = await world();
    const sender = await w.ok('POST', '/v1/senders', UNNAMED());
    const gap = { gap: 'sender_name', reason: expect.stringMatching(/no person name to sign with/) };
    expect(sender).toMatchObject({ fromName: null, identityGaps: [gap] });
    const email = `dana.${Date.now()}@globex.example.com`;
    const { contactId } = await enrolled(w, email);

    await w.engine.tick();
    expect(deliveredTo(email)).toHaveLength(0);
    expect(await w.messages(`&contactId=${contactId}`)).toEqual([]);
    const deferred = (await w.timeline(contactId)).find((t) => t.type === 'deferred');
    expect(deferred?.summary).toMatch(
      /deferred until .*real sends are held until the sender's identity is set: the sending account has no person name to sign with \(PATCH \/v1\/senders\/:id \{"fromName"\}\)/,
    );
    const [held] = await w.row<{ by: string; ref: string }>(
      'SELECT held_by AS by, held_ref AS ref FROM enrollments WHERE contact_id = $1',
      [contactId],
    );
    expect(held).toEqual({ by: 'identity', ref: sender.id });
    // The preview still writes the draft, with the warning.
    const preview = await w.ok('POST', '/v1/writer/generate', { contactId, channel: 'email', purpose: 'intro' });
    expect(preview.body).toEqual(expect.any(String));
    expect(preview.warnings).toEqual([expect.stringMatching(/no person name to sign with/)]);
    // Held, not skipped: an hour later it is still waiting.
    w.clock.advance(61 * 60_000);
    await w.engine.tick();
    expect(deliveredTo(email)).toHaveLength(0);

    // A blank name is still no name; a real one releases the step at once (no clock move).
    const blank = await w.ok('PATCH', `/v1/senders/${sender.id}`, { fromName: '   ' });
    expect(blank.identityGaps).toEqual([gap]);
    const named = await w.ok('PATCH', `/v1/senders/${sender.id}`, { fromName: 'Sam Rivera' });
    expect(named).toMatchObject({ fromName: 'Sam Rivera', identityGaps: [] });
    const resumed = (await w.timeline(contactId)).find((t) => t.type === 'resumed');
    expect(resumed?.summary).toMatch(/has a name to sign with/);
    await w.engine.tick();
    const [message] = await w.messages(`&contactId=${contactId}`);
    expect(message).toMatchObject({ status: 'sent' });
    expect(String(message?.body)).toMatch(/\nSam Rivera\s*$/);
    expect(deliveredTo(email)).toHaveLength(1);
    const after = await w.ok('POST', '/v1/writer/generate', { contactId, channel: 'email', purpose: 'intro' });
    expect(JSON.stringify(after.warnings ?? [])).not.toMatch(/person name/);
  });

  it('the sandbox still sends its drafts from an unnamed account; the preview warns', async () => {
    const w = await world();
    const sandbox = await w.ok('POST', '/v1/senders', {
      channel: 'email',
      provider: 'sandbox',
      fromEmail: 'me@ours.example.com',
    });
    expect(sandbox.identityGaps).toEqual([]);
    const { contactId } = await enrolled(w, `dana.sandbox.${Date.now()}@globex.example.com`);
    await w.engine.tick();
    expect((await w.messages(`&contactId=${contactId}`))[0]).toMatchObject({ status: 'sent', provider: 'sandbox' });
    const preview = await w.ok('POST', '/v1/writer/generate', { contactId, channel: 'email', purpose: 'intro' });
    expect(preview.warnings).toEqual([expect.stringMatching(/no person name to sign with/)]);
  });

  it('holds on the name only for email: an unnamed SMS account sends', async () => {
    const w = await world();
    const sms = await w.ok('POST', '/v1/senders', {
      ...UNNAMED(),
      channel: 'sms',
      fromEmail: undefined,
      fromPhone: '+14155550100',
    });
    expect(sms.identityGaps).toEqual([]);
    const [contactId] = await w.contactsByEmail([
      { email: `sms.${Date.now()}@globex.example.com`, phone: '+14155550123', smsOptIn: true, timezone: 'UTC' },
    ]);
    const sequenceId = await w.sequence(instant([{ channel: 'sms', template: 'intro' }]));
    await w.enroll(sequenceId, [contactId as string]);
    await w.engine.tick();
    expect((await w.messages(`&contactId=${contactId}`))[0]).toMatchObject({ status: 'sent', channel: 'sms' });
  });
});
