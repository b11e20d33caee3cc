// Everything deciding an enrollment's next step reads, in one round trip: the enrollment, its
// contact, sequence and messages, the workspace, its sending accounts and the suppressions that
// match the contact. Sent as one simple-protocol batch of prepared statements, either inside the
// caller's tenant transaction with the enrollment locked, or on its own without a lock, for one
// enrollment or for the batch of them a worker reads at once.
import type { Contact } from './contacts.ts';
import { CONTACT_COLUMNS } from './contacts.ts';
import { perOwner } from './coalesce.ts';
import { execute, prepare, type Db, type Prepared, type Sql } from './database.ts';
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

// Each statement takes the enrollment ids as $1 (one or a batch) and is prepared once per connection;
// rows of one enrollment carry its id as "_key" (messages as "enrollmentId").
const byEnrollments = (body: string) => prepare(['uuid[]'], body);
const ENROLLMENTS = byEnrollments(`SELECT ${ENROLLMENT_COLUMNS} FROM enrollments WHERE id = ANY($1)`);
const ENROLLMENTS_LOCKED = byEnrollments(
  `SELECT ${ENROLLMENT_COLUMNS} FROM enrollments WHERE id = ANY($1) ORDER BY id FOR UPDATE`,
);
/** Each enrollment's row of `table` (its contact or sequence), as columns. */
const ofEach = (columns: string, table: string, reference: string) =>
  byEnrollments(`SELECT e.id AS "_key", x.* FROM enrollments e
     CROSS JOIN LATERAL (SELECT ${columns} FROM ${table} WHERE ${table}.id = e.${reference}) AS x
    WHERE e.id = ANY($1)`);
const REST = [
  ofEach(CONTACT_COLUMNS, 'contacts', 'contact_id'),
  ofEach(SEQUENCE_COLUMNS, 'sequences', 'sequence_id'),
  byEnrollments(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE enrollment_id = ANY($1) ORDER BY enrollment_id, step`),
  // The argument is unused here; every statement of the batch takes the same one.
  byEnrollments(`SELECT ${WORKSPACE_COLUMNS} FROM workspaces WHERE $1 IS NOT NULL`),
  byEnrollments(
    `SELECT ${SENDER_COLUMNS} FROM senders WHERE deleted_at IS NULL AND $1 IS NOT NULL ORDER BY created_at, id`,
  ),
  byEnrollments(`SELECT DISTINCT e.id AS "_key", s.channel, s.reason
     FROM enrollments e JOIN contacts c ON c.id = e.contact_id
    CROSS JOIN LATERAL unnest(ARRAY[c.email, c.phone, c.linkedin_url]) AS v
     JOIN suppressions s ON s.value_hash = encode(sha256(convert_to(v, 'UTF8')), 'hex')
    WHERE e.id = ANY($1) AND v IS NOT NULL`),
];

/** The statements that load a step's context, locked or not (test/db/tenantLookups.test.ts reads their plans). */
export const contextStatements = (lock: boolean): readonly Prepared[] => [
  lock ? ENROLLMENTS_LOCKED : ENROLLMENTS,
  ...REST,
];

/** The batch that loads the steps' contexts of enrollments: locked (inside a transaction) or not. */
function contextBatch(enrollmentIds: readonly string[], lock: boolean) {
  const uses = contextStatements(lock);
  return { text: uses.map((p) => execute(p, [enrollmentIds])).join(';\n'), uses };
}

/** Inside the caller's tenant transaction, with the enrollment's row lock. */
export async function loadStepContext(sql: Sql, enrollmentId: string): Promise<StepContext | undefined> {
  const { text, uses } = contextBatch([enrollmentId], true);
  return fromResults((await sql.batch(text, uses)).map((r) => r.rows)).get(enrollmentId);
}

const peeks = perOwner(async (db: Db, workspaceId: string, enrollmentIds: string[]) => {
  const { text, uses } = contextBatch(enrollmentIds, false);
  // The first result is the tenant settings'.
  const contexts = fromResults((await db.statements(workspaceId, text, uses)).slice(1).map((r) => r.rows));
  return enrollmentIds.map((id) => contexts.get(id));
});

/**
 * Without a lock and without a transaction of its own: for a read-only decision. The contexts a
 * worker reads at once are read together (coalesce.ts), seven statements for the whole batch.
 */
export function peekStepContext(db: Db, workspaceId: string, enrollmentId: string): Promise<StepContext | undefined> {
  return peeks(db, workspaceId, enrollmentId);
}

type Keyed = { _key: string };

/** Rows grouped by their enrollment, without the key column. */
function byKey<R>(rows: unknown[] | undefined): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const row of (rows ?? []) as Keyed[]) {
    const { _key, ...rest } = row;
    const group = groups.get(_key);
    if (group) group.push(rest as R);
    else groups.set(_key, [rest as R]);
  }
  return groups;
}

/** The steps' contexts, by enrollment id, from the seven results of contextBatch. */
function fromResults(results: unknown[][]): Map<string, StepContext> {
  const [enrollments, contacts, sequences, messages, workspaces, senders, suppressions] = results;
  const contactOf = byKey<Contact>(contacts);
  const sequenceOf = byKey<Sequence>(sequences);
  const suppressionsOf = byKey<{ channel: string; reason: string }>(suppressions);
  const messagesOf = new Map<string, MessageRow[]>();
  for (const message of (messages ?? []) as MessageRow[]) {
    const list = messagesOf.get(message.enrollmentId);
    if (list) list.push(message);
    else messagesOf.set(message.enrollmentId, [message]);
  }
  const contexts = new Map<string, StepContext>();
  for (const enrollment of (enrollments ?? []) as EnrollmentRow[]) {
    const contact = contactOf.get(enrollment.id)?.[0];
    const sequence = sequenceOf.get(enrollment.id)?.[0];
    if (!contact || !sequence) continue;
    contexts.set(enrollment.id, {
      enrollment,
      contact,
      sequence,
      messages: messagesOf.get(enrollment.id) ?? [],
      workspace: workspaces?.[0] as Workspace | undefined,
      senders: (senders ?? []) as SenderRow[],
      suppressions: new Map((suppressionsOf.get(enrollment.id) ?? []).map((r) => [r.channel, r.reason])),
    });
  }
  return contexts;
}
