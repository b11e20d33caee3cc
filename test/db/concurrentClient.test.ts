// One transaction's client used by several statements at once (Promise.all inside db.tenant): the
// statements prepared per connection must be prepared once, never twice ("prepared statement
// … already exists"), whichever of them reaches the connection first.
import { describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/database.ts';
import { senderUsage } from '../../src/db/senderUsage.ts';
import { loadStepContext } from '../../src/db/stepContext.ts';
import { instant, world } from '../support/world.ts';

describe('one client, several statements at once', () => {
  it('prepares each statement once on a fresh connection', async () => {
    const w = await world();
    for (const name of ['a', 'b', 'c'])
      await w.ok('POST', '/v1/senders', { channel: 'sms', provider: 'sandbox', name, fromPhone: '+14155550100' });
    const [ana, bo] = await w.contacts([
      { email: 'ana@acme.example.com', timezone: 'UTC' },
      { email: 'bo@acme.example.com', timezone: 'UTC' },
    ]);
    const sequenceId = await w.sequence(instant([{ channel: 'sms', template: 'intro' }]));
    const { enrolled } = await w.enroll(sequenceId, [ana as string, bo as string]);
    // A fresh pool: no statement is prepared on its connection yet.
    const fresh = createDb({ url: (w.db.pool.options as { connectionString: string }).connectionString, poolSize: 1 });
    try {
      const senders = (await w.row<{ id: string }>('SELECT id FROM senders')).map((s) => ({
        id: s.id,
        timezone: 'UTC',
      }));
      const now = w.clock.now();
      const results = await fresh.tenant(w.workspaceId, (sql) =>
        Promise.all([
          senderUsage(sql, senders.slice(0, 1), 'all', now),
          senderUsage(sql, senders.slice(1), 'all', now),
          loadStepContext(sql, enrolled[0]?.enrollmentId ?? ''),
          loadStepContext(sql, enrolled[1]?.enrollmentId ?? ''),
        ]),
      );
      expect(results[0].size + results[1].size).toBe(3);
      expect(results[2]?.contact.id).toBe(ana);
      expect(results[3]?.contact.id).toBe(bo);
      // And GET /v1/senders with several accounts answers.
      expect((await w.ok('GET', '/v1/senders')).data).toHaveLength(3);
    } finally {
      await fresh.close();
    }
  });
});
