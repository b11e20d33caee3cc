// The unified inbox: every reply on every channel, newest first, with its conversation and what a
// person did with it (reply_actions).
import { cursorTimestamp, encodeCursor, type Cursor } from './cursor.ts';
import type { Sql } from './database.ts';
import { uuidv7 } from './uuidv7.ts';

export type ReplyActionKind = 'handoff' | 'snooze' | 'unsubscribe' | 'respond' | 'outcome';

export type ReplyAction = {
  id: string;
  action: ReplyActionKind;
  data: Record<string, unknown>;
  memberId: string | null;
  createdAt: string;
};

export type InboxReply = {
  id: string;
  messageId: string;
  enrollmentId: string;
  contactId: string;
  sequenceId: string;
  sequenceName: string;
  channel: string;
  source: string;
  subject: string | null;
  body: string;
  intent: string;
  confidence: number;
  returnDate: string | null;
  receivedAt: string;
  contact: { name: string; email: string | null; company: string | null };
  /** The latest action taken on it; null: waiting for a person. */
  lastAction: ReplyAction | null;
  /** Snoozed until this moment (a later snooze replaces an earlier one). */
  snoozedUntil: string | null;
};

/** Intents a machine wrote: never "waiting" for a person. */
export const MACHINE_INTENTS = ['out_of_office', 'auto_reply', 'bounce'] as const;

const REPLY_SELECT = `
  SELECT r.id, r.message_id AS "messageId", r.enrollment_id AS "enrollmentId", r.contact_id AS "contactId",
         m.sequence_id AS "sequenceId", s.name AS "sequenceName", m.channel, r.source, r.subject, r.body, r.intent,
         r.confidence, to_char(r.return_date, 'YYYY-MM-DD') AS "returnDate",
         to_json(r.received_at) #>> '{}' AS "receivedAt", ${cursorTimestamp('r.received_at')} AS "cursorAt",
         json_build_object('name', trim(concat_ws(' ', c.first_name, c.last_name)), 'email', c.email,
                           'company', c.company) AS contact,
         (SELECT json_build_object('id', a.id, 'action', a.action, 'data', a.data, 'memberId', a.member_id,
                                   'createdAt', to_json(a.created_at) #>> '{}')
            FROM reply_actions a WHERE a.reply_id = r.id ORDER BY a.created_at DESC, a.id DESC LIMIT 1) AS "lastAction",
         (SELECT to_json((a.data ->> 'until')::timestamptz) #>> '{}'
            FROM reply_actions a WHERE a.reply_id = r.id AND a.action = 'snooze'
           ORDER BY a.created_at DESC LIMIT 1) AS "snoozedUntil"
    FROM replies r
    JOIN messages m ON m.id = r.message_id
    JOIN sequences s ON s.id = m.sequence_id
    JOIN contacts c ON c.id = r.contact_id`;

/**
 * `waiting`: replies a person wrote that nobody has acted on yet, plus snoozed ones whose date
 * has come.
 */
const waiting = (intents: string, now: string) => `r.intent <> ALL (${intents}::text[])
  AND (NOT EXISTS (SELECT 1 FROM reply_actions a WHERE a.reply_id = r.id)
       OR ((SELECT a.action FROM reply_actions a WHERE a.reply_id = r.id ORDER BY a.created_at DESC, a.id DESC LIMIT 1) = 'snooze'
           AND (SELECT (a.data ->> 'until')::timestamptz FROM reply_actions a WHERE a.reply_id = r.id AND a.action = 'snooze'
                 ORDER BY a.created_at DESC LIMIT 1) <= ${now}))`;

export async function listInbox(
  sql: Sql,
  filter: {
    limit: number;
    cursor?: Cursor;
    intent?: string;
    channel?: string;
    contactId?: string;
    waiting?: boolean;
    now: Date;
  },
): Promise<{ data: InboxReply[]; nextCursor: string | null }> {
  const { rows } = await sql.query<InboxReply & { cursorAt: string }>(
    `${REPLY_SELECT}
      WHERE ($1::timestamptz IS NULL OR (r.received_at, r.id) < ($1::timestamptz, $2::uuid))
        AND ($3::text IS NULL OR r.intent = $3)
        AND ($4::text IS NULL OR m.channel = $4)
        AND ($5::uuid IS NULL OR r.contact_id = $5)
        AND (NOT $6::boolean OR (${waiting('$7', '$8')}))
      ORDER BY r.received_at DESC, r.id DESC
      LIMIT $9`,
    [
      filter.cursor?.at ?? null,
      filter.cursor?.id ?? null,
      filter.intent ?? null,
      filter.channel ?? null,
      filter.contactId ?? null,
      filter.waiting === true,
      MACHINE_INTENTS,
      filter.now,
      filter.limit + 1,
    ],
  );
  const data = rows.slice(0, filter.limit);
  const last = data[data.length - 1];
  return {
    data: data.map(({ cursorAt: _, ...reply }) => reply),
    nextCursor: rows.length > filter.limit && last ? encodeCursor({ at: last.cursorAt, id: last.id }) : null,
  };
}

export async function countWaiting(sql: Sql, now: Date): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM replies r WHERE ${waiting('$1', '$2')}`,
    [MACHINE_INTENTS, now],
  );
  return rows[0]?.n ?? 0;
}

export async function getInboxReply(sql: Sql, id: string): Promise<InboxReply | undefined> {
  const { rows } = await sql.query<InboxReply & { cursorAt: string }>(`${REPLY_SELECT} WHERE r.id = $1`, [id]);
  const row = rows[0];
  if (!row) return undefined;
  const { cursorAt: _, ...reply } = row;
  return reply;
}

export type ConversationEntry = {
  kind: 'message' | 'reply' | 'response';
  id: string;
  at: string;
  channel: string;
  subject: string | null;
  body: string;
  status: string | null;
  intent: string | null;
};

/** Our messages and their replies (and answers given from the inbox) of one enrollment, oldest first. */
export async function conversationOf(sql: Sql, enrollmentId: string): Promise<ConversationEntry[]> {
  const { rows } = await sql.query<ConversationEntry>(
    `SELECT * FROM (
       SELECT 'message' AS kind, m.id, to_json(coalesce(m.sent_at, m.reserved_at)) #>> '{}' AS at, m.channel,
              m.subject, m.body, m.status, NULL AS intent, coalesce(m.sent_at, m.reserved_at) AS t, 0 AS rank
         FROM messages m WHERE m.enrollment_id = $1 AND m.status <> 'cancelled'
       UNION ALL
       SELECT 'reply', r.id, to_json(r.received_at) #>> '{}', m.channel, r.subject, r.body, NULL, r.intent, r.received_at, 1
         FROM replies r JOIN messages m ON m.id = r.message_id WHERE r.enrollment_id = $1
       UNION ALL
       SELECT 'response', a.id, to_json(a.created_at) #>> '{}', m.channel, a.data ->> 'subject', a.data ->> 'body',
              a.data ->> 'status', NULL, a.created_at, 2
         FROM reply_actions a JOIN replies r ON r.id = a.reply_id JOIN messages m ON m.id = r.message_id
        WHERE r.enrollment_id = $1 AND a.action = 'respond'
     ) AS entries ORDER BY t, rank, id`,
    [enrollmentId],
  );
  return rows.map(({ t: _t, rank: _r, ...entry }: ConversationEntry & { t?: unknown; rank?: unknown }) => entry);
}

export async function actionsOf(sql: Sql, replyId: string): Promise<ReplyAction[]> {
  const { rows } = await sql.query<ReplyAction>(
    `SELECT id, action, data, member_id AS "memberId", to_json(created_at) #>> '{}' AS "createdAt"
       FROM reply_actions WHERE reply_id = $1 ORDER BY created_at, id`,
    [replyId],
  );
  return rows;
}

export async function addReplyAction(
  sql: Sql,
  input: {
    workspaceId: string;
    replyId: string;
    action: ReplyActionKind;
    data: unknown;
    memberId: string | null;
    at: Date;
  },
): Promise<ReplyAction> {
  const { rows } = await sql.query<ReplyAction>(
    // Time-ordered ids: actions of one instant list in the order they were taken.
    `INSERT INTO reply_actions (id, workspace_id, reply_id, action, data, member_id, created_at)
     VALUES ($7, $1, $2, $3, $4, $5, $6)
     RETURNING id, action, data, member_id AS "memberId", to_json(created_at) #>> '{}' AS "createdAt"`,
    [
      input.workspaceId,
      input.replyId,
      input.action,
      JSON.stringify(input.data ?? {}),
      input.memberId,
      input.at,
      uuidv7(),
    ],
  );
  return rows[0] as ReplyAction;
}

export async function hasHandoffActivity(sql: Sql, replyId: string): Promise<boolean> {
  const { rows } = await sql.query(`SELECT 1 FROM activities WHERE type = 'handoff' AND data ->> 'replyId' = $1`, [
    replyId,
  ]);
  return rows.length > 0;
}

export async function setContactStatus(sql: Sql, contactId: string, status: string): Promise<void> {
  await sql.query('UPDATE contacts SET status = $2, updated_at = now() WHERE id = $1', [contactId, status]);
}

export async function cancelDeferredMessages(sql: Sql, enrollmentId: string): Promise<void> {
  await sql.query(`UPDATE messages SET status = 'cancelled' WHERE enrollment_id = $1 AND status = 'deferred'`, [
    enrollmentId,
  ]);
}
