// The accounts' usage counters, kept per statement (migration 010): whatever a statement does to
// many messages at once — insert them across accounts, windows and LinkedIn's two quota classes,
// move them in and out of the counted statuses, to another account or another hour — the
// counters equal a recount of the messages.
import { describe, expect, it } from 'vitest';
import { instant, world } from '../support/world.ts';

const ACCOUNT = {
  provider: 'http',
  credentials: { url: 'http://127.0.0.1:9/messages' },
  dailyLimit: 1000,
  hourlyLimit: null,
  minGapSeconds: 0,
  warmup: null,
};

describe('usage counters kept per statement', () => {
  it('equal a recount after batched inserts and updates', async () => {
    const w = await world();
    const utc = await w.ok('POST', '/v1/senders', { ...ACCOUNT, channel: 'email', fromEmail: 'a@ours.example.com' });
    const tokyo = await w.ok('POST', '/v1/senders', {
      ...ACCOUNT,
      channel: 'linkedin',
      provider: 'sandbox',
      credentials: undefined,
      timezone: 'Asia/Tokyo',
    });
    const contacts = await w.contacts(
      Array.from({ length: 12 }, (_, i) => ({
        email: `p${i}@co${i}.example.com`,
        firstName: `P${i}`,
        timezone: 'UTC',
      })),
    );
    const sequenceId = await w.sequence(instant([{ channel: 'email', template: 'intro' }]));
    const { enrolled } = await w.enroll(sequenceId, contacts);
    const db = w.db.pool;
    // Twelve messages in one statement: alternating accounts, purposes (LinkedIn: invitations and
    // messages count apart), reservation hours and statuses.
    await db.query(
      `INSERT INTO messages (id, workspace_id, enrollment_id, contact_id, sequence_id, step, channel, purpose, provider,
         sender_id, status, body, reserved_at)
       SELECT gen_random_uuid(), $1, e.enrollment_id, e.contact_id, $2, 0,
              CASE WHEN e.i % 2 = 0 THEN 'email' ELSE 'linkedin' END,
              CASE WHEN e.i % 4 = 1 THEN 'connection_request' ELSE 'intro' END, 'http',
              CASE WHEN e.i % 2 = 0 THEN $3::uuid ELSE $4::uuid END,
              CASE WHEN e.i % 3 = 0 THEN 'deferred' ELSE 'sending' END, 'Hi',
              timestamptz '2026-03-02 14:30:00+00' + (e.i % 3) * interval '1 hour'
         FROM jsonb_to_recordset($5) AS e (enrollment_id uuid, contact_id uuid, i int)`,
      [
        w.workspaceId,
        sequenceId,
        utc.id,
        tokyo.id,
        JSON.stringify(enrolled.map((e, i) => ({ enrollment_id: e.enrollmentId, contact_id: e.contactId, i }))),
      ],
    );
    const counters = async () =>
      (
        await db.query<{ key: string; n: number }>(
          `SELECT sender_id || ' ' || class || ' ' || kind || ' ' || window_start AS key, n FROM sender_usage
            WHERE workspace_id = $1 AND n > 0 ORDER BY 1`,
          [w.workspaceId],
        )
      ).rows;
    const recount = async () =>
      (
        await db.query<{ key: string; n: number }>(
          `SELECT m.sender_id || ' ' || qh_quota_class(m.channel, m.purpose) || ' ' || k.kind || ' ' ||
                  CASE k.kind WHEN 'day' THEN q.day_start WHEN 'hour' THEN q.hour_start ELSE q.week_start END AS key,
                  count(*)::int AS n
             FROM messages m JOIN senders s ON s.id = m.sender_id
            CROSS JOIN LATERAL qh_quota_windows(m.reserved_at, s.timezone) AS q
            CROSS JOIN (VALUES ('day'), ('hour'), ('week')) AS k (kind)
            WHERE m.workspace_id = $1 AND m.status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown')
            GROUP BY 1 ORDER BY 1`,
          [w.workspaceId],
        )
      ).rows;
    const initial = await recount();
    expect(initial.length).toBeGreaterThan(6);
    expect(await counters()).toEqual(initial);

    // One statement per change, each touching many rows at once.
    const changes = [
      `UPDATE messages SET status = 'sent' WHERE workspace_id = $1 AND status = 'sending'`,
      `UPDATE messages SET status = 'sending' WHERE workspace_id = $1 AND status = 'deferred'`,
      `UPDATE messages SET status = CASE WHEN step = 0 AND purpose = 'intro' THEN 'cancelled' ELSE status END
        WHERE workspace_id = $1 AND channel = 'email'`,
      `UPDATE messages SET reserved_at = reserved_at + interval '10 hours' WHERE workspace_id = $1 AND channel = 'linkedin'`,
      `UPDATE messages SET sender_id = (SELECT id FROM senders WHERE workspace_id = $1 AND channel = 'email'),
              channel = 'email', purpose = 'intro'
        WHERE workspace_id = $1 AND purpose = 'connection_request'`,
      `UPDATE messages SET status = 'failed' WHERE workspace_id = $1 AND reserved_at < timestamptz '2026-03-02 16:00:00+00'`,
    ];
    for (const change of changes) {
      await db.query(change, [w.workspaceId]);
      expect(await counters(), change).toEqual(await recount());
    }
    // Every counted message left the set: nothing is counted, nothing went below zero.
    await db.query(`UPDATE messages SET status = 'cancelled' WHERE workspace_id = $1`, [w.workspaceId]);
    expect(await counters()).toEqual([]);
    const { rows } = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM sender_usage WHERE workspace_id = $1 AND n < 0',
      [w.workspaceId],
    );
    expect(rows[0]?.n).toBe(0);
  });
});
