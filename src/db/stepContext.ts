// Everything deciding an enrollment's next step reads, in one round trip: the enrollment, its
// contact, sequence and messages, the workspace, its sending accounts and the suppressions that
// match the contact. Sent as one simple-protocol batch of prepared statements, either inside the
// caller's tenant transaction with the enrollment locked, or on its own without a lock.
import type { Contact } from './contacts.ts';
import { CONTACT_COLUMNS } from './contacts.ts';
import { execute, prepare, type Db, type Sql } from './database.ts';
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

// Each statement takes the enrollment id as $1 and is prepared once per connection.
const byEnrollment = (body: string) => prepare(['uuid'], body);
const CONTACT_OF = '(SELECT contact_id FROM enrollments WHERE id = $1)';
const ENROLLMENT = byEnrollment(`SELECT ${ENROLLMENT_COLUMNS} FROM enrollments WHERE id = $1`);
const ENROLLMENT_LOCKED = byEnrollment(`SELECT ${ENROLLMENT_COLUMNS} FROM enrollments WHERE id = $1 FOR UPDATE`);
const REST = [
  byEnrollment(`SELECT ${CONTACT_COLUMNS} FROM contacts WHERE id = ${CONTACT_OF}`),
  byEnrollment(
    `SELECT ${SEQUENCE_COLUMNS} FROM sequences WHERE id = (SELECT sequence_id FROM enrollments WHERE id = $1)`,
  ),
  byEnrollment(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE enrollment_id = $1 ORDER BY step`),
  // The argument is unused here; every statement of the batch takes the same one.
  byEnrollment(`SELECT ${WORKSPACE_COLUMNS} FROM workspaces WHERE $1 IS NOT NULL`),
  byEnrollment(
    `SELECT ${SENDER_COLUMNS} FROM senders WHERE deleted_at IS NULL AND $1 IS NOT NULL ORDER BY created_at, id`,
  ),
  byEnrollment(`SELECT channel, reason FROM suppressions WHERE value_hash IN (
     SELECT encode(sha256(convert_to(v, 'UTF8')), 'hex') FROM contacts c, unnest(ARRAY[c.email, c.phone, c.linkedin_url]) AS v
      WHERE c.id = ${CONTACT_OF} AND v IS NOT NULL)`),
];

/** The batch that loads a step's context: the enrollment locked (inside a transaction) or not. */
export function contextBatch(enrollmentId: string, lock: boolean) {
  const uses = [lock ? ENROLLMENT_LOCKED : ENROLLMENT, ...REST];
  return { text: uses.map((p) => execute(p, [enrollmentId])).join(';\n'), uses };
}

/** Inside the caller's tenant transaction, with the enrollment's row lock. */
export async function loadStepContext(sql: Sql, enrollmentId: string): Promise<StepContext | undefined> {
  const { text, uses } = contextBatch(enrollmentId, true);
  return fromResults((await sql.batch(text, uses)).map((r) => r.rows));
}

/** Without a lock and without a transaction of its own (one round trip): for a read-only decision. */
export async function peekStepContext(
  db: Db,
  workspaceId: string,
  enrollmentId: string,
): Promise<StepContext | undefined> {
  const { text, uses } = contextBatch(enrollmentId, false);
  // The first result is the tenant settings'.
  return fromResults((await db.statements(workspaceId, text, uses)).slice(1).map((r) => r.rows));
}

/** A step's context from the seven results of contextBatch. */
export function fromResults(results: unknown[][]): StepContext | undefined {
  const [enrollments, contacts, sequences, messages, workspaces, senders, suppressions] = results;
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
