// quotahit start: database (embedded unless DATABASE_URL), migrations, the API on PORT; on the very
// first start a default workspace whose API key is printed once. quotahit serve: the API only.
import { buildServer } from '../api/server.ts';
import { openDatabase } from '../db/open.ts';
import { countWorkspaces, createWorkspace } from '../db/workspaces.ts';
import { config, parse } from './args.ts';

export async function start(argv: string[]): Promise<void> {
  await run(argv, { firstWorkspace: true });
}

export async function serve(argv: string[]): Promise<void> {
  await run(argv, { firstWorkspace: false });
}

async function run(argv: string[], options: { firstWorkspace: boolean }): Promise<void> {
  parse(argv, {});
  const cfg = config();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  if (!cfg.databaseUrl) say(`Starting embedded PostgreSQL in ${cfg.dataDir}/pg …`);
  const database = await openDatabase(cfg);

  if (options.firstWorkspace && (await countWorkspaces(database.db)) === 0) {
    const { workspace, apiKey } = await createWorkspace(database.db, { name: 'Default workspace' });
    say(`Created workspace "${workspace.name}" (${workspace.id}).`);
    say(`API key (shown once, keep it safe): ${apiKey}`);
  }

  const app = await buildServer({ db: database.db, config: cfg });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    try {
      await app.close();
    } finally {
      await database.close();
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  try {
    await app.listen({ port: cfg.port, host: cfg.host });
  } catch (error) {
    await database.close();
    throw error;
  }
  say(
    `QuotaHit is listening on http://${cfg.host === '0.0.0.0' ? 'localhost' : cfg.host}:${cfg.port} (public URL ${cfg.publicUrl})`,
  );
}
