// The dashboard build pipeline, shared by `npm run build:web` and `quotahit start` (which rebuilds
// a stale build). The build tools are development dependencies: without them a stale build is
// refused with what to run instead.
import { spawnSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BUILD_INFO, openapiHash, WEB_DIR, webBuildState, webSourceHash, type BuildInfo } from './webBuild.ts';

export const SCHEMA_FILE = path.join(WEB_DIR, 'src', 'api', 'schema.d.ts');

export class WebBuildUnavailable extends Error {
  override name = 'WebBuildUnavailable';
}

async function tools() {
  try {
    const [openapiTs, vite] = await Promise.all([import('openapi-typescript'), import('vite')]);
    return { openapiTs, vite };
  } catch {
    throw new WebBuildUnavailable(
      'the dashboard build tools are not installed (npm install --omit=dev?): run `npm install` then `npm run build:web`',
    );
  }
}

/** Writes web/src/api/schema.d.ts from an OpenAPI document. */
export async function generateClientSchema(document: object): Promise<void> {
  const { openapiTs } = await tools();
  // openapi-typescript takes the document as parsed JSON.
  const ast = await openapiTs.default(JSON.parse(JSON.stringify(document)));
  const header = '// Generated from the OpenAPI document by scripts/buildWeb.ts: do not edit.\n';
  await mkdir(path.dirname(SCHEMA_FILE), { recursive: true });
  await writeFile(SCHEMA_FILE, header + openapiTs.astToString(ast));
}

export async function buildWeb(input: {
  document: object;
  typecheck: () => void;
  say: (line: string) => void;
}): Promise<BuildInfo> {
  const { vite } = await tools();
  input.say('dashboard: generating the API client from the OpenAPI document');
  await generateClientSchema(input.document);
  input.say('dashboard: type-checking web/ against the API');
  input.typecheck();
  input.say('dashboard: bundling web/ → web/dist');
  const distDir = path.join(WEB_DIR, 'dist');
  await rm(distDir, { recursive: true, force: true });
  await vite.build({ configFile: path.join(WEB_DIR, 'vite.config.ts'), logLevel: 'warn' });
  const info: BuildInfo = {
    sourceHash: await webSourceHash(),
    openapiHash: openapiHash(input.document),
    builtAt: new Date().toISOString(),
  };
  await writeFile(path.join(distDir, BUILD_INFO), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

/**
 * `quotahit start` serves only a dashboard built from this checkout: a missing or stale build is
 * rebuilt, or, without the build tools, refused with what to run.
 */
export async function ensureWebBuild(input: {
  openapi: object;
  say: (line: string) => void;
  rebuild?: () => Promise<void>;
  webDir?: string;
}): Promise<'fresh' | 'rebuilt'> {
  const state = await webBuildState({ openapi: input.openapi, ...(input.webDir ? { webDir: input.webDir } : {}) });
  if (state.kind === 'fresh') return 'fresh';
  const why = state.kind === 'missing' ? 'is not built' : `is stale (${state.what})`;
  input.say(`The dashboard ${why}: building it now …`);
  const rebuild =
    input.rebuild ??
    (async () => {
      await buildWeb({ document: input.openapi, typecheck: typecheckWeb, say: input.say });
    });
  try {
    await rebuild();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`the dashboard ${why} and could not be rebuilt: ${reason}`, { cause: error });
  }
  return 'rebuilt';
}

export function typecheckWeb(): void {
  const tsc = spawnSync(
    process.execPath,
    [path.join(WEB_DIR, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', WEB_DIR],
    {
      stdio: 'inherit',
    },
  );
  if (tsc.status !== 0) throw new Error('web/ does not type-check against the API (see above)');
}
