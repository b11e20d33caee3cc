// Opens the system of record: DATABASE_URL when set, else the embedded server in the data dir.
import type { Config } from '../config.ts';
import { loadOrCreateEncryptionKey } from './dataDir.ts';
import { createDb, type Db, type Pooling } from './database.ts';
import { startEmbeddedPostgres } from './embedded.ts';
import { migrate } from './migrate.ts';
import { detectPooling } from './pooling.ts';

export type OpenDatabase = {
  db: Db;
  url: string;
  embedded: boolean;
  encryptionKey: Buffer;
  /** Where the key came from: QUOTAHIT_ENCRYPTION_KEY, or the file in the data directory. */
  encryptionKeySource: 'environment' | 'data directory';
  /** QUOTAHIT_ENCRYPTION_KEY_PREVIOUS: older keys that open secrets until they are re-sealed. */
  previousEncryptionKeys: Buffer[];
  /**
   * Closes the pool, then stops an embedded server this process started. `force`: do not wait
   * for connections still in use (a drain that ran out of time); PostgreSQL's fast shutdown ends them.
   */
  close(options?: { force?: boolean }): Promise<void>;
};

export async function openDatabase(
  config: Config,
  options: {
    migrate?: boolean;
    /** PostgreSQL's own output (embedded server). */
    log?: (line: string) => void;
    /** What the person running QuotaHit should know (a detected pooler, an orphaned cluster). */
    warn?: (line: string) => void;
  } = {},
): Promise<OpenDatabase> {
  let url = config.databaseUrl;
  let stopEmbedded = async () => {};
  let encryptionKey = config.encryptionKey;
  const encryptionKeySource = encryptionKey ? 'environment' : 'data directory';
  if (!url) {
    const server = await startEmbeddedPostgres({ dataDir: config.dataDir, log: options.log, warn: options.warn });
    url = server.url;
    stopEmbedded = server.stop;
    encryptionKey ??= await loadOrCreateEncryptionKey(config.dataDir);
  }
  if (!encryptionKey) throw new Error('QUOTAHIT_ENCRYPTION_KEY is required with DATABASE_URL');
  let pooling: Pooling = config.databasePooling === 'transaction' ? 'transaction' : 'session';
  if (config.databaseUrl && config.databasePooling === 'auto') {
    pooling = await detectPooling(url).catch(async (error: unknown) => {
      await stopEmbedded();
      throw error;
    });
    if (pooling === 'transaction') {
      options.warn?.(
        'DATABASE_URL goes through a connection pooler in transaction mode: prepared statements are off ' +
          '(set QUOTAHIT_DATABASE_POOLING=transaction to skip this check at start)',
      );
    }
  }
  const db = createDb({ url, poolSize: config.poolSize, pooling });
  try {
    if (options.migrate ?? true) await migrate(db.pool);
  } catch (error) {
    await db.close();
    await stopEmbedded();
    throw error;
  }
  return {
    db,
    url,
    embedded: !config.databaseUrl,
    encryptionKey,
    encryptionKeySource,
    previousEncryptionKeys: config.previousEncryptionKeys,
    close: async ({ force = false } = {}) => {
      if (force) void db.close().catch(() => {});
      else await db.close();
      await stopEmbedded();
    },
  };
}
