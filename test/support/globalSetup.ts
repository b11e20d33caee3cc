// One PostgreSQL for the whole run: DATABASE_URL when set and reachable (CI's server), otherwise an
// embedded server in a temporary directory. Each run migrates a template database once; every
// test file gets a copy of it (test/support/fileDatabase.ts; each test a fresh workspace there), and
// every world() (test/support/world.ts) a copy of its own, so an engine or a worker that runs
// "everything due" only ever sees its own file's or test's work.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { ensureDataDir } from '../../src/db/dataDir.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseKind: 'server' | 'embedded';
    /** The server (any database on it), to create world databases from the template. */
    serverUrl: string;
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let serverUrl =
    process.env.DATABASE_URL && (await reachable(process.env.DATABASE_URL)) ? process.env.DATABASE_URL : undefined;
  let stopEmbedded = async () => {};
  let tempDir: string | undefined;
  let clusterDir: string | undefined;
  if (!serverUrl) {
    tempDir = await mkdtemp(path.join(os.tmpdir(), 'quotahit-test-'));
    await ensureDataDir(tempDir);
    const server = await startEmbeddedPostgres({ dataDir: tempDir });
    serverUrl = server.url;
    stopEmbedded = server.stop;
    clusterDir = server.clusterDir;
  }
  const name = `qh_test_${randomBytes(6).toString('hex')}`;
  const template = `${name}_tpl`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  const pool = new pg.Pool({ connectionString: withDatabase(serverUrl, template) });
  await migrate(pool);
  await pool.end();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const url = withDatabase(serverUrl, name);

  project.provide('databaseUrl', url);
  project.provide('databaseKind', tempDir ? 'embedded' : 'server');
  project.provide('serverUrl', serverUrl);
  project.provide('templateDatabase', template);
  process.stdout.write(`[tests] PostgreSQL: ${tempDir ? 'embedded' : 'DATABASE_URL'}; database ${name}\n`);

  const server = serverUrl;
  return async () => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname DESC`,
      [`${name}%`],
    );
    // The template last (its copies first): a template cannot be dropped while copied.
    for (const row of rows) await client.query(`DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`).catch(() => {});
    await client.end();
    await stopEmbedded();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    // As root the cluster lives outside the (0700) temporary directory: remove it too.
    if (clusterDir && tempDir && !clusterDir.startsWith(tempDir))
      await rm(clusterDir, { recursive: true, force: true });
  };
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    process.stdout.write('[tests] DATABASE_URL is set but not reachable: using embedded PostgreSQL\n');
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
