// Account and sequence health. Over the last sends (at least MIN_SENDS, at most WINDOW) of an email
// account, or of a sequence across its accounts, a hard-bounce rate ≥ 5 % or a complaint rate
// ≥ 0.1 % pauses the account (senders.status = 'paused') or the sequence (sequences.status =
// 'paused': none of its email steps goes out until someone resumes it, see resumeSending.ts).
// Mailbox providers judge a domain by exactly these two numbers; pausing early protects every other
// account on the domain. Within the 200-send window one complaint is already 0.5 %: in practice any
// complaint among an account's last 200 sends (once it has 50) pauses it.
//
// Only the sends reserved at or after the account's (sequence's) health_since count: resuming sets it
// (resumeSending.ts), so the sends that caused a pause are not judged again and one late bounce of
// an old message cannot pause it at once; the window restarts, and 50 new sends are needed to judge.
import { addActivity } from '../../db/activities.ts';
import type { Sql } from '../../db/database.ts';

export const HEALTH = { minSends: 50, window: 200, maxBounceRate: 0.05, maxComplaintRate: 0.001 } as const;

export type Health = {
  sends: number;
  bounceRate: number;
  complaintRate: number;
  /** The sends judged are those made since this time (the last resume); null: all of them. */
  since: string | null;
};

async function rates(sql: Sql, owner: 'senders' | 'sequences', id: string): Promise<Health> {
  const column = owner === 'senders' ? 'sender_id' : 'sequence_id';
  const { rows } = await sql.query<{ sends: number; bounces: number; complaints: number; since: Date | null }>(
    `WITH owner AS (SELECT health_since FROM ${owner} WHERE id = $1),
     recent AS (SELECT id FROM messages WHERE ${column} = $1 AND channel = 'email'
                   AND status IN ('sent', 'delivered', 'bounced')
                   AND reserved_at >= coalesce((SELECT health_since FROM owner), '-infinity')
                 ORDER BY reserved_at DESC LIMIT $2)
     SELECT count(*)::int AS sends,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = r.id
              AND e.event_type = 'bounced' AND coalesce(e.metadata->>'type', 'hard') = 'hard'))::int AS bounces,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = r.id
              AND e.event_type = 'complained'))::int AS complaints,
            (SELECT health_since FROM owner) AS since
       FROM recent r`,
    [id, HEALTH.window],
  );
  const row = rows[0] ?? { sends: 0, bounces: 0, complaints: 0, since: null };
  return {
    sends: row.sends,
    bounceRate: row.sends ? row.bounces / row.sends : 0,
    complaintRate: row.sends ? row.complaints / row.sends : 0,
    since: row.since ? row.since.toISOString() : null,
  };
}

export const senderHealth = (sql: Sql, senderId: string) => rates(sql, 'senders', senderId);
export const sequenceHealth = (sql: Sql, sequenceId: string) => rates(sql, 'sequences', sequenceId);

/** Why these numbers call for a pause, or undefined while healthy (or too few sends to judge). */
export function unhealthyReason(health: Omit<Health, 'since'>): string | undefined {
  if (health.sends < HEALTH.minSends) return undefined;
  const percent = (rate: number) => `${(rate * 100).toFixed(rate < 0.01 ? 2 : 1)} %`;
  if (health.bounceRate >= HEALTH.maxBounceRate)
    return `bounce rate ${percent(health.bounceRate)} over the last ${health.sends} sends (limit 5 %)`;
  if (health.complaintRate >= HEALTH.maxComplaintRate)
    return `complaint rate ${percent(health.complaintRate)} over the last ${health.sends} sends (limit 0.1 %)`;
  return undefined;
}

/** After a bounce or a complaint: pauses the account and the sequence when their rates demand it. */
export async function checkSenderHealth(
  sql: Sql,
  input: {
    message: { workspaceId: string; senderId: string | null; sequenceId: string; enrollmentId: string };
    contactId: string;
    now: Date;
  },
): Promise<void> {
  const { message, contactId, now } = input;
  const note = (summary: string, data: Record<string, unknown>) =>
    addActivity(sql, {
      workspaceId: message.workspaceId,
      contactId,
      type: 'paused',
      summary,
      data: { enrollmentId: message.enrollmentId, sequenceId: message.sequenceId, ...data },
      occurredAt: now,
    });
  if (message.senderId) {
    const reason = unhealthyReason(await senderHealth(sql, message.senderId));
    if (reason) {
      const { rows } = await sql.query<{ name: string }>(
        `UPDATE senders SET status = 'paused', status_reason = $2, updated_at = now()
          WHERE id = $1 AND status = 'active' RETURNING coalesce(name, from_email, id::text) AS name`,
        [message.senderId, `health: ${reason}`],
      );
      if (rows[0]) await note(`Account ${rows[0].name} paused: ${reason}`, { senderId: message.senderId, reason });
    }
  }
  const reason = unhealthyReason(await sequenceHealth(sql, message.sequenceId));
  if (reason) {
    const { rowCount } = await sql.query(
      `UPDATE sequences SET status = 'paused', status_reason = $2 WHERE id = $1 AND status = 'active'`,
      [message.sequenceId, `health: ${reason}`],
    );
    if (rowCount === 1) await note(`Sequence paused: ${reason}`, { reason });
  }
}
