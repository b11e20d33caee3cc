// Opens the system of record: DATABASE_URL when set, else the embedded server in the data dir.
import type { Config } from '../config.ts';
import { loadOrCreateEncryptionKey } from './dataDir.ts';
import { createDb, type Db } from './database.ts';
import { startEmbeddedPostgres } from './embedded.ts';
import { migrate } from './migrate.ts';

export type OpenDatabase = {
  db: Db;
  url: string;
  embedded: boolean;
  encryptionKey: Buffer;
  close(): Promise<void>;
};

export async function openDatabase(
  config: Config,
  options: { migrate?: boolean; log?: (line: string) => void } = {},
): Promise<OpenDatabase> {
  let url = config.databaseUrl;
  let stopEmbedded = async () => {};
  let encryptionKey = config.encryptionKey;
  if (!url) {
    const server = await startEmbeddedPostgres({ dataDir: config.dataDir, log: options.log });
    url = server.url;
    stopEmbedded = server.stop;
    encryptionKey ??= await loadOrCreateEncryptionKey(config.dataDir);
  }
  if (!encryptionKey) throw new Error('QUOTAHIT_ENCRYPTION_KEY is required with DATABASE_URL');
  const db = createDb({ url, poolSize: config.poolSize });
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
    close: async () => {
      await db.close();
      await stopEmbedded();
    },
  };
}
