// Contact import: records stream in (JSON array or CSV), each is validated on its own, valid ones
// are upserted in batches. The whole request is one transaction: a stream that breaks half-way
// (bad CSV quoting, a client that disconnects) leaves nothing behind.
import { normalizeContact, type NormalizedContact } from '../../core/contact.ts';
import { findErasedIdentities, hasErasedContacts, upsertContacts } from '../../db/contacts.ts';
import type { Db, Sql } from '../../db/database.ts';
import { placeholderReason } from '../../core/leadQuality.ts';

export type ImportRecord = { row: number; contact: unknown } | { row: number; rejected: string };
export type Rejection = { row: number; reason: string };
/** A kept row's dropped field (its identity was intact). */
export type ImportWarning = { row: number; field: string; message: string };
export type ImportResult = {
  created: number;
  updated: number;
  unchanged: number;
  rejected: Rejection[];
  /** Imported, but they look like placeholders (test names, example domains): enrollment skips them. */
  flagged?: Rejection[];
  warnings: ImportWarning[];
};

const BATCH_SIZE = 2000;

export async function importContacts(options: {
  db: Db;
  workspaceId: string;
  records: AsyncIterable<ImportRecord> | Iterable<ImportRecord>;
  onProgress?: (processed: number) => void;
}): Promise<ImportResult> {
  const { db, workspaceId } = options;
  return db.tenant(workspaceId, async (sql) => {
    const result: ImportResult = { created: 0, updated: 0, unchanged: 0, rejected: [], warnings: [] };
    const firstRowOf = new Map<string, number>();
    const checkErased = await hasErasedContacts(sql);
    let batch: { row: number; contact: NormalizedContact }[] = [];
    let processed = 0;
    // One batch is written while the next one is parsed and validated (JS and PostgreSQL work
    // in parallel); the connection runs the queries in order.
    let writing: Promise<void> = Promise.resolve();
    const write = async (rows: typeof batch) => {
      await writing;
      writing = flush(sql, { workspaceId, checkErased }, rows, result);
      writing.catch(() => {}); // awaited below; this only prevents an unhandled rejection
    };

    for await (const record of options.records) {
      processed++;
      // Let the event loop answer PostgreSQL now and then: a buffered stream resolves records as
      // microtasks, which would otherwise keep the connection idle until the buffer is drained.
      if (processed % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
      if ('rejected' in record) {
        result.rejected.push({ row: record.row, reason: record.rejected });
        continue;
      }
      const normalized = normalizeContact(record.contact);
      if (!normalized.ok) {
        result.rejected.push({ row: record.row, reason: normalized.reason });
        continue;
      }
      for (const warning of normalized.warnings) result.warnings.push({ row: record.row, ...warning });
      const firstRow = firstRowOf.get(normalized.contact.identity);
      if (firstRow !== undefined) {
        result.rejected.push({
          row: record.row,
          reason: `duplicate of row ${firstRow} (${describeIdentity(normalized.contact.identity)})`,
        });
        continue;
      }
      firstRowOf.set(normalized.contact.identity, record.row);
      const placeholder = placeholderReason(normalized.contact);
      if (placeholder !== undefined) (result.flagged ??= []).push({ row: record.row, reason: placeholder });
      batch.push({ row: record.row, contact: normalized.contact });
      if (batch.length >= BATCH_SIZE) {
        await write(batch);
        batch = [];
        options.onProgress?.(processed);
      }
    }
    await write(batch);
    await writing;
    options.onProgress?.(processed);
    result.rejected.sort((a, b) => a.row - b.row);
    return result;
  });
}

async function flush(
  sql: Sql,
  { workspaceId, checkErased }: { workspaceId: string; checkErased: boolean },
  batch: { row: number; contact: NormalizedContact }[],
  result: ImportResult,
): Promise<void> {
  if (batch.length === 0) return;
  const erased = checkErased
    ? await findErasedIdentities(
        sql,
        batch.map((b) => b.contact),
      )
    : new Set<string>();
  const accepted = batch.filter((b) => {
    if (!erased.has(b.contact.identity)) return true;
    result.rejected.push({
      row: b.row,
      reason: 'this person was erased and is suppressed; they cannot be imported again',
    });
    return false;
  });
  const { created, updated } = await upsertContacts(
    sql,
    workspaceId,
    accepted.map((b) => b.contact),
  );
  result.created += created;
  result.updated += updated;
  result.unchanged += accepted.length - created - updated;
}

function describeIdentity(identity: string): string {
  const [kind, ...rest] = identity.split(':');
  const label = kind === 'linkedin' ? 'LinkedIn URL' : kind;
  return `same ${label} ${rest.join(':')}`;
}
