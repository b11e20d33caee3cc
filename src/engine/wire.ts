// The running program's engine: real clock, every adapter, the writer (offline composer unless a
// model is configured) and, for workers, the pg-boss queue.
import { defaultAdapters, type AdapterRegistry } from '../channels/registry.ts';
import type { OpenDatabase } from '../db/open.ts';
import { createWriter } from '../writer/writer.ts';
import { systemClock } from './clock.ts';
import { createEngine, type Engine } from './engine.ts';
import type { Logger } from './ports.ts';
import { startQueue, type Queue } from './queue.ts';

export async function wireEngine(
  database: OpenDatabase,
  options: { log: Logger; queue: boolean },
): Promise<{ engine: Engine; adapters: AdapterRegistry; queue?: Queue }> {
  const adapters = defaultAdapters();
  const queue = options.queue ? await startQueue({ url: database.url, log: options.log }) : undefined;
  const engine = createEngine({
    db: database.db,
    clock: systemClock,
    adapters,
    writer: createWriter(),
    encryptionKey: database.encryptionKey,
    log: options.log,
    ...(queue ? { queue } : {}),
  });
  return { engine, adapters, ...(queue ? { queue } : {}) };
}
