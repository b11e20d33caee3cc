// quotahit simulate --sequence S [--workspace W] [--file F | --tag T] [--days N] [--start ISO] [--json]
// The real decision, window and quota logic on a virtual clock; nothing is sent or written.
import { stat } from 'node:fs/promises';
import { normalizeContact } from '../core/contact.ts';
import { contactLabels } from '../db/lookups.ts';
import { simulateSequence, type SimContact } from '../engine/commands/simulate.ts';
import { printJson, say, UsageError, wholeNumber } from './args.ts';
import { recordsOf } from './contacts.ts';
import type { SimulateOptions } from './programData.ts';
import { sequenceAndWorkspace } from './sequences.ts';
import { withDatabase } from './session.ts';

export async function simulateCommand(options: SimulateOptions): Promise<void> {
  if (options.file && options.contacts) throw new UsageError('--contacts is the old name of --file: give one');
  const file = options.file ?? options.contacts;
  if (file && options.tag) throw new UsageError('give --file or --tag, not both');
  const days = wholeNumber(options.days, 'days', 1, 120);
  const start = options.start ? new Date(options.start) : new Date();
  if (Number.isNaN(start.getTime())) throw new UsageError(`--start "${options.start}" is not a date (ISO 8601)`);
  const fileContacts = file ? await contactsFromFile(file) : undefined;

  const { result, labels } = await withDatabase(async (database) => {
    const { workspaceId, sequence } = await sequenceAndWorkspace(database, options.sequence, options.workspace);
    const simulated = await database.db.tenant(workspaceId, (sql) =>
      simulateSequence(sql, { sequenceId: sequence.id, tag: options.tag, contacts: fileContacts, days, start }),
    );
    if (!simulated) throw new UsageError(`sequence ${options.sequence} not found`);
    const names = fileContacts
      ? new Map(fileContacts.map((c) => [c.id, c.email ?? c.phone ?? c.linkedinUrl ?? c.id]))
      : await database.db.tenant(workspaceId, (sql) =>
          contactLabels(
            sql,
            simulated.contacts.map((c) => c.contactId),
          ),
        );
    return { result: simulated, labels: names };
  });
  if (options.json) return printJson(result);
  for (const contact of result.contacts) {
    say(`${labels.get(contact.contactId) ?? contact.contactId} (${contact.timezone})`);
    for (const e of contact.events) {
      const account = e.account === 'sandbox' ? 'sandbox' : e.account ? e.account.name : '';
      const what =
        e.action === 'send'
          ? `send ${e.channel} ${e.template} via ${account}`
          : `${e.action}${e.channel ? ` ${e.channel}` : ''}`;
      say(`  ${e.at}  step ${e.step}  ${what}${e.reason ? ` — ${e.reason}` : ''}`);
    }
  }
  const t = result.totals;
  say(`\n${t.sends} sends, ${t.deferrals} deferrals, ${t.skipped} skipped, ${t.completed} completed over ${days} days`);
}

/** Contacts from a CSV or JSON file, validated like an import but not stored. */
async function contactsFromFile(file: string): Promise<SimContact[]> {
  await stat(file).catch(() => {
    throw new UsageError(`cannot read ${file}`);
  });
  const records = await recordsOf(file);
  const contacts: SimContact[] = [];
  for await (const record of records) {
    if ('rejected' in record) throw new UsageError(`${file} row ${record.row}: ${record.rejected}`);
    const normalized = normalizeContact(record.contact);
    if (!normalized.ok) throw new UsageError(`${file} row ${record.row}: ${normalized.reason}`);
    contacts.push({ ...normalized.contact, id: `row-${record.row}` });
  }
  return contacts;
}
