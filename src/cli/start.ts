// quotahit start: database (embedded unless DATABASE_URL), migrations, the API on PORT and a worker;
// on the very first start a default workspace whose API key is printed once, and the owner's
// one-time password link while nobody can sign in to the dashboard yet.
// quotahit serve: the API only. quotahit worker: the worker only (run as many as you like).
import pino from 'pino';
import { buildServer } from '../api/server.ts';
import { openDatabase } from '../db/open.ts';
import { countWorkspaces, createWorkspace } from '../db/workspaces.ts';
import { wireEngine } from '../engine/wire.ts';
import { firstRunOwnerLink, ownerLinkLine } from '../engine/ownerSetup.ts';
import { serverWithDashboard } from './dashboardBuild.ts';
import { config, parse } from './args.ts';
import { askIdentity } from './firstRun.ts';

export const start = (argv: string[]) => run(argv, { api: true, worker: true, firstWorkspace: true });
export const serve = (argv: string[]) => run(argv, { api: true, worker: false, firstWorkspace: false });
export const worker = (argv: string[]) => run(argv, { api: false, worker: true, firstWorkspace: false });

async function run(argv: string[], role: { api: boolean; worker: boolean; firstWorkspace: boolean }): Promise<void> {
  parse(argv, {});
  const cfg = config();
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const log = pino({ level: cfg.logLevel });
  if (!cfg.databaseUrl) say(`Starting embedded PostgreSQL in ${cfg.dataDir}/pg …`);
  const database = await openDatabase(cfg);

  if (role.firstWorkspace && (await countWorkspaces(database.db)) === 0) {
    const { workspace, apiKey } = await createWorkspace(database.db, { name: 'Default workspace' });
    say(`Created workspace "${workspace.name}" (${workspace.id}).`);
    say(`API key (shown once, keep it safe): ${apiKey}`);
    await askIdentity(database.db, workspace.id);
  }
  if (role.firstWorkspace) {
    const url = await firstRunOwnerLink(database.db, { publicUrl: cfg.publicUrl, now: new Date() });
    if (url) say(ownerLinkLine(url));
  }

  const { engine, adapters, queue } = await wireEngine(database, {
    log,
    queue: true,
    leaseMs: cfg.leaseMs,
    sendTimeoutMs: cfg.sendTimeoutMs,
    publicUrl: cfg.publicUrl,
    email: cfg.email,
    providers: cfg.providers,
    model: cfg.model,
  });
  const stopWorker = role.worker
    ? await engine.startWorker({ sweepSeconds: cfg.sweepSeconds, concurrency: cfg.workerConcurrency })
    : undefined;
  const app = role.api
    ? await serverWithDashboard(() => buildServer({ db: database.db, config: cfg, engine, adapters }), say)
    : undefined;

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests and jobs');
    try {
      await app?.close();
      if (stopWorker) await stopWorker();
      else await queue?.stop();
    } finally {
      await database.close();
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  if (app) {
    try {
      await app.listen({ port: cfg.port, host: cfg.host });
    } catch (error) {
      await shutdown('listen failed');
      throw error;
    }
    say(
      `QuotaHit is listening on http://${cfg.host === '0.0.0.0' ? 'localhost' : cfg.host}:${cfg.port} (public URL ${cfg.publicUrl})`,
    );
  } else {
    say('QuotaHit worker is running');
  }
}
