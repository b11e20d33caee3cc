// quotahit contacts import FILE --workspace ID [--json]
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { openDatabase } from '../db/open.ts';
import { getWorkspace } from '../db/workspaces.ts';
import { csvImportRecords } from '../engine/commands/csvRecords.ts';
import { importContacts, type ImportRecord } from '../engine/commands/importContacts.ts';
import { config, parse, printJson, requireId, UsageError } from './args.ts';
import { progressBar } from './progress.ts';

const USAGE = 'usage: quotahit contacts import FILE --workspace ID [--json]';

export async function contactsCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'import') throw new UsageError(USAGE);
  const { values, positionals } = parse(rest, { workspace: { type: 'string' }, json: { type: 'boolean' } }, true);
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError(USAGE);
  const workspaceId = requireId(values.workspace, 'workspace', 'workspace', USAGE);
  const size = await stat(file).then(
    (s) => s.size,
    () => {
      throw new UsageError(`cannot read ${file}`);
    },
  );
  const database = await openDatabase(config());
  try {
    if (!(await database.db.tenant(workspaceId, getWorkspace)))
      throw new UsageError(`workspace ${workspaceId} not found`);
    const bar = !values.json && process.stderr.isTTY ? progressBar(process.stderr, size) : undefined;
    const result = await importContacts({
      db: database.db,
      workspaceId,
      records: await recordsOf(file, (bytes) => bar?.update(bytes)),
    });
    bar?.done();
    if (values.json) {
      printJson(result);
      return;
    }
    const { created, updated, unchanged, rejected } = result;
    process.stdout.write(
      `${path.basename(file)}: ${created} created, ${updated} updated, ${unchanged} unchanged, ${rejected.length} rejected\n`,
    );
    for (const r of rejected.slice(0, 20)) process.stdout.write(`  row ${r.row}: ${r.reason}\n`);
    if (rejected.length > 20) process.stdout.write(`  … and ${rejected.length - 20} more (use --json for all)\n`);
  } finally {
    await database.close();
  }
}

async function recordsOf(
  file: string,
  onBytes: (bytes: number) => void,
): Promise<AsyncIterable<ImportRecord> | Iterable<ImportRecord>> {
  if (file.toLowerCase().endsWith('.json')) {
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
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
  return csvImportRecords(createReadStream(file).pipe(counter));
}
