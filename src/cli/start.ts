// quotahit start: database (embedded unless DATABASE_URL), migrations, the API on PORT and a worker;
// on the very first start a default workspace whose API key is printed once, what real sends still
// wait for (asked on a terminal), and the owner's one-time password link while nobody can sign in
// to the dashboard yet. The dashboard build is checked against the sources (rebuilt when stale).
// quotahit serve: the API only. quotahit worker: the worker only (run as many as you like).
// Each runs until it is asked to stop (SIGTERM, SIGINT, SIGHUP) or its parent process goes away
// (`npm start` killed: npm does not pass the signal on), then drains and stops (processLife.ts).
import type { Logger } from 'pino';
import { buildServer } from '../api/server.ts';
import { openDatabase } from '../db/open.ts';
import { countWorkspaces, createWorkspace } from '../db/workspaces.ts';
import { firstRunOwnerLink, ownerLinkLine } from '../engine/ownerSetup.ts';
import { wireEngine } from '../engine/wire.ts';
import { serverWithDashboard } from './dashboardBuild.ts';
import { askIdentity } from './firstRun.ts';
import { createLogger } from './logger.ts';
import { drain, stopRequested } from './processLife.ts';
import { config } from './session.ts';

type Role = { api: boolean; worker: boolean; firstWorkspace: boolean };

export const start = () => run({ api: true, worker: true, firstWorkspace: true });
export const serve = () => run({ api: true, worker: false, firstWorkspace: false });
export const worker = () => run({ api: false, worker: true, firstWorkspace: false });

async function run(role: Role): Promise<void> {
  const cfg = config();
  const log = createLogger({ level: cfg.logLevel });
  // What a person starting the server must see (where it listens, the first API key, how it
  // stopped) is logged at info even under LOG_LEVEL=warn or error; only `silent` hides it.
  const notice = log.child({}, { level: cfg.logLevel === 'silent' ? 'silent' : moreVerbose(cfg.logLevel, 'info') });
  if (!cfg.databaseUrl) notice.info(`Starting embedded PostgreSQL in ${cfg.dataDir}/pg …`);
  const database = await openDatabase(cfg, {
    log: (line) => log.debug({ component: 'postgres' }, line),
    warn: (line) => log.warn(line),
  });
  if (role.firstWorkspace) {
    await firstWorkspace(database.db, notice);
    const url = await firstRunOwnerLink(database.db, { publicUrl: cfg.publicUrl, now: new Date() });
    if (url) notice.info(ownerLinkLine(url));
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
    ...(cfg.dnsServers ? { dnsServers: cfg.dnsServers } : {}),
    outboundAllowHosts: cfg.outboundAllowHosts,
    linkedinPendingExpiryDays: cfg.linkedinPendingExpiryDays,
    linkedinBatchLaunches: cfg.linkedinBatchLaunches,
  });
  const stopWorker = role.worker
    ? await engine.startWorker({ sweepSeconds: cfg.sweepSeconds, concurrency: cfg.workerConcurrency })
    : undefined;
  const app = role.api
    ? await serverWithDashboard(
        () => buildServer({ db: database.db, config: cfg, engine, adapters, logger: log }),
        (line) => notice.info(line),
      )
    : undefined;
  const stopAll = async () => {
    await app?.close();
    if (stopWorker) await stopWorker();
    else await queue?.stop();
  };

  const stop = stopRequested();
  if (app) {
    try {
      await app.listen({ port: cfg.port, host: cfg.host });
    } catch (error) {
      stop.dispose();
      await stopAll().finally(() => database.close());
      throw error;
    }
    const host = cfg.host === '0.0.0.0' ? 'localhost' : cfg.host;
    notice.info(`QuotaHit is listening on http://${host}:${cfg.port} (public URL ${cfg.publicUrl})`);
  } else {
    notice.info('QuotaHit worker is running');
  }

  const reason = await stop.reason;
  notice.info(
    { reason, deadlineSeconds: cfg.leaseMs / 1000 },
    `Stopping (${reason}): finishing in-flight requests and sends, then the database`,
  );
  const outcome = await drain({ work: stopAll, database, deadlineMs: cfg.leaseMs, forced: stop.forced });
  const seconds = (outcome.ms / 1000).toFixed(1);
  if (outcome.clean) {
    notice.info({ drainMs: Math.round(outcome.ms) }, `Stopped cleanly in ${seconds} s`);
  } else {
    log.warn(
      { drainMs: Math.round(outcome.ms) },
      `Stopped after ${seconds} s without finishing (${outcome.why}): a send still in flight is reconciled by the next worker once its lease ends`,
    );
    process.exitCode = 1;
  }
}

async function firstWorkspace(db: Parameters<typeof countWorkspaces>[0], log: Logger): Promise<void> {
  if ((await countWorkspaces(db)) > 0) return;
  const { workspace, apiKey } = await createWorkspace(db, { name: 'Default workspace' });
  log.info({ workspaceId: workspace.id }, `Created workspace "${workspace.name}".`);
  log.info(`API key (shown once, keep it safe): ${apiKey}`);
  // On a terminal, ask who is writing; otherwise say what real sends wait for.
  await askIdentity(db, workspace.id, { say: (line) => log.info(line) });
}

const ORDER = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
function moreVerbose(a: string, b: string): string {
  return ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b;
}
