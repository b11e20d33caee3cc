// The OpenAPI document without a running database: the server is built in-process on a pool that
// never connects (no route runs), so the dashboard's client is generated from the routes themselves.
import { randomBytes } from 'node:crypto';
import { defaultAdapters } from '../channels/registry.ts';
import { loadConfig } from '../config.ts';
import { createDb } from '../db/database.ts';
import { systemClock } from '../engine/clock.ts';
import { createEngine } from '../engine/engine.ts';
import { silentLogger } from '../engine/ports.ts';
import { createStepWriter } from '../engine/stepWriter.ts';
import { buildServer } from './server.ts';

export async function openapiDocument(): Promise<object> {
  const db = createDb({ url: 'postgres://unused@127.0.0.1:1/unused', poolSize: 1 });
  const adapters = defaultAdapters();
  const engine = createEngine({
    db,
    clock: systemClock,
    adapters,
    writer: createStepWriter(),
    encryptionKey: randomBytes(32),
    log: silentLogger,
  });
  const config = loadConfig({ QUOTAHIT_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
  const app = await buildServer({ db, config, engine, adapters, logger: false });
  try {
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
    await db.close();
  }
}
