// quotahit contacts import FILE [--workspace W] [--json]
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { csvImportRecords } from '../engine/commands/csvRecords.ts';
import { importContacts, type ImportRecord, type ImportResult } from '../engine/commands/importContacts.ts';
import { printJson, say, UsageError } from './args.ts';
import { progressBar } from './progress.ts';
import { resolveWorkspace, withDatabase } from './session.ts';
import { parseJsonInput } from '../core/jsonInput.ts';

export async function importContactsCommand(file: string, options: { workspace?: string; json?: boolean }) {
  const size = await stat(file).then(
    (s) => s.size,
    () => {
      throw new UsageError(`cannot read ${file}`);
    },
  );
  const result = await withDatabase(async (database) => {
    const workspace = await resolveWorkspace(database, options.workspace);
    const bar = !options.json && process.stderr.isTTY ? progressBar(process.stderr, size) : undefined;
    const imported = await importContacts({
      db: database.db,
      workspaceId: workspace.id,
      records: await recordsOf(file, (bytes) => bar?.update(bytes)),
    });
    bar?.done();
    return imported;
  });
  if (options.json) return printJson(result);
  printSummary(path.basename(file), result);
}

function printSummary(name: string, result: ImportResult): void {
  const { created, updated, unchanged, rejected, warnings } = result;
  say(`${name}: ${created} created, ${updated} updated, ${unchanged} unchanged, ${rejected.length} rejected`);
  for (const r of rejected.slice(0, 20)) say(`  row ${r.row}: ${r.reason}`);
  if (rejected.length > 20) say(`  … and ${rejected.length - 20} more rejected (use --json for all)`);
  if (warnings.length === 0) return;
  say(`${warnings.length} bad field${warnings.length === 1 ? '' : 's'} dropped (their rows were kept):`);
  for (const w of warnings.slice(0, 20)) say(`  row ${w.row}: ${w.message} (dropped ${w.field})`);
  if (warnings.length > 20) say(`  … and ${warnings.length - 20} more warnings (use --json for all)`);
}

/** The file's contacts, as the importer takes them: a JSON list, or CSV records streamed. */
export async function recordsOf(
  file: string,
  onBytes: (bytes: number) => void = () => {},
): Promise<AsyncIterable<ImportRecord> | Iterable<ImportRecord>> {
  if (file.toLowerCase().endsWith('.json')) {
    let value: unknown;
    const text = await readFile(file, 'utf8').catch((error: Error) => {
      throw new UsageError(`cannot read ${file}: ${error.message}`);
    });
    try {
      value = parseJsonInput(text, file);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const list = Array.isArray(value) ? value : (value as { contacts?: unknown }).contacts;
    if (!Array.isArray(list)) throw new UsageError(`${file} must hold a list of contacts or {"contacts":[…]}`);
    return list.map((contact, index) => ({ row: index + 1, contact }));
  }
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      onBytes(seen);
      callback(null, chunk);
    },
  });
  const source = createReadStream(file);
  source.on('error', (error) => counter.destroy(error));
  return csvImportRecords(source.pipe(counter));
}
