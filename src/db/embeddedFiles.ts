// Where the embedded server's binaries and cluster live. As root the server runs as the
// unprivileged `postgres` user, which must be able to reach both: a clone under /root or in any
// 0700 directory hides node_modules and the data directory from it. Then
//   - the binaries are copied once to <fallback>/server/<version> (default /var/lib/quotahit), and
//   - the cluster lives in <fallback>/<hash of the data directory>, with <dataDir>/pg a symlink to it.
// A cluster kept outside its data directory carries a marker naming the data directory and the
// password file's fingerprint. A cluster whose data directory was deleted (or recreated, with a
// new password) is moved aside, never reused with credentials that cannot open it, and every
// start lists such leftovers with the command that removes them (and so does `quotahit doctor`).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  chmod,
  cp,
  mkdir,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { isAlive, runningOn } from './postgresProcess.ts';

export const DEFAULT_FALLBACK_ROOT = '/var/lib/quotahit';
const MARKER = 'quotahit-owner.json';

type Marker = { dataDir: string; identity: string; createdAt: string };

/** Every directory from `target`'s parent up to / lets others in (mode o+x). */
export async function reachableByOthers(target: string): Promise<boolean> {
  let current = path.dirname(await realpath(target));
  for (;;) {
    if (((await stat(current)).mode & 0o001) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

/** The packaged binaries when the server's user can reach them, else a copy it can. */
export async function binariesFor(options: {
  packaged: { dir: string; version: string };
  asOtherUser: boolean;
  fallbackRoot: string;
  log: (line: string) => void;
}): Promise<string> {
  const { packaged } = options;
  if (!options.asOtherUser || (await reachableByOthers(path.join(packaged.dir, 'postgres')))) return packaged.dir;
  const target = path.join(options.fallbackRoot, 'server', packaged.version.replace(/[^\w.-]/g, '_'));
  if (existsSync(path.join(target, '.complete'))) return path.join(target, 'bin');
  await mkdir(path.dirname(target), { recursive: true });
  await chmod(options.fallbackRoot, 0o755);
  await chmod(path.dirname(target), 0o755);
  const temp = `${target}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  // bin, lib and share together: the server finds its libraries and data files next to itself.
  await cp(path.dirname(packaged.dir), temp, { recursive: true, verbatimSymlinks: true });
  await chmod(temp, 0o755);
  await writeFile(path.join(temp, '.complete'), `${packaged.dir}\n`);
  await rename(temp, target).catch(async (error: unknown) => {
    await rm(temp, { recursive: true, force: true });
    if (!existsSync(path.join(target, '.complete'))) throw error;
  });
  options.log(`PostgreSQL server binaries copied to ${target} (the postgres user cannot reach ${packaged.dir})`);
  return path.join(target, 'bin');
}

const identityOf = (password: string) => createHash('sha256').update(password).digest('hex').slice(0, 16);

/** `<dataDir>/pg`, or the fallback cluster directory it links to; moves a stale cluster aside. */
export async function clusterFor(options: {
  dataDir: string;
  password: string;
  asOtherUser: boolean;
  fallbackRoot: string;
  warn: (line: string) => void;
}): Promise<{ dir: string; outside: boolean }> {
  const preferred = path.join(options.dataDir, 'pg');
  if (!options.asOtherUser || (await reachableByOthers(options.dataDir))) {
    return { dir: preferred, outside: false };
  }
  const real = await realpath(options.dataDir);
  const cluster = path.join(options.fallbackRoot, createHash('sha256').update(real).digest('hex').slice(0, 16));
  await mkdir(options.fallbackRoot, { recursive: true });
  await chmod(options.fallbackRoot, 0o755);
  const linked = await readlink(preferred).catch(() => undefined);
  const marker = await readMarker(cluster);
  const identity = identityOf(options.password);
  const adoptable = marker ? marker.identity === identity : linked === cluster;
  if (existsSync(path.join(cluster, 'PG_VERSION')) && !adoptable) {
    const aside = `${cluster}.orphaned-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await stopOrphan(cluster);
    await rename(cluster, aside);
    options.warn(
      `${cluster} held the database of an earlier ${options.dataDir} (deleted since); moved to ${aside}. ` +
        `Remove it with: rm -rf ${aside}`,
    );
  }
  await mkdir(cluster, { recursive: true });
  if (linked !== cluster) {
    await rm(preferred, { force: true });
    await symlink(cluster, preferred);
  }
  return { dir: cluster, outside: true };
}

/** Marks a fallback cluster as belonging to this data directory (once initdb made it). */
export async function markCluster(cluster: string, dataDir: string, password: string): Promise<void> {
  if ((await readMarker(cluster))?.identity === identityOf(password)) return;
  const marker: Marker = {
    dataDir: await realpath(dataDir),
    identity: identityOf(password),
    createdAt: new Date().toISOString(),
  };
  await writeFile(path.join(cluster, MARKER), `${JSON.stringify(marker)}\n`, { mode: 0o644 });
}

async function readMarker(cluster: string): Promise<Marker | undefined> {
  try {
    return JSON.parse(await readFile(path.join(cluster, MARKER), 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

/** A server still running on a cluster whose data directory is gone: stop it (fast shutdown). */
async function stopOrphan(cluster: string): Promise<void> {
  const running = await runningOn(cluster);
  if (!running) return;
  process.kill(running.pid, 'SIGINT');
  for (let i = 0; i < 120 && isAlive(running.pid); i++) await new Promise((resolve) => setTimeout(resolve, 250));
}

export type OrphanedCluster = { dir: string; dataDir: string | null; reason: string };

/** Clusters under the fallback root whose data directory no longer uses them. */
export async function orphanedClusters(fallbackRoot = DEFAULT_FALLBACK_ROOT): Promise<OrphanedCluster[]> {
  const names = await readdir(fallbackRoot).catch(() => [] as string[]);
  const found: OrphanedCluster[] = [];
  for (const name of names) {
    if (name === 'server' || name.includes('.tmp-')) continue;
    const dir = path.join(fallbackRoot, name);
    const marker = await readMarker(dir);
    if (name.includes('.orphaned-')) {
      found.push({
        dir,
        dataDir: marker?.dataDir ?? null,
        reason: 'moved aside when its data directory was recreated',
      });
      continue;
    }
    if (!marker) continue;
    const linked = await realpath(path.join(marker.dataDir, 'pg')).catch(() => undefined);
    if (linked !== (await realpath(dir).catch(() => dir))) {
      const gone = !existsSync(marker.dataDir);
      found.push({
        dir,
        dataDir: marker.dataDir,
        reason: gone ? `its data directory ${marker.dataDir} is gone` : `${marker.dataDir}/pg no longer points to it`,
      });
    }
  }
  return found;
}
