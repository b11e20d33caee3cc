// Per step, channel and variant: what went out and what came back.
import type { Sql } from './database.ts';

export type StepStats = {
  step: number;
  channel: string;
  variant: number;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  replied: number;
  positiveReplies: number;
  bounced: number;
  unsubscribed: number;
  complained: number;
};

export async function sequenceStats(sql: Sql, sequenceId: string): Promise<StepStats[]> {
  const { rows } = await sql.query<StepStats>(
    `SELECT m.step, m.channel, m.variant,
            count(*) FILTER (WHERE m.status IN ('sent', 'delivered', 'bounced'))::int AS sent,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = m.id AND e.event_type = 'delivered'))::int AS delivered,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = m.id AND e.event_type = 'opened' AND NOT e.machine))::int AS opened,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = m.id AND e.event_type = 'clicked' AND NOT e.machine))::int AS clicked,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM replies r WHERE r.message_id = m.id AND r.intent NOT IN ('auto_reply', 'out_of_office', 'bounce')))::int AS replied,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM replies r WHERE r.message_id = m.id AND r.intent IN ('interested', 'meeting_request', 'question')))::int AS "positiveReplies",
            count(*) FILTER (WHERE m.status = 'bounced' OR EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = m.id AND e.event_type = 'bounced'))::int AS bounced,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = m.id AND e.event_type = 'unsubscribed'))::int AS unsubscribed,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = m.id AND e.event_type = 'complained'))::int AS complained
       FROM messages m
      WHERE m.sequence_id = $1
      GROUP BY m.step, m.channel, m.variant
      ORDER BY m.step, m.channel, m.variant`,
    [sequenceId],
  );
  return rows;
}
