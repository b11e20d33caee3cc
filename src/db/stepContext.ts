// Everything deciding an enrollment's next step reads, in one round trip: the enrollment (locked),
// its contact, sequence and messages, the workspace, its sending accounts and the suppressions that
// match the contact. Sent as one simple-protocol batch inside the caller's tenant transaction, with
// the enrollment id as a quoted literal.
import type { Contact } from './contacts.ts';
import { CONTACT_COLUMNS } from './contacts.ts';
import { literal, type Sql } from './database.ts';
import { ENROLLMENT_COLUMNS, type EnrollmentRow } from './enrollments.ts';
import { MESSAGE_COLUMNS, type MessageRow } from './messages.ts';
import { SENDER_COLUMNS, type SenderRow } from './senders.ts';
import { SEQUENCE_COLUMNS, type Sequence } from './sequences.ts';
import { WORKSPACE_COLUMNS, type Workspace } from './workspaces.ts';

export type StepContext = {
  enrollment: EnrollmentRow;
  contact: Contact;
  sequence: Sequence;
  messages: MessageRow[];
  workspace: Workspace | undefined;
  senders: SenderRow[];
  /** channel (or 'all') → reason */
  suppressions: Map<string, string>;
};

export async function loadStepContext(sql: Sql, enrollmentId: string): Promise<StepContext | undefined> {
  const id = `${literal(enrollmentId)}::uuid`;
  const contactId = `(SELECT contact_id FROM enrollments WHERE id = ${id})`;
  const results = (await sql.query(
    `SELECT ${ENROLLMENT_COLUMNS} FROM enrollments WHERE id = ${id} FOR UPDATE;
     SELECT ${CONTACT_COLUMNS} FROM contacts WHERE id = ${contactId};
     SELECT ${SEQUENCE_COLUMNS} FROM sequences WHERE id = (SELECT sequence_id FROM enrollments WHERE id = ${id});
     SELECT ${MESSAGE_COLUMNS} FROM messages WHERE enrollment_id = ${id} ORDER BY step;
     SELECT ${WORKSPACE_COLUMNS} FROM workspaces;
     SELECT ${SENDER_COLUMNS} FROM senders WHERE deleted_at IS NULL ORDER BY created_at, id;
     SELECT channel, reason FROM suppressions WHERE value_hash IN (
       SELECT encode(sha256(convert_to(v, 'UTF8')), 'hex') FROM contacts c,
              unnest(ARRAY[c.email, c.phone, c.linkedin_url]) AS v
        WHERE c.id = ${contactId} AND v IS NOT NULL)`,
  )) as unknown as { rows: unknown[] }[];
  const [enrollments, contacts, sequences, messages, workspaces, senders, suppressions] = results.map((r) => r.rows);
  const enrollment = enrollments?.[0] as EnrollmentRow | undefined;
  const contact = contacts?.[0] as Contact | undefined;
  const sequence = sequences?.[0] as Sequence | undefined;
  if (!enrollment || !contact || !sequence) return undefined;
  return {
    enrollment,
    contact,
    sequence,
    messages: (messages ?? []) as MessageRow[],
    workspace: workspaces?.[0] as Workspace | undefined,
    senders: (senders ?? []) as SenderRow[],
    suppressions: new Map(
      ((suppressions ?? []) as { channel: string; reason: string }[]).map((r) => [r.channel, r.reason]),
    ),
  };
}
