// A reservation left `sending` by a crashed worker is reconciled by exactly one runner: two runners
// reaching it at once (a retried job and the sweep) must not both look it up, find nothing and send
// it again through a provider that has no idempotency key.
import { describe, expect, it } from 'vitest';
import { httpAdapter } from '../../src/channels/http/adapter.ts';
import { register, type RegisteredAdapter } from '../../src/channels/register.ts';
import { instant, world } from '../support/world.ts';

describe('crash reconciliation', () => {
  it('lets one runner reconcile an expired reservation, even when two run at once', async () => {
    let sends = 0;
    let hang = true;
    // Not idempotent, but able to prove a message absent (like Gmail's lookup by Message-ID).
    const adapter: RegisteredAdapter = {
      ...register(httpAdapter),
      idempotent: false,
      async send(message) {
        sends++;
        // The first call never returns: its worker "crashed" with the reservation `sending`.
        if (hang) return new Promise(() => {});
        return { ok: true, value: { providerMessageId: `p_${message.id}` } };
      },
      // Slow enough that both runners would be looking at once.
      lookup: async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return { found: false };
      },
    };
    const w = await world({ adapters: { http: adapter }, leaseMs: 60_000 });
    await w.ok('POST', '/v1/senders', {
      channel: 'email',
      provider: 'http',
      fromEmail: 'x@example.com',
      fromName: 'Sam Rivera',
      credentials: { url: 'http://127.0.0.1:9/messages' },
      dailyLimit: 1000,
      hourlyLimit: null,
      minGapSeconds: 0,
      warmup: null,
    });
    const [contactId] = await w.contacts([{ email: 'ana@acme.example.com', timezone: 'UTC' }]);
    const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
    const { enrolled } = await w.enroll(sequenceId, [contactId as string]);
    const ref = { workspaceId: w.workspaceId, enrollmentId: enrolled[0]?.enrollmentId as string };

    void w.engine.runEnrollment(ref); // the crashed worker: reserved, called the provider, never recorded
    while (sends === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    hang = false;
    w.clock.advance(61_000);
    await Promise.all([w.engine.runEnrollment(ref), w.engine.runEnrollment(ref)]);
    expect(sends).toBe(2); // the crashed attempt and one reconciliation, not two
    const messages = await w.messages();
    expect(messages.map((m) => m.status)).toEqual(['sent']);
  });
});
