// The embedded server when root works in a private folder: the `postgres` user reaches neither the
// clone's node_modules nor its data directory, so the binaries are copied and the cluster lives in a
// fallback directory, linked from the data directory. A cluster whose data directory is gone is
// moved aside (and its server stopped), never silently reused, and listed until removed.
import { cp, lstat, mkdir, mkdtemp, readFile, readlink, rm, chmod } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { orphanedClusters } from '../../src/db/embeddedFiles.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { isAlive, packagedBinDir, runningOn } from '../../src/db/postgresProcess.ts';

const root = os.userInfo().uid === 0;

describe.skipIf(!root)('embedded PostgreSQL as root in a 0700 folder', () => {
  it('copies the binaries, keeps the cluster outside, and moves a stale cluster aside', async () => {
    // A "clone" the postgres user cannot enter: mkdtemp makes it 0700.
    const clone = await mkdtemp(path.join(os.tmpdir(), 'quotahit-private-'));
    const fallbackRoot = await mkdtemp(path.join(os.tmpdir(), 'quotahit-fallback-'));
    await chmod(fallbackRoot, 0o755);
    afterAll(async () => {
      await rm(clone, { recursive: true, force: true });
      await rm(fallbackRoot, { recursive: true, force: true });
    });
    expect((await lstat(clone)).mode & 0o777).toBe(0o700);
    const packaged = await packagedBinDir();
    const hidden = path.join(clone, 'node_modules', 'native');
    await mkdir(hidden, { recursive: true });
    await cp(path.dirname(packaged.dir), hidden, { recursive: true, verbatimSymlinks: true });
    const binaries = { dir: path.join(hidden, 'bin'), version: packaged.version };
    const dataDir = path.join(clone, '.quotahit');
    const warnings: string[] = [];
    const start = () => startEmbeddedPostgres({ dataDir, fallbackRoot, binaries, warn: (w) => warnings.push(w) });

    const first = await start();
    const cluster = await readlink(path.join(dataDir, 'pg'));
    expect(path.dirname(cluster)).toBe(fallbackRoot);
    expect(first.clusterDir).toBe(cluster);
    expect(existsSync(path.join(fallbackRoot, 'server', packaged.version, 'bin', 'postgres'))).toBe(true);
    expect(JSON.parse(await readFile(path.join(cluster, 'quotahit-owner.json'), 'utf8'))).toMatchObject({ dataDir });
    await query(first.url, 'CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)');
    await first.stop();
    expect(await runningOn(cluster)).toBeUndefined();

    // Restarted on the same data directory: the same cluster and data, nothing to warn about.
    const second = await start();
    expect(await query(second.url, 'SELECT x FROM kept')).toEqual([{ x: 42 }]);
    expect(warnings).toEqual([]);
    const runningPid = (await runningOn(cluster))?.pid;

    // The data directory deleted while its server runs, then a fresh start at the same path: the
    // old server is stopped, its cluster moved aside and reported; the new one starts empty.
    await rm(dataDir, { recursive: true, force: true });
    const third = await start();
    expect(runningPid !== undefined && isAlive(runningPid)).toBe(false);
    expect(await query(third.url, "SELECT to_regclass('kept') AS t")).toEqual([{ t: null }]);
    expect(warnings[0]).toMatch(/held the database of an earlier .*\(deleted since\); moved to .*\.orphaned-/);
    const orphans = await orphanedClusters(fallbackRoot);
    expect(orphans).toEqual([expect.objectContaining({ reason: 'moved aside when its data directory was recreated' })]);
    expect(warnings.at(-1)).toContain(`Remove it with: rm -rf ${orphans[0]?.dir}`);
    await third.stop();

    // Deleted for good: the cluster it leaves behind is listed with the command that removes it.
    await rm(dataDir, { recursive: true, force: true });
    const left = await orphanedClusters(fallbackRoot);
    expect(left).toContainEqual({ dir: cluster, dataDir, reason: `its data directory ${dataDir} is gone` });
  });
});

async function query(url: string, text: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(text);
    return Array.isArray(result) ? [] : result.rows;
  } finally {
    await client.end();
  }
}
