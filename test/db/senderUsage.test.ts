// Reading accounts' usage to rank them: a peeking decision's read is answered by an identical read
// already in flight (the same accounts, class and minute), a transaction's never is, and both see
// the counters as they are.
import { describe, expect, it } from 'vitest';
import type { Sql } from '../../src/db/database.ts';
import { senderUsage } from '../../src/db/senderUsage.ts';
import { MONDAY_9AM, world } from '../support/world.ts';

describe('account usage reads', () => {
  it('shares an identical read in flight when asked to, and only then', async () => {
    const w = await world();
    const ids: string[] = [];
    for (const i of [1, 2, 3]) {
      const sender = await w.ok('POST', '/v1/senders', {
        channel: 'email',
        provider: 'http',
        fromEmail: `s${i}@ours.example.com`,
        fromName: 'Sam Rivera',
        credentials: { url: 'http://127.0.0.1:9/messages' },
        warmup: null,
      });
      ids.push(String(sender.id));
    }
    const accounts = ids.map((id) => ({ id, timezone: 'UTC' }));
    const db = w.db;
    let reads = 0;
    const sql: Sql = {
      query: (text, values) => db.tenant(w.workspaceId, (tx) => tx.query(text, values)),
      batch: async (text, uses) => {
        reads++;
        return (await db.statements(w.workspaceId, text, uses)).slice(1);
      },
    };
    // Ten rankings in the same minute, at once: one read.
    const at = (seconds: number) => new Date(MONDAY_9AM.getTime() + seconds * 1000);
    const shared = await Promise.all(
      Array.from({ length: 10 }, (_, i) => senderUsage(sql, accounts, 'all', at(i), { shared: true })),
    );
    expect(reads).toBe(1);
    for (const usage of shared) expect([...usage.keys()].sort()).toEqual([...ids].sort());
    // Another minute is another question; without `shared`, every call reads.
    reads = 0;
    await Promise.all([
      senderUsage(sql, accounts, 'all', at(0), { shared: true }),
      senderUsage(sql, accounts, 'all', at(60), { shared: true }),
    ]);
    expect(reads).toBe(2);
    reads = 0;
    await Promise.all(Array.from({ length: 3 }, () => senderUsage(sql, accounts, 'all', at(0))));
    expect(reads).toBe(3);
    // Once a read has finished, the next one reads again (nothing is cached).
    reads = 0;
    await senderUsage(sql, accounts, 'all', at(0), { shared: true });
    await senderUsage(sql, accounts, 'all', at(0), { shared: true });
    expect(reads).toBe(2);
  });
});
