// The contact timeline: every decision and event about a contact, newest first.
import { cursorTimestamp, encodeCursor, type Cursor } from './cursor.ts';
import type { Sql } from './database.ts';
import { uuidv7 } from './uuidv7.ts';

export type Activity = {
  id: string;
  contactId: string;
  type: string;
  summary: string;
  data: Record<string, unknown>;
  occurredAt: string;
};

export async function addActivity(
  sql: Sql,
  activity: { workspaceId: string; contactId: string; type: string; summary: string; data?: unknown; occurredAt: Date },
): Promise<void> {
  await sql.query(
    // Time-ordered ids: activities of one instant list in the order they happened.
    `INSERT INTO activities (workspace_id, contact_id, type, summary, data, occurred_at, id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      activity.workspaceId,
      activity.contactId,
      activity.type,
      activity.summary,
      JSON.stringify(activity.data ?? {}),
      activity.occurredAt,
      uuidv7(),
    ],
  );
}

/**
 * A note-taker for one contact: every entry carries `base` in its data (the enrollment, the message …)
 * and the same time.
 */
export function contactNotes(
  sql: Sql,
  input: { workspaceId: string; contactId: string; occurredAt: Date; base: Record<string, unknown> },
) {
  return (type: string, summary: string, data: Record<string, unknown> = {}) =>
    addActivity(sql, {
      workspaceId: input.workspaceId,
      contactId: input.contactId,
      type,
      summary,
      data: { ...input.base, ...data },
      occurredAt: input.occurredAt,
    });
}

export async function listTimeline(
  sql: Sql,
  contactId: string,
  page: { limit: number; cursor?: Cursor },
): Promise<{ data: Activity[]; nextCursor: string | null }> {
  const { rows } = await sql.query<Activity & { cursorAt: string }>(
    `SELECT id, contact_id AS "contactId", type, summary, data, to_json(occurred_at) #>> '{}' AS "occurredAt",
            ${cursorTimestamp('occurred_at')} AS "cursorAt"
       FROM activities
      WHERE contact_id = $1
        AND ($2::timestamptz IS NULL OR (occurred_at, id) < ($2::timestamptz, $3::uuid))
      ORDER BY occurred_at DESC, id DESC
      LIMIT $4`,
    [contactId, page.cursor?.at ?? null, page.cursor?.id ?? null, page.limit + 1],
  );
  const data = rows.slice(0, page.limit);
  const last = data[data.length - 1];
  return {
    data: data.map(({ cursorAt: _, ...activity }) => activity),
    nextCursor: rows.length > page.limit && last ? encodeCursor({ at: last.cursorAt, id: last.id }) : null,
  };
}
