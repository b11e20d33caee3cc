// A PostgreSQL server of a test's own (the embedded binaries, a temporary data directory, its own
// port), for tests that stop it hard or cut its connections: the run's shared server must never
// be restarted under the other test files. `crash()` is `pg_ctl stop -m immediate` (every backend
// ends at once, no checkpoint: the next start runs crash recovery); `restart()` starts it again on
// the same port (`pg_ctl start -w`, which waits until it accepts connections), so processes
// holding the URL find it there.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { binariesFor, DEFAULT_FALLBACK_ROOT } from '../../src/db/embeddedFiles.ts';
import { packagedBinDir, postgresUser, type RunAs } from '../../src/db/postgresProcess.ts';

const run = promisify(execFile);

export type PrivatePostgres = {
  /** The application database (`quotahit`) on the private server. */
  url: string;
  /** `pg_ctl stop -m immediate`: resolves once the server is gone. */
  crash(): Promise<void>;
  /** Starts the server again on the same port; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** pg_terminate_backend on every other connection to the application database; how many. */
  terminateAll(): Promise<number>;
  close(): Promise<void>;
};

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quotahit-private-pg-'));
  const first = await startEmbeddedPostgres({ dataDir });
  const runAs: RunAs = await postgresUser();
  const binDir = await binariesFor({
    packaged: await packagedBinDir(),
    asOtherUser: !!runAs,
    fallbackRoot: DEFAULT_FALLBACK_ROOT,
    log: () => {},
  });
  const port = Number(new URL(first.url).port);
  const adminUrl = new URL(first.url);
  adminUrl.pathname = '/postgres';
  // pg_ctl as the server's user (it refuses root), waiting (-w) until the server is gone or ready.
  const pgCtl = (args: string[]) =>
    run(path.join(binDir, 'pg_ctl'), ['-D', first.clusterDir, '-w', '-t', '300', ...args], {
      ...(runAs ?? {}),
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
  let stop = first.stop;
  return {
    url: first.url,
    async crash() {
      await pgCtl(['stop', '-m', 'immediate']);
    },
    async restart() {
      const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c lc_messages=C`;
      await pgCtl(['start', '-l', path.join(first.clusterDir, 'restart.log'), '-o', options]);
      stop = async () => void (await pgCtl(['stop', '-m', 'fast']));
    },
    async terminateAll() {
      const admin = new pg.Client({ connectionString: adminUrl.toString() });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ n: number }>(
          `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n
             FROM pg_stat_activity WHERE datname = 'quotahit' AND pid <> pg_backend_pid()`,
        );
        return rows[0]?.n ?? 0;
      } finally {
        await admin.end();
      }
    },
    async close() {
      await stop().catch(() => {});
      await rm(dataDir, { recursive: true, force: true });
      if (!first.clusterDir.startsWith(dataDir)) await rm(first.clusterDir, { recursive: true, force: true });
    },
  };
}
