// Reads the command line needs to name things: workspaces by id or name (across workspaces, so as
// the owner), and within a workspace sequences by name, contacts by email, and the lists the CLI
// prints with names instead of ids.
import type { Db, Sql } from './database.ts';

export type WorkspaceSummary = {
  id: string;
  name: string;
  createdAt: string;
  contacts: number;
  sequences: number;
  senders: number;
};

export async function listWorkspaceSummaries(db: Db): Promise<WorkspaceSummary[]> {
  return db.system(async (sql) => {
    const { rows } = await sql.query<WorkspaceSummary>(
      `SELECT w.id, w.name, to_json(w.created_at) #>> '{}' AS "createdAt",
              (SELECT count(*)::int FROM contacts c WHERE c.workspace_id = w.id) AS contacts,
              (SELECT count(*)::int FROM sequences s WHERE s.workspace_id = w.id) AS sequences,
              (SELECT count(*)::int FROM senders a WHERE a.workspace_id = w.id AND a.deleted_at IS NULL) AS senders
         FROM workspaces w ORDER BY w.created_at, w.id`,
      [],
    );
    return rows;
  });
}

/** Workspaces whose id is `value`, or whose name is `value` (ignoring case). */
export async function findWorkspaces(db: Db, value: string): Promise<{ id: string; name: string }[]> {
  return db.system(async (sql) => {
    const { rows } = await sql.query<{ id: string; name: string }>(
      `SELECT id, name FROM workspaces
        WHERE id::text = lower($1) OR lower(name) = lower($1) ORDER BY created_at, id LIMIT 20`,
      [value],
    );
    return rows;
  });
}

export async function workspaceOfSequence(db: Db, sequenceId: string): Promise<string | undefined> {
  return db.system(async (sql) => {
    const { rows } = await sql.query<{ workspaceId: string }>(
      'SELECT workspace_id AS "workspaceId" FROM sequences WHERE id = $1',
      [sequenceId],
    );
    return rows[0]?.workspaceId;
  });
}

/** Sequences of the current workspace whose id or name (ignoring case) is `value`. */
export async function findSequences(sql: Sql, value: string): Promise<{ id: string; name: string }[]> {
  const { rows } = await sql.query<{ id: string; name: string }>(
    `SELECT id, name FROM sequences WHERE id::text = lower($1) OR lower(name) = lower($1)
      ORDER BY created_at, id LIMIT 20`,
    [value],
  );
  return rows;
}

/** Contacts of the current workspace whose id or email is `value`. */
export async function findContacts(sql: Sql, value: string): Promise<{ id: string }[]> {
  const { rows } = await sql.query<{ id: string }>(
    'SELECT id FROM contacts WHERE id::text = lower($1) OR email = lower($1) ORDER BY id LIMIT 2',
    [value],
  );
  return rows;
}

/** How each contact is shown to a person: "Name <email>", else the email, phone or LinkedIn URL. */
export async function contactLabels(sql: Sql, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql.query<{ id: string; label: string }>(
    `SELECT id, ${CONTACT_LABEL} AS label FROM contacts c WHERE id = ANY ($1::uuid[])`,
    [ids],
  );
  return new Map(rows.map((r) => [r.id, r.label]));
}

const CONTACT_LABEL = `concat_ws(' ', nullif(concat_ws(' ', c.first_name, c.last_name), ''),
  CASE WHEN c.first_name IS NULL AND c.last_name IS NULL THEN coalesce(c.email, c.phone, c.linkedin_url)
       ELSE '<' || coalesce(c.email, c.phone, c.linkedin_url) || '>' END)`;

export type SequenceSummary = {
  id: string;
  name: string;
  preset: string | null;
  status: string;
  steps: number;
  enrolled: number;
  active: number;
  completed: number;
  stopped: number;
  createdAt: string;
};

export async function listSequenceSummaries(sql: Sql): Promise<SequenceSummary[]> {
  const { rows } = await sql.query<SequenceSummary>(
    `SELECT s.id, s.name, s.preset, s.status, jsonb_array_length(s.steps) AS steps,
            count(e.id)::int AS enrolled,
            (count(e.id) FILTER (WHERE e.status IN ('active', 'paused')))::int AS active,
            (count(e.id) FILTER (WHERE e.status = 'completed'))::int AS completed,
            (count(e.id) FILTER (WHERE e.status = 'stopped'))::int AS stopped,
            to_json(s.created_at) #>> '{}' AS "createdAt"
       FROM sequences s LEFT JOIN enrollments e ON e.sequence_id = s.id
      GROUP BY s.id ORDER BY s.created_at, s.id`,
    [],
  );
  return rows;
}

export type MessageListing = {
  id: string;
  contactId: string;
  contact: string;
  sequenceId: string;
  sequence: string;
  step: number;
  channel: string;
  purpose: string;
  provider: string;
  senderId: string | null;
  sender: string | null;
  status: string;
  subject: string | null;
  error: string | null;
  sentAt: string | null;
  reservedAt: string;
};

export type MessageListingFilter = {
  contactId?: string;
  sequenceId?: string;
  status?: string;
  channel?: string;
  limit: number;
};

/** The newest messages first, with the contact, sequence and account named. */
export async function listMessageListings(sql: Sql, f: MessageListingFilter): Promise<MessageListing[]> {
  const { rows } = await sql.query<MessageListing>(
    `SELECT m.id, m.contact_id AS "contactId", ${CONTACT_LABEL} AS contact, m.sequence_id AS "sequenceId",
            s.name AS sequence, m.step, m.channel, m.purpose, m.provider, m.sender_id AS "senderId",
            coalesce(a.name, a.from_email, a.from_phone) AS sender, m.status, m.subject, m.error,
            to_json(m.sent_at) #>> '{}' AS "sentAt", to_json(m.reserved_at) #>> '{}' AS "reservedAt"
       FROM messages m
       JOIN contacts c ON c.id = m.contact_id
       JOIN sequences s ON s.id = m.sequence_id
       LEFT JOIN senders a ON a.id = m.sender_id
      WHERE ($1::uuid IS NULL OR m.contact_id = $1) AND ($2::uuid IS NULL OR m.sequence_id = $2)
        AND ($3::text IS NULL OR m.status = $3) AND ($4::text IS NULL OR m.channel = $4)
      ORDER BY m.id DESC LIMIT $5`,
    [f.contactId ?? null, f.sequenceId ?? null, f.status ?? null, f.channel ?? null, f.limit],
  );
  return rows;
}
