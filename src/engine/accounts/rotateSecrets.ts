// Key rotation in the background: with QUOTAHIT_ENCRYPTION_KEY set to a new key and the old one in
// QUOTAHIT_ENCRYPTION_KEY_PREVIOUS, every secret still sealed with the old key — or in the format
// before associated data — is opened and sealed again with the new key, bound to its row. Small
// batches, each its own transaction with the rows locked, so sending goes on meanwhile: a send
// opens either version. A secret no configured key opens is left as it is and counted.
import type { Db } from '../../db/database.ts';
import { lockStaleSealed, SEALED_COLUMNS, writeSealed, type SealedTable } from '../../db/sealedSecrets.ts';
import {
  currentHeader,
  openJson,
  sealJson,
  senderSecret,
  targetSecret,
  type SecretBinding,
  type SecretKeys,
} from './secrets.ts';

export type RotationSummary = { resealed: number; unreadable: number };

const BINDINGS: Record<SealedTable, (row: { id: string; workspaceId: string }) => SecretBinding> = {
  senders: senderSecret,
  outbound_targets: targetSecret,
};

/** Re-seals one row's secrets; false when a configured key cannot open one of them. */
function reseal(keys: SecretKeys, binding: SecretBinding, sealed: (Buffer | null)[]): (Buffer | null)[] | undefined {
  try {
    return sealed.map((s) => (s ? sealJson(keys, binding, openJson(keys, binding, s)) : null));
  } catch {
    return undefined;
  }
}

/** Runs until no stale secret is left (or only unreadable ones); returns what it did. */
export async function rotateSecrets(
  deps: SecretKeys & { db: Db },
  input: { batch?: number } = {},
): Promise<RotationSummary> {
  const header = currentHeader(deps);
  const summary: RotationSummary = { resealed: 0, unreadable: 0 };
  for (const table of Object.keys(SEALED_COLUMNS) as SealedTable[]) {
    const skip: string[] = [];
    for (;;) {
      const done = await deps.db.system(async (sql) => {
        const rows = await lockStaleSealed(sql, table, { header, skip, limit: input.batch ?? 100 });
        for (const row of rows) {
          const sealed = reseal(deps, BINDINGS[table](row), row.sealed);
          if (sealed) await writeSealed(sql, table, row.id, sealed);
          else skip.push(row.id);
          summary[sealed ? 'resealed' : 'unreadable'] += 1;
        }
        return rows.length === 0;
      });
      if (done) break;
    }
  }
  return summary;
}
