// The list commands: workspaces, contacts, sequences, presets, senders, messages, tasks. Human
// output names things (workspace, sequence and account names, "Name <email>"); --json prints ids
// and every field, shaped like the API's lists.
import { CONTACT_STATUSES, type ContactStatus } from '../core/contact.ts';
import { getContact, listContacts as listContactRows } from '../db/contacts.ts';
import { listTasks as listTaskRows } from '../db/tasks.ts';
import { taskView } from '../engine/commands/tasks.ts';
import { decodeIdCursor } from '../db/cursor.ts';
import { listMessageListings, listSequenceSummaries, listWorkspaceSummaries } from '../db/lookups.ts';
import { listSenderRows } from '../db/senders.ts';
import { printJson, say, UsageError, wholeNumber } from './args.ts';
import type { ContactListOptions, MessageListOptions } from './programData.ts';
import { resolveContact, resolveSequence, resolveWorkspace, withDatabase } from './session.ts';
import { printTable, shortTime } from './table.ts';

const MESSAGE_STATUSES = ['sending', 'deferred', 'sent', 'delivered', 'failed', 'bounced', 'unknown', 'cancelled'];

export async function listWorkspaces(options: { json?: boolean }): Promise<void> {
  const rows = await withDatabase((database) => listWorkspaceSummaries(database.db));
  if (options.json) return printJson({ data: rows });
  printTable(
    rows,
    [
      { title: 'name', value: (w) => w.name },
      { title: 'contacts', value: (w) => w.contacts },
      { title: 'sequences', value: (w) => w.sequences },
      { title: 'senders', value: (w) => w.senders },
      { title: 'created', value: (w) => shortTime(w.createdAt) },
    ],
    'No workspaces yet: `quotahit start` creates the first one, `quotahit workspace create --name N` more.',
  );
}

export async function listContacts(options: ContactListOptions): Promise<void> {
  const limit = wholeNumber(options.limit, 'limit', 1, 1000);
  if (options.status !== undefined && !(CONTACT_STATUSES as readonly string[]).includes(options.status))
    throw new UsageError(`--status must be one of ${CONTACT_STATUSES.join(', ')}`);
  const afterId = options.cursor === undefined ? undefined : decodeIdCursor(options.cursor);
  if (options.cursor !== undefined && afterId === undefined)
    throw new UsageError('--cursor is not a cursor this list gave out');
  const page = await withDatabase(async (database) => {
    const workspace = await resolveWorkspace(database, options.workspace);
    return database.db.tenant(workspace.id, (sql) =>
      listContactRows(sql, {
        limit,
        ...(options.tag ? { tag: options.tag } : {}),
        ...(options.status ? { status: options.status as ContactStatus } : {}),
        ...(afterId ? { afterId } : {}),
      }),
    );
  });
  if (options.json) return printJson(page);
  printTable(
    page.data,
    [
      { title: 'name', value: (c) => [c.firstName, c.lastName].filter(Boolean).join(' ') || null, max: 30 },
      { title: 'email / phone / linkedin', value: (c) => c.email ?? c.phone ?? c.linkedinUrl },
      { title: 'company', value: (c) => c.company, max: 30 },
      { title: 'status', value: (c) => c.status },
      { title: 'tags', value: (c) => c.tags.join(', '), max: 30 },
    ],
    options.tag || options.status
      ? 'No contacts match.'
      : 'No contacts yet: `quotahit contacts import FILE` adds them.',
  );
  if (page.nextCursor) say(`… more: add --cursor ${page.nextCursor}`);
}

export async function listSequences(options: { workspace?: string; json?: boolean }): Promise<void> {
  const rows = await withDatabase(async (database) => {
    const workspace = await resolveWorkspace(database, options.workspace);
    return database.db.tenant(workspace.id, listSequenceSummaries);
  });
  if (options.json) return printJson({ data: rows });
  printTable(
    rows,
    [
      { title: 'name', value: (s) => s.name },
      { title: 'preset', value: (s) => s.preset },
      { title: 'steps', value: (s) => s.steps },
      { title: 'status', value: (s) => s.status },
      { title: 'enrolled', value: (s) => s.enrolled },
      { title: 'active', value: (s) => s.active },
      { title: 'completed', value: (s) => s.completed },
      { title: 'stopped', value: (s) => s.stopped },
    ],
    'No sequences yet: `quotahit sequences create --preset standard_b2b` makes one.',
  );
}

export async function listSenders(options: { workspace?: string; channel?: string; json?: boolean }): Promise<void> {
  const rows = await withDatabase(async (database) => {
    const workspace = await resolveWorkspace(database, options.workspace);
    return database.db.tenant(workspace.id, (sql) =>
      listSenderRows(sql, options.channel ? { channel: options.channel } : {}),
    );
  });
  // Sealed credentials never leave the database layer's row.
  const data = rows.map(({ credentials: _sealed, ...rest }) => rest);
  if (options.json) return printJson({ data });
  printTable(
    data,
    [
      { title: 'name', value: (s) => s.name ?? s.fromEmail ?? s.fromPhone },
      { title: 'channel', value: (s) => s.channel },
      { title: 'provider', value: (s) => s.provider },
      { title: 'from', value: (s) => s.fromEmail ?? s.fromPhone },
      { title: 'daily limit', value: (s) => s.dailyLimit },
      { title: 'status', value: (s) => (s.statusReason ? `${s.status}: ${s.statusReason}` : s.status), max: 50 },
    ],
    'No sending accounts: messages go to the sandbox. Add one with POST /v1/senders (docs/email.md).',
  );
}

export async function listMessages(options: MessageListOptions): Promise<void> {
  const limit = wholeNumber(options.limit, 'limit', 1, 1000);
  if (options.status !== undefined && !MESSAGE_STATUSES.includes(options.status))
    throw new UsageError(`--status must be one of ${MESSAGE_STATUSES.join(', ')}`);
  const rows = await withDatabase(async (database) => {
    const workspace = await resolveWorkspace(database, options.workspace);
    const contactId = options.contact ? await resolveContact(database, workspace.id, options.contact) : undefined;
    const sequence = options.sequence ? await resolveSequence(database, workspace.id, options.sequence) : undefined;
    return database.db.tenant(workspace.id, (sql) =>
      listMessageListings(sql, {
        limit,
        ...(contactId ? { contactId } : {}),
        ...(sequence ? { sequenceId: sequence.id } : {}),
        ...(options.status ? { status: options.status } : {}),
        ...(options.channel ? { channel: options.channel } : {}),
      }),
    );
  });
  if (options.json) return printJson({ data: rows });
  printTable(
    rows,
    [
      { title: 'when', value: (m) => shortTime(m.sentAt ?? m.reservedAt) },
      { title: 'to', value: (m) => m.contact, max: 36 },
      { title: 'sequence', value: (m) => `${m.sequence} · step ${m.step}`, max: 30 },
      { title: 'channel', value: (m) => m.channel },
      { title: 'via', value: (m) => m.sender ?? m.provider, max: 24 },
      { title: 'status', value: (m) => m.status },
      { title: 'subject', value: (m) => m.subject ?? m.error ?? m.purpose, max: 40 },
    ],
    'No messages match.',
  );
}

/** Call tasks for a person (docs/calls.md): open ones to dial, each with its talk track in --json. */
export async function listTasks(options: { workspace?: string; json?: boolean }): Promise<void> {
  const rows = await withDatabase(async (database) => {
    const workspace = await resolveWorkspace(database, options.workspace);
    return database.db.tenant(workspace.id, async (sql) => {
      const tasks = await listTaskRows(sql, { limit: 500 });
      const now = new Date();
      return Promise.all(
        tasks.map(async (task) => {
          const contact = await getContact(sql, task.contactId);
          const name = [contact?.firstName, contact?.lastName].filter(Boolean).join(' ') || null;
          return taskView(task, { name, company: contact?.company ?? null }, now);
        }),
      );
    });
  });
  if (options.json) return printJson({ data: rows, nextCursor: null });
  printTable(
    rows,
    [
      { title: 'due', value: (t) => shortTime(t.dueAt) },
      { title: 'contact', value: (t) => t.contact.name ?? t.contactId, max: 30 },
      { title: 'phone', value: (t) => t.phone },
      { title: 'local time', value: (t) => t.localTime, max: 32 },
      { title: 'status', value: (t) => t.outcome ?? t.status },
      { title: 'reason', value: (t) => t.reason, max: 40 },
    ],
    'No call tasks: a sequence with a call step creates them (docs/calls.md).',
  );
}
