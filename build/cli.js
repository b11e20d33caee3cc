// The command line runs as compiled JavaScript: `src/` transpiled by esbuild into
// `dist/cli/<fingerprint>/`, one output file per source file (the layout, and so every
// `import.meta.url` path, is kept; the SQL migrations are copied beside their code).
//
// The fingerprint is a hash of every file under src/ plus this file, so a build can never be
// stale: bin/quotahit.js computes it on every run (a few milliseconds) and builds when no finished
// build has it. `npm install`/`npm ci` build once ahead (the `prepare` script). Builds land in a
// temporary directory that is renamed into place, so processes starting at the same moment never
// see half a build.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { cp, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'src');
const OUT = path.join(ROOT, 'dist', 'cli');
const ENTRY = path.join('cli', 'main.js');
const DONE = '.complete';
// Builds not used for this long are removed when a new build lands (a running process may still
// load lazily imported modules from the build it started with).
const KEEP_OLD_MS = 24 * 60 * 60 * 1000;

function sourceFiles(dir = SRC, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(full, out);
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

// The content fingerprint of the sources, remembered under a key of their sizes and modification
// times: when no file was touched, starting the CLI reads no source file.
const STAMP = path.join(OUT, 'stamp.json');

function quickKey(files) {
  const hash = createHash('sha256');
  for (const file of [fileURLToPath(import.meta.url), ...files]) {
    const info = statSync(file);
    hash.update(`${file}\0${info.size}\0${info.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

function rememberedId(key) {
  try {
    const stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
    return stamp.key === key ? stamp.id : undefined;
  } catch {
    return undefined;
  }
}

function remember(key, id) {
  try {
    const temp = `${STAMP}.${process.pid}`;
    writeFileSync(temp, JSON.stringify({ key, id }));
    renameSync(temp, STAMP);
  } catch {
    // Only a shortcut: without it the next start hashes the sources again.
  }
}

/** Hash of the sources' paths and contents, and of this build script. */
export function fingerprint(files = sourceFiles()) {
  const hash = createHash('sha256');
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  for (const file of files.sort()) {
    hash.update(`\0${path.relative(SRC, file)}\0`);
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** The compiled entry point for the current sources, building it first when it does not exist. */
export async function cliEntry() {
  const files = sourceFiles();
  const key = quickKey(files);
  const known = rememberedId(key);
  const id = known ?? fingerprint(files);
  const dir = path.join(OUT, id);
  if (!existsSync(path.join(dir, DONE))) await build(files, id);
  if (known === undefined) remember(key, id);
  return pathToFileURL(path.join(dir, ENTRY)).href;
}

async function build(files, id) {
  const { build: esbuild } = await import('esbuild');
  const temp = path.join(OUT, `.tmp-${id}-${process.pid}-${Date.now()}`);
  await mkdir(temp, { recursive: true });
  try {
    await esbuild({
      entryPoints: files.filter((f) => f.endsWith('.ts')),
      outdir: temp,
      outbase: SRC,
      // Bundling with every relative import external: each file compiles alone and its imports
      // are rewritten from .ts to .js; packages stay imports of node_modules.
      bundle: true,
      packages: 'external',
      plugins: [relativeImportsAsJs],
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      sourcesContent: false,
      logLevel: 'silent',
    });
    for (const file of files.filter((f) => !f.endsWith('.ts'))) {
      await cp(file, path.join(temp, path.relative(SRC, file)));
    }
    await writeFile(path.join(temp, DONE), `${new Date().toISOString()}\n`);
    await rename(temp, path.join(OUT, id)).catch(async (error) => {
      // Another process finished the same build first: use theirs.
      if (!existsSync(path.join(OUT, id, DONE))) throw error;
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  await removeOldBuilds(id);
}

const relativeImportsAsJs = {
  name: 'relative-imports-as-js',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) =>
      args.kind === 'entry-point' ? undefined : { path: args.path.replace(/\.ts$/, '.js'), external: true },
    );
  },
};

async function removeOldBuilds(current) {
  for (const name of await readdir(OUT)) {
    if (name === current || name === path.basename(STAMP)) continue;
    const full = path.join(OUT, name);
    const info = await stat(full).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > KEEP_OLD_MS) await rm(full, { recursive: true, force: true });
  }
}

// `node build/cli.js` (npm run build:cli, and `prepare` on npm install): build now, print where.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const entry = await cliEntry();
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`quotahit CLI: ${path.relative(ROOT, fileURLToPath(entry))} (${ms} ms)\n`);
}
