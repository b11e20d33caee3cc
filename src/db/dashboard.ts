// Read models the dashboard needs across aggregates: today's sends per channel, open hand-offs,
// the workspace-wide activity feed, contact search and sends over time.
import { encodeCursor, cursorTimestamp, encodeIdCursor, type Cursor } from './cursor.ts';
import { CONTACT_COLUMNS, type Contact } from './contacts.ts';
import type { Sql } from './database.ts';

export async function sentSince(sql: Sql, since: Date): Promise<{ channel: string; sent: number }[]> {
  const { rows } = await sql.query<{ channel: string; sent: number }>(
    `SELECT channel, count(*)::int AS sent FROM messages
      WHERE status IN ('sent', 'delivered', 'bounced') AND sent_at >= $1
      GROUP BY channel ORDER BY channel`,
    [since],
  );
  return rows;
}

export async function workspaceCounts(
  sql: Sql,
): Promise<{ contacts: number; sequences: number; activeEnrollments: number }> {
  const { rows } = await sql.query<{ contacts: number; sequences: number; activeEnrollments: number }>(
    `SELECT (SELECT count(*)::int FROM contacts) AS contacts, (SELECT count(*)::int FROM sequences) AS sequences,
            (SELECT count(*)::int FROM enrollments WHERE status IN ('active', 'paused')) AS "activeEnrollments"`,
  );
  return rows[0] ?? { contacts: 0, sequences: 0, activeEnrollments: 0 };
}

export type FeedActivity = {
  id: string;
  contactId: string;
  type: string;
  summary: string;
  data: Record<string, unknown>;
  occurredAt: string;
  contact: { name: string; email: string | null; company: string | null; phone: string | null; title: string | null };
  /** For hand-offs: the outcome recorded on its reply, if any. */
  outcome: string | null;
};

/** Activities of every contact, newest first, optionally of some types; `open`: hand-offs with no outcome. */
export async function listFeed(
  sql: Sql,
  filter: { types?: string[]; open?: boolean; limit: number; cursor?: Cursor },
): Promise<{ data: FeedActivity[]; nextCursor: string | null }> {
  const { rows } = await sql.query<FeedActivity & { cursorAt: string }>(
    `SELECT * FROM (
       SELECT a.id, a.contact_id AS "contactId", a.type, a.summary, a.data,
              to_json(a.occurred_at) #>> '{}' AS "occurredAt", ${cursorTimestamp('a.occurred_at')} AS "cursorAt",
              a.occurred_at, json_build_object('name', trim(concat_ws(' ', c.first_name, c.last_name)),
                'email', c.email, 'company', c.company, 'phone', c.phone, 'title', c.title) AS contact,
              (SELECT ra.data ->> 'outcome' FROM reply_actions ra
                WHERE a.type = 'handoff' AND ra.reply_id::text = a.data ->> 'replyId' AND ra.action = 'outcome'
                ORDER BY ra.created_at DESC LIMIT 1) AS outcome
         FROM activities a JOIN contacts c ON c.id = a.contact_id
        WHERE ($1::text[] IS NULL OR a.type = ANY ($1))
          AND ($2::timestamptz IS NULL OR (a.occurred_at, a.id) < ($2::timestamptz, $3::uuid))
     ) AS feed
     WHERE NOT $4::boolean OR outcome IS NULL
     ORDER BY occurred_at DESC, id DESC LIMIT $5`,
    [
      filter.types ?? null,
      filter.cursor?.at ?? null,
      filter.cursor?.id ?? null,
      filter.open === true,
      filter.limit + 1,
    ],
  );
  const data = rows.slice(0, filter.limit);
  const last = data[data.length - 1];
  return {
    data: data.map(
      ({ cursorAt: _c, occurred_at: _o, ...a }: FeedActivity & { cursorAt: string; occurred_at?: unknown }) => a,
    ),
    nextCursor: rows.length > filter.limit && last ? encodeCursor({ at: last.cursorAt, id: last.id }) : null,
  };
}

/** Hand-offs not acknowledged yet: what GET /v1/handoffs?status=open lists (reply, call and manual ones). */
export async function countOpenHandoffs(sql: Sql): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM handoffs WHERE status = 'open'`);
  return rows[0]?.n ?? 0;
}

/** Call tasks not done yet that are due by `until` (the end of the workspace's day). */
export async function countTasksDue(sql: Sql, until: Date): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM tasks WHERE status <> 'done' AND due_at <= $1`,
    [until],
  );
  return rows[0]?.n ?? 0;
}

/** What a channel needs of a contact to reach them there. */
export const REACHABLE_CHANNELS = ['email', 'phone', 'linkedin', 'whatsapp', 'sms'] as const;
export type Reachable = (typeof REACHABLE_CHANNELS)[number];
export const REACHABLE: Record<Reachable, string> = {
  email: 'c.email IS NOT NULL',
  phone: 'c.phone IS NOT NULL',
  linkedin: 'c.linkedin_url IS NOT NULL',
  whatsapp: 'c.phone IS NOT NULL AND c.whatsapp_opt_in IS TRUE',
  sms: 'c.phone IS NOT NULL AND c.sms_opt_in IS TRUE',
};

/** Contacts matching a search text (name, email, company, title, phone), tag, status and reachability. */
export async function searchContacts(
  sql: Sql,
  filter: { q?: string; tag?: string; status?: string; reachable?: Reachable; limit: number; afterId?: string },
): Promise<{ data: Contact[]; nextCursor: string | null }> {
  const pattern = filter.q ? `%${filter.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%` : null;
  const { rows } = await sql.query<Contact>(
    `SELECT ${CONTACT_COLUMNS} FROM contacts c
      WHERE ($1::text IS NULL OR concat_ws(' ', c.first_name, c.last_name, c.email, c.company, c.title, c.phone) ILIKE $1)
        AND ($2::text IS NULL OR $2 = ANY (c.tags))
        AND ($3::text IS NULL OR c.status = $3)
        AND ${filter.reachable ? REACHABLE[filter.reachable] : 'true'}
        AND ($4::uuid IS NULL OR c.id > $4)
      ORDER BY c.id LIMIT $5`,
    [pattern, filter.tag ?? null, filter.status ?? null, filter.afterId ?? null, filter.limit + 1],
  );
  const data = rows.slice(0, filter.limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > filter.limit && last ? encodeIdCursor(last.id) : null };
}

export async function workspaceTags(sql: Sql): Promise<{ tag: string; contacts: number }[]> {
  const { rows } = await sql.query<{ tag: string; contacts: number }>(
    `SELECT t AS tag, count(*)::int AS contacts FROM contacts, unnest(tags) AS t GROUP BY t ORDER BY t LIMIT 500`,
  );
  return rows;
}

export type DailyStats = { day: string; sent: number; opened: number; clicked: number; replied: number };

/** A sequence's sends and responses per day (UTC days), for charts over time. */
export async function sequenceDaily(sql: Sql, sequenceId: string): Promise<DailyStats[]> {
  const { rows } = await sql.query<DailyStats>(
    `WITH days AS (
       SELECT to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, 'sent' AS kind FROM messages
        WHERE sequence_id = $1 AND status IN ('sent', 'delivered', 'bounced') AND sent_at IS NOT NULL
       UNION ALL
       SELECT to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), e.event_type FROM message_events e
         JOIN messages m ON m.id = e.message_id
        WHERE m.sequence_id = $1 AND e.event_type IN ('opened', 'clicked') AND NOT e.machine
       UNION ALL
       SELECT to_char(r.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 'replied' FROM replies r
         JOIN messages m ON m.id = r.message_id
        WHERE m.sequence_id = $1 AND r.intent NOT IN ('auto_reply', 'out_of_office', 'bounce'))
     SELECT day, count(*) FILTER (WHERE kind = 'sent')::int AS sent,
            count(*) FILTER (WHERE kind = 'opened')::int AS opened,
            count(*) FILTER (WHERE kind = 'clicked')::int AS clicked,
            count(*) FILTER (WHERE kind = 'replied')::int AS replied
       FROM days GROUP BY day ORDER BY day`,
    [sequenceId],
  );
  return rows;
}
