// Contact import: records stream in (JSON array or CSV), each is validated on its own, valid ones
// are upserted in batches. The whole request is one transaction: a stream that breaks half-way
// (bad CSV quoting, a client that disconnects) leaves nothing behind.
import { normalizeContact, type NormalizedContact } from '../core/contact.ts';
import { findErasedIdentities, upsertContacts } from '../db/contacts.ts';
import type { Db, Sql } from '../db/database.ts';

export type ImportRecord = { row: number; contact: unknown } | { row: number; rejected: string };
export type Rejection = { row: number; reason: string };
export type ImportResult = { created: number; updated: number; unchanged: number; rejected: Rejection[] };

const BATCH_SIZE = 2000;

export async function importContacts(options: {
  db: Db;
  workspaceId: string;
  records: AsyncIterable<ImportRecord> | Iterable<ImportRecord>;
  onProgress?: (processed: number) => void;
}): Promise<ImportResult> {
  const { db, workspaceId } = options;
  return db.tenant(workspaceId, async (sql) => {
    const result: ImportResult = { created: 0, updated: 0, unchanged: 0, rejected: [] };
    const firstRowOf = new Map<string, number>();
    let batch: { row: number; contact: NormalizedContact }[] = [];
    let processed = 0;

    for await (const record of options.records) {
      processed++;
      if ('rejected' in record) {
        result.rejected.push({ row: record.row, reason: record.rejected });
        continue;
      }
      const normalized = normalizeContact(record.contact);
      if (!normalized.ok) {
        result.rejected.push({ row: record.row, reason: normalized.reason });
        continue;
      }
      const firstRow = firstRowOf.get(normalized.contact.identity);
      if (firstRow !== undefined) {
        result.rejected.push({ row: record.row, reason: `duplicate of row ${firstRow} (${describeIdentity(normalized.contact.identity)})` });
        continue;
      }
      firstRowOf.set(normalized.contact.identity, record.row);
      batch.push({ row: record.row, contact: normalized.contact });
      if (batch.length >= BATCH_SIZE) {
        await flush(sql, workspaceId, batch, result);
        batch = [];
        options.onProgress?.(processed);
      }
    }
    await flush(sql, workspaceId, batch, result);
    options.onProgress?.(processed);
    result.rejected.sort((a, b) => a.row - b.row);
    return result;
  });
}

async function flush(
  sql: Sql,
  workspaceId: string,
  batch: { row: number; contact: NormalizedContact }[],
  result: ImportResult,
): Promise<void> {
  if (batch.length === 0) return;
  const erased = await findErasedIdentities(sql, batch.map((b) => b.contact));
  const accepted = batch.filter((b) => {
    if (!erased.has(b.contact.identity)) return true;
    result.rejected.push({ row: b.row, reason: 'this person was erased and is suppressed; they cannot be imported again' });
    return false;
  });
  const { created, updated } = await upsertContacts(sql, workspaceId, accepted.map((b) => b.contact));
  result.created += created;
  result.updated += updated;
  result.unchanged += accepted.length - created - updated;
}

function describeIdentity(identity: string): string {
  const [kind, ...rest] = identity.split(':');
  const label = kind === 'linkedin' ? 'LinkedIn URL' : kind;
  return `same ${label} ${rest.join(':')}`;
}
