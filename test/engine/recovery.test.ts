import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpAdapter } from '../../src/channels/http/adapter.ts';
import { register } from '../../src/channels/register.ts';
import { claimStep } from '../../src/engine/steps/claim.ts';
import { decideStep } from '../../src/engine/steps/decide.ts';
import type { AfterCommit } from '../../src/engine/steps/types.ts';
import { startFakeHttpProvider, type FakeHttpProvider } from '../fakes/httpProvider.ts';
import { instant, world, type World } from '../support/world.ts';

let fake: FakeHttpProvider;
beforeAll(async () => {
  fake = await startFakeHttpProvider();
});
afterAll(() => fake.close());

const LEASE = 120_000;

/** An email account on the local HTTP provider, with no caps in the way. */
const HTTP_ACCOUNT = () => ({
  channel: 'email',
  provider: 'http',
  fromEmail: 'me@ours.example.com',
  fromName: 'Sam Rivera',
  credentials: { url: fake.url },
  dailyLimit: 100,
  hourlyLimit: null,
  minGapSeconds: 0,
  warmup: null,
});

/** Enrolls one contact with an HTTP account and reserves step 0 as a worker would, then "crashes". */
async function crashedReservation(w: World) {
  const [contactId] = await w.contacts([
    { email: `crash${Math.random().toString(36).slice(2)}@acme.example.com`, timezone: 'UTC' },
  ]);
  await w.ok('POST', '/v1/senders', HTTP_ACCOUNT());
  const sequenceId = await w.sequence(
    instant([
      { channel: 'email', template: 'intro' },
      { channel: 'email', template: 'followup_1' },
    ]),
  );
  const { enrolled } = await w.enroll(sequenceId, [contactId as string]);
  const enrollmentId = enrolled[0]?.enrollmentId as string;
  const after: AfterCommit = [];
  const decided = await w.engine.deps.db.tenant(w.workspaceId, (sql) =>
    decideStep({ locked: true, sql }, w.engine.deps, { enrollmentId, now: w.clock.now(), after }),
  );
  const reserved = decided.kind === 'claim' ? await claimStep(w.engine.deps, decided) : decided;
  if (reserved.kind !== 'deliver') throw new Error(`expected a reservation, got ${reserved.kind}`);
  return { contactId: contactId as string, enrollmentId, message: reserved.message };
}

describe('never twice: recovery after a crash between reserving and recording', () => {
  it('a message the provider already has is recorded as sent, not sent again', async () => {
    const w = await world({ leaseMs: LEASE });
    const { message, contactId } = await crashedReservation(w);
    // The worker reached the provider, then died before recording.
    await fetch(fake.url, {
      method: 'POST',
      headers: { 'idempotency-key': message.id, 'content-type': 'application/json' },
      body: '{}',
    });
    const posts = fake.posts;
    w.clock.advance(LEASE - 1000);
    await w.engine.tick();
    expect((await w.messages(`&contactId=${contactId}`))[0]).toMatchObject({ status: 'sending' }); // lease not over yet
    w.clock.advance(2000);
    await w.engine.tick();
    const messages = await w.messages(`&contactId=${contactId}`);
    expect(messages.map((m) => [m.step, m.status])).toEqual([
      [0, 'sent'],
      [1, 'sent'],
    ]);
    expect(fake.posts - posts).toBe(1); // only step 1
    expect(fake.deliveries.filter((d) => d.key === message.id)).toHaveLength(1);
  });

  it('a message the provider never got is sent once with the same idempotency key', async () => {
    const w = await world({ leaseMs: LEASE });
    const { message, contactId } = await crashedReservation(w);
    w.clock.advance(LEASE + 1000);
    await w.engine.tick();
    const messages = await w.messages(`&contactId=${contactId}`);
    expect(messages.map((m) => m.status)).toEqual(['sent', 'sent']);
    expect(fake.deliveries.filter((d) => d.key === message.id)).toHaveLength(1);
  });

  it('a provider that can neither look up nor deduplicate gets no blind resend: the row is marked unknown', async () => {
    const blind = register({
      ...httpAdapter,
      idempotent: false,
      lookup: async () => ({ unsupported: true }),
    });
    const w = await world({ leaseMs: LEASE, adapters: { http: blind } });
    const { message, contactId } = await crashedReservation(w);
    const posts = fake.posts;
    w.clock.advance(LEASE + 1000);
    await w.engine.tick();
    const messages = await w.messages(`&contactId=${contactId}`);
    expect(messages.map((m) => [m.step, m.status])).toEqual([
      [0, 'unknown'],
      [1, 'sent'],
    ]);
    expect(fake.posts - posts).toBe(1); // step 1 only; step 0 was not re-sent
    expect(fake.deliveries.some((d) => d.key === message.id)).toBe(false);
    const timeline = await w.timeline(contactId);
    expect(timeline.find((t) => t.type === 'unknown')?.summary).toMatch(/not sent again/);
    const unknown = await w.messages(`&status=unknown`);
    expect(unknown).toHaveLength(1);
  });

  it('keeps exactly one message row per enrollment and step', async () => {
    const w = await world({ leaseMs: LEASE });
    const { enrollmentId } = await crashedReservation(w);
    for (let i = 0; i < 5; i++) {
      w.clock.advance(LEASE + 1000);
      await w.engine.tick();
    }
    const rows = await w.row(
      'SELECT step, count(*)::int AS n FROM messages WHERE enrollment_id = $1 GROUP BY step ORDER BY step',
      [enrollmentId],
    );
    expect(rows).toEqual([
      { step: 0, n: 1 },
      { step: 1, n: 1 },
    ]);
  });

  it('a pause that lands between deciding a step and reserving it wins: nothing is reserved or sent', async () => {
    const w = await world({ leaseMs: LEASE });
    const [contactId] = await w.contacts([{ email: 'pause-race@acme.example.com', timezone: 'UTC' }]);
    await w.ok('POST', '/v1/senders', HTTP_ACCOUNT());
    const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
    const { enrolled } = await w.enroll(sequenceId, [contactId as string]);
    const enrollmentId = enrolled[0]?.enrollmentId as string;
    // Decided without a lock (the usual first look), as a worker would …
    const peek = { locked: false as const, db: w.engine.deps.db, workspaceId: w.workspaceId };
    const decided = await decideStep(peek, w.engine.deps, { enrollmentId, now: w.clock.now(), after: [] });
    expect(decided.kind).toBe('claim');
    // … then paused through the API before the reservation.
    await w.ok('POST', `/v1/enrollments/${enrollmentId}/pause`, {});
    const posts = fake.posts;
    const reserved = decided.kind === 'claim' ? await claimStep(w.engine.deps, decided) : decided;
    expect(reserved.kind).toBe('idle');
    expect(await w.messages(`&contactId=${contactId}`)).toEqual([]);
    expect(await w.enrollment(enrollmentId)).toMatchObject({ status: 'paused' });
    await w.engine.tick();
    expect(fake.posts).toBe(posts);
    // Resumed, it goes out once.
    await w.ok('POST', `/v1/enrollments/${enrollmentId}/resume`, {});
    await w.engine.tick();
    expect((await w.messages(`&contactId=${contactId}`)).map((m) => m.status)).toEqual(['sent']);
  });
});
