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
  let cluster: string | undefined;
  if (!serverUrl) {
    dir = await mkdtemp(path.join(os.tmpdir(), 'quotahit-bench-'));
    await ensureDataDir(dir);
    const server = await startEmbeddedPostgres({ dataDir: dir });
    serverUrl = server.url;
    stop = server.stop;
    cluster = server.clusterDir;
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
      // As root the cluster lives outside the (0700) temporary directory.
      if (dir && cluster && !cluster.startsWith(dir)) await rm(cluster, { recursive: true, force: true });
    },
  };
}

/** Peak resident set size (VmHWM) of a Linux process, in MB. */
export async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** CPU seconds (user + system) a Linux process has used so far. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at ") ": utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds the whole machine has spent busy (all cores), from /proc/stat. */
export async function machineBusySeconds(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
}

/** This process's own CPU seconds so far. */
export const ownCpuSeconds = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/**
 * Where the CPU went while a part ran: its worker processes, this process (the fake provider and
 * the polling) and the rest of the machine (PostgreSQL, mostly), in ms per step.
 */
export type CpuSplit = { workers: number; bench: number; rest: number };

export async function cpuMeter(
  pids: () => number[],
): Promise<() => Promise<CpuSplit & { steps: (n: number) => string }>> {
  const sum = async () => (await Promise.all(pids().map(cpuSeconds))).reduce((a, b) => a + b, 0);
  const [workers0, busy0, own0] = [await sum(), await machineBusySeconds(), ownCpuSeconds()];
  return async () => {
    const workers = (await sum()) - workers0;
    const bench = ownCpuSeconds() - own0;
    const rest = (await machineBusySeconds()) - busy0 - workers - bench;
    return {
      workers,
      bench,
      rest,
      steps: (n: number) =>
        `CPU/step: workers ${((workers / n) * 1000).toFixed(2)} ms, PostgreSQL+other ${((rest / n) * 1000).toFixed(2)} ms, bench ${((bench / n) * 1000).toFixed(2)} ms`,
    };
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
