// quotahit simulate --sequence ID [--contacts FILE | --tag T] --days N [--start ISO] [--json]
// The real decision, window and quota logic on a virtual clock; nothing is sent or written.
import { readFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { normalizeContact } from '../core/contact.ts';
import { openDatabase } from '../db/open.ts';
import { csvImportRecords } from '../engine/commands/csvRecords.ts';
import type { ImportRecord } from '../engine/commands/importContacts.ts';
import { simulateSequence, type SimContact } from '../engine/commands/simulate.ts';
import { config, parse, printJson, requireId, UsageError } from './args.ts';
import { workspaceOfSequence } from './lookup.ts';

const USAGE =
  'usage: quotahit simulate --sequence ID [--contacts FILE | --tag T] [--days N] [--start ISO-8601] [--json]';

export async function simulateCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    sequence: { type: 'string' },
    contacts: { type: 'string' },
    tag: { type: 'string' },
    days: { type: 'string' },
    start: { type: 'string' },
    json: { type: 'boolean' },
  });
  const sequenceId = requireId(values.sequence, 'sequence', 'sequence', USAGE);
  if (values.contacts && values.tag) throw new UsageError(`give --contacts or --tag, not both\n${USAGE}`);
  const days = Number(values.days ?? 30);
  if (!Number.isInteger(days) || days < 1 || days > 120)
    throw new UsageError('--days must be a whole number from 1 to 120');
  const start = values.start ? new Date(values.start) : new Date();
  if (Number.isNaN(start.getTime())) throw new UsageError(`--start "${values.start}" is not a date (ISO 8601)`);
  const fileContacts = values.contacts ? await contactsFromFile(values.contacts) : undefined;

  const database = await openDatabase(config());
  try {
    const workspaceId = await workspaceOfSequence(database.db, sequenceId);
    if (!workspaceId) throw new UsageError(`sequence ${sequenceId} not found`);
    const result = await database.db.tenant(workspaceId, (sql) =>
      simulateSequence(sql, {
        sequenceId: sequenceId,
        tag: values.tag,
        contacts: fileContacts,
        days,
        start,
      }),
    );
    if (!result) throw new UsageError(`sequence ${sequenceId} not found`);
    if (values.json) {
      printJson(result);
      return;
    }
    for (const contact of result.contacts) {
      process.stdout.write(`${contact.contactId} (${contact.timezone})\n`);
      for (const e of contact.events) {
        const account = e.account === 'sandbox' ? 'sandbox' : e.account ? e.account.name : '';
        const what =
          e.action === 'send'
            ? `send ${e.channel} ${e.template} via ${account}`
            : `${e.action}${e.channel ? ` ${e.channel}` : ''}`;
        process.stdout.write(`  ${e.at}  step ${e.step}  ${what}${e.reason ? ` — ${e.reason}` : ''}\n`);
      }
    }
    const t = result.totals;
    process.stdout.write(
      `\n${t.sends} sends, ${t.deferrals} deferrals, ${t.skipped} skipped, ${t.completed} completed over ${days} days\n`,
    );
  } finally {
    await database.close();
  }
}

/** Contacts from a CSV or JSON file, validated like an import but not stored. */
async function contactsFromFile(file: string): Promise<SimContact[]> {
  let records: AsyncIterable<ImportRecord> | Iterable<ImportRecord>;
  if (file.toLowerCase().endsWith('.json')) {
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`cannot read ${file} as JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    const list = Array.isArray(value) ? value : (value as { contacts?: unknown }).contacts;
    if (!Array.isArray(list)) throw new UsageError(`${file} must hold a list of contacts or {"contacts":[…]}`);
    records = list.map((contact, i) => ({ row: i + 1, contact }));
  } else {
    records = csvImportRecords(createReadStream(file));
  }
  const contacts: SimContact[] = [];
  for await (const record of records) {
    if ('rejected' in record) throw new UsageError(`${file} row ${record.row}: ${record.rejected}`);
    const normalized = normalizeContact(record.contact);
    if (!normalized.ok) throw new UsageError(`${file} row ${record.row}: ${normalized.reason}`);
    contacts.push({ ...normalized.contact, id: `row-${record.row}` });
  }
  return contacts;
}
