// Files QuotaHit keeps in its data directory (QUOTAHIT_DATA_DIR): the embedded PostgreSQL cluster,
// its generated credentials, and the generated encryption key for secrets at rest.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function ensureDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  // The embedded server runs as the unprivileged `postgres` user when we are root: it must be able
  // to traverse into the data directory.
  await chmod(dataDir, 0o755);
}

/**
 * Reads `<dataDir>/<name>`, or creates it with `make()` and mode 0600. `wx` makes creation atomic so
 * two processes starting at once agree on one value.
 */
export async function readOrCreateSecretFile(dataDir: string, name: string, make: () => string): Promise<string> {
  const file = path.join(dataDir, name);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    await writeFile(file, `${make()}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  return (await readFile(file, 'utf8')).trim();
}

/** The AES-256-GCM key for secrets at rest, generated on first embedded start. */
export async function loadOrCreateEncryptionKey(dataDir: string): Promise<Buffer> {
  const encoded = await readOrCreateSecretFile(dataDir, 'encryption.key', () => randomBytes(32).toString('base64'));
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 32) throw new Error(`${path.join(dataDir, 'encryption.key')} does not hold a 32-byte base64 key`);
  return key;
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

function isAlreadyExists(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'EEXIST';
}
