// Shared by the benchmarks: a database (DATABASE_URL or a fresh embedded server), peak RSS of a
// process, percentiles.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureDataDir } from '../src/db/dataDir.ts';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';

export async function benchDatabase(): Promise<{ url: string; kind: string; close: () => Promise<void> }> {
  const envUrl = process.env.DATABASE_URL;
  let serverUrl = envUrl;
  let stop = async () => {};
  let dir: string | undefined;
  if (!serverUrl) {
    dir = await mkdtemp(path.join(os.tmpdir(), 'quotahit-bench-'));
    await ensureDataDir(dir);
    const server = await startEmbeddedPostgres({ dataDir: dir });
    serverUrl = server.url;
    stop = server.stop;
  }
  const name = `qh_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    kind: envUrl ? 'DATABASE_URL' : 'embedded',
    close: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      await stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Peak resident set size (VmHWM) of a Linux process, in MB. */
export async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
