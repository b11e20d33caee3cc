// What every test needs: the run's database, a fresh workspace, and the API in-process.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { loadConfig } from '../../src/config.ts';
import { createDb, type Db } from '../../src/db/database.ts';
import { createWorkspace } from '../../src/db/workspaces.ts';
import { defaultAdapters, type AdapterRegistry } from '../../src/channels/registry.ts';
import { manualClock } from '../../src/engine/clock.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { silentLogger } from '../../src/engine/ports.ts';
import { createStepWriter } from '../../src/engine/stepWriter.ts';

export const TEST_ENCRYPTION_KEY = randomBytes(32).toString('base64');

/**
 * This test file's database (test/support/fileDatabase.ts copies it from the run's template before
 * the file's first test): what the file's in-process API and the processes it starts share.
 */
export function databaseUrl(): string {
  const url = (globalThis as { quotahitFileDatabase?: string }).quotahitFileDatabase;
  if (!url) throw new Error('no database for this test file: test/support/fileDatabase.ts is a setup file');
  return url;
}

let shared: Db | undefined;

/** The file's database (closed after the file). */
export function testDb(): Db {
  if (!shared) {
    shared = createDb({ url: databaseUrl(), poolSize: 5 });
    afterAll(async () => {
      await shared?.close();
      shared = undefined;
    });
  }
  return shared;
}

export async function newWorkspace(name = 'Test workspace'): Promise<{ workspaceId: string; apiKey: string }> {
  const { workspace, apiKey } = await createWorkspace(testDb(), { name });
  return { workspaceId: workspace.id, apiKey };
}

/** An engine in direct mode (no queue) on a manual clock; tests move the clock and call tick(). */
export function testEngine(options: { start?: Date; adapters?: Partial<AdapterRegistry>; leaseMs?: number } = {}) {
  const clock = manualClock(options.start ?? new Date('2026-03-02T09:00:00Z'));
  const adapters: AdapterRegistry = { ...defaultAdapters(), ...options.adapters };
  const engine = createEngine({
    db: testDb(),
    clock,
    adapters,
    writer: createStepWriter(),
    encryptionKey: Buffer.from(TEST_ENCRYPTION_KEY, 'base64'),
    log: silentLogger,
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
  });
  return { engine, clock, adapters };
}

/** The HTTP API on the test database; requests go through app.inject (no socket). */
export async function testApi(
  env: Record<string, string> = {},
  wired: { engine: Engine; adapters: AdapterRegistry } = testEngine(),
): Promise<FastifyInstance> {
  const config = loadConfig({
    DATABASE_URL: databaseUrl(),
    QUOTAHIT_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    ...env,
  });
  const app = await buildServer({
    db: testDb(),
    config,
    logger: false,
    engine: wired.engine,
    adapters: wired.adapters,
  });
  afterAll(() => app.close());
  return app;
}

export const bearer = (apiKey: string) => ({ authorization: `Bearer ${apiKey}` });

/** Environment for spawned CLI processes that should use the test database. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _d, ...rest } = process.env;
  return {
    ...rest,
    DATABASE_URL: databaseUrl(),
    QUOTAHIT_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}
