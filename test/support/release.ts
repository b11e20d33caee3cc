// A release of QuotaHit in a directory of its own, for R-upgrade: a copy of this checkout's CLI
// (bin/, build/, src/, package.json) with extra migrations added, so that processes of two releases
// can run side by side on one database. build/cli.js finds the sources beside itself and compiles
// them into the copy's own dist/cli/, and src/db/migrate.ts reads the migrations beside its compiled
// file, so each copy applies exactly the migrations it ships. node_modules and web/ are shared
// (symbolic links): the releases differ only in their migrations.
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN } from './processes.ts';

export type Release = { bin: string; dir: string; remove: () => Promise<void> };

const ROOT = path.dirname(path.dirname(BIN));
const MIGRATIONS = path.join('src', 'db', 'migrations');

/** The newest migration version of this checkout (its file names start with the version). */
export async function newestMigration(): Promise<number> {
  const files = (await readdir(path.join(ROOT, MIGRATIONS))).filter((f) => /^\d+_[\w-]+\.sql$/.test(f));
  return Math.max(...files.map((f) => Number(f.split('_')[0])));
}

/**
 * A copy of this checkout with `migrations` (file name → SQL) added to src/db/migrations, compiled
 * ahead (a first start would otherwise compile it, slowly on a loaded machine).
 */
export async function copyRelease(migrations: Record<string, string>): Promise<Release> {
  const dir = await mkdtemp(path.join(tmpdir(), 'quotahit-release-'));
  for (const part of ['bin', 'build', 'src', 'package.json']) {
    // Copies, not links: build/cli.js and the compiled code find their root from their own path.
    await cp(path.join(ROOT, part), path.join(dir, part), { recursive: true });
  }
  for (const shared of ['node_modules', 'web']) await symlink(path.join(ROOT, shared), path.join(dir, shared));
  await mkdir(path.join(dir, MIGRATIONS), { recursive: true });
  for (const [file, sql] of Object.entries(migrations)) await writeFile(path.join(dir, MIGRATIONS, file), sql);
  await compile(path.join(dir, 'build', 'cli.js'));
  return {
    bin: path.join(dir, 'bin', 'quotahit.js'),
    dir,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

function compile(buildScript: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [buildScript], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${buildScript} exited ${code}: ${stderr}`)),
    );
  });
}
