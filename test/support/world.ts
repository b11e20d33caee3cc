// A world: a database of its own (a copy of the run's migrated template), a direct-mode engine on
// a manual clock wired exactly as the program wires it, the HTTP API on top, and a fresh
// workspace. Because the database is the world's own, tick() and pollMailboxes() — "everything
// due", "every account" — only ever see this test's work: no switch in the engine scopes them.
// Assertions read through the API, or through `row()`, which runs as the application role inside
// the workspace (row-level security applies, as for the program).
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, expect, inject } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { createRecipientChecker, type RecipientChecker } from '../../src/channels/email/recipientCheck.ts';
import { defaultAdapters, type AdapterRegistry, type ProviderSettingsMap } from '../../src/channels/registry.ts';
import { loadConfig } from '../../src/config.ts';
import { createDb, type Db } from '../../src/db/database.ts';
import { createWorkspace } from '../../src/db/workspaces.ts';
import { manualClock, type Clock } from '../../src/engine/clock.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { resolvePublicLinks } from '../../src/engine/links.ts';
import type { OutboundOptions } from '../../src/engine/outbound/outbound.ts';
import { silentLogger, type Logger } from '../../src/engine/ports.ts';
import { createWriting } from '../../src/engine/stepWriter.ts';
import type { ModelConfig } from '../../src/writer/llm/modelConfig.ts';
import { withDatabase } from './globalSetup.ts';
import { databaseUrl, TEST_ENCRYPTION_KEY } from './harness.ts';

export const MONDAY_9AM = new Date('2026-03-02T09:00:00Z');

export type WorldOptions = {
  start?: Date;
  /** Adapters to use instead of the registry's (a provider wrapped by a test). */
  adapters?: Partial<AdapterRegistry>;
  /** Providers' installation settings (what their environment variables would say). */
  providers?: ProviderSettingsMap;
  leaseMs?: number;
  /** How long a provider call may take (the engine's send timeout). */
  sendTimeoutMs?: number;
  /** PUBLIC_URL and TRACKING_BASE_URL. */
  publicUrl?: string;
  trackingBaseUrl?: string;
  /** Recipient checks (a resolver pointed at a local DNS server). */
  recipients?: RecipientChecker;
  /** The model that writes and classifies (behind a local fake); none: the offline composer. */
  model?: ModelConfig;
  workspaceName?: string;
  /** Outbound webhooks and integrations: the allow list (a local receiver), jitter, senders. */
  outbound?: OutboundOptions;
  /** Keys used before the world's own (QUOTAHIT_ENCRYPTION_KEY_PREVIOUS): key rotation. */
  previousEncryptionKeys?: Buffer[];
  /** The engine's logger (tests that read what it logs); silent by default. */
  log?: Logger;
  /** The API's request logger (a pino instance writing where the test reads); none by default. */
  logger?: FastifyBaseLogger;
  /** Environment variables of the installation besides the database and key (as config.ts reads them). */
  env?: Record<string, string>;
  /** Connections in the world's pool (default 5): more for tests that run many workers at once. */
  poolSize?: number;
};

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

let worlds = 0;

/** A database of the world's own, copied from the run's template. */
async function worldDatabase(poolSize = 5): Promise<Db> {
  const server = inject('serverUrl');
  const name = `${inject('templateDatabase').replace(/_tpl$/, '')}_w${process.pid}_${++worlds}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
  } finally {
    await admin.end();
  }
  return createDb({ url: withDatabase(server, name), poolSize });
}

export async function world(options: WorldOptions = {}) {
  const db = await worldDatabase(options.poolSize);
  const clock = manualClock(options.start ?? MONDAY_9AM);
  const key = Buffer.from(TEST_ENCRYPTION_KEY, 'base64');
  const adapters: AdapterRegistry = { ...defaultAdapters(options.providers ?? {}), ...options.adapters };
  const writing = createWriting(options.model ? { model: options.model } : {});
  const config = loadConfig({
    DATABASE_URL: databaseUrl(),
    QUOTAHIT_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    ...(options.publicUrl ? { PUBLIC_URL: options.publicUrl } : {}),
    ...options.env,
  });
  /** An engine wired as the world's, on its own clock: another worker of the same installation. */
  const worker = (workerClock: Clock) =>
    createEngine({
      db,
      clock: workerClock,
      adapters,
      writer: writing.writer,
      classify: writing.classify,
      encryptionKey: key,
      ...(options.previousEncryptionKeys ? { previousEncryptionKeys: options.previousEncryptionKeys } : {}),
      log: options.log ?? silentLogger,
      links: resolvePublicLinks({
        encryptionKey: key,
        ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
        ...(options.trackingBaseUrl ? { trackingBaseUrl: options.trackingBaseUrl } : {}),
      }),
      recipients: options.recipients ?? createRecipientChecker(),
      ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
      ...(options.sendTimeoutMs ? { sendTimeoutMs: options.sendTimeoutMs } : {}),
      ...(options.outbound ? { outbound: options.outbound } : {}),
      linkedinRequestExpiryDays: config.linkedinPendingExpiryDays,
      linkedinBatchLaunches: config.linkedinBatchLaunches,
    });
  const engine = worker(clock);
  const app: FastifyInstance = await buildServer({ db, config, logger: options.logger ?? false, engine, adapters });
  afterAll(async () => {
    await app.close();
    await db.close();
  });
  /** A workspace of this world: its own key and rows, this world's database, engine and clock. */
  const ws = async (name: string) => {
    const { workspace, apiKey } = await createWorkspace(db, { name });
    const client = workspaceClient(app, db, workspace.id, apiKey);
    // Real sends wait until the workspace says what it offers (steps/identityHold.ts): every world has an offer.
    await client.ok('PATCH', '/v1/workspace', { offer: 'We help teams send outreach.' });
    return { db, clock, engine, worker, adapters, app, key, ...client };
  };
  return {
    ...(await ws(options.workspaceName ?? 'Test workspace')),
    /** Another workspace in this world (the same database and engine): tenancy checks, shared accounts. */
    workspace: ws,
  };
}

/** The API as one workspace's key sees it, and its rows as the application role sees them. */
function workspaceClient(app: FastifyInstance, db: Db, workspaceId: string, apiKey: string) {
  const headers = { authorization: `Bearer ${apiKey}` };
  const call = async (method: Method, url: string, payload?: unknown, extra: Record<string, string> = {}) => {
    const res = await app.inject({
      method,
      url,
      headers: { ...headers, ...extra },
      ...(payload === undefined ? {} : typeof payload === 'string' ? { payload } : { payload: payload as object }),
    });
    return {
      status: res.statusCode,
      body: res.body ? (res.json() as Record<string, unknown> & { data?: unknown[] }) : {},
    };
  };
  const ok = async (method: Method, url: string, payload?: unknown) => {
    const res = await call(method, url, payload);
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    return res.body;
  };
  /** A statement as the application role inside this workspace (row-level security applies). */
  const row = async <T extends Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> =>
    db.tenant(workspaceId, async (sql) => (await sql.query<T>(text, values)).rows);
  return {
    workspaceId,
    apiKey,
    call,
    ok,
    row,
    /** Imports contacts; returns the ids of every contact of the workspace, oldest first. */
    async contacts(list: Record<string, unknown>[]): Promise<string[]> {
      await ok('POST', '/v1/contacts', { contacts: list });
      return (await row<{ id: string }>('SELECT id FROM contacts ORDER BY id')).map((r) => r.id);
    },
    /** Imports contacts; returns their ids in the order given (matched by email). */
    async contactsByEmail(list: Record<string, unknown>[]): Promise<string[]> {
      await ok('POST', '/v1/contacts', { contacts: list });
      const rows = await row<{ id: string; email: string | null }>('SELECT id, email FROM contacts');
      return list.map((c) => rows.find((r) => r.email === String(c.email).toLowerCase())?.id ?? '');
    },
    async sequence(definition: Record<string, unknown>): Promise<string> {
      return (await ok('POST', '/v1/sequences', definition)).id as string;
    },
    async enroll(sequenceId: string, contactIds: string[]) {
      return (await ok('POST', `/v1/sequences/${sequenceId}/enrollments`, { contactIds })) as {
        enrolled: { contactId: string; enrollmentId: string }[];
        skipped: { contactId: string; reason: string }[];
      };
    },
    async messages(query = ''): Promise<Record<string, unknown>[]> {
      return (await ok('GET', `/v1/messages?limit=500${query}`)).data as Record<string, unknown>[];
    },
    async timeline(contactId: string): Promise<{ type: string; summary: string; data: Record<string, unknown> }[]> {
      return (await ok('GET', `/v1/contacts/${contactId}/timeline?limit=500`)).data as never;
    },
    async enrollment(id: string) {
      return ok('GET', `/v1/enrollments/${id}`);
    },
  };
}

/** A world or one of its workspaces. */
export type World = Omit<Awaited<ReturnType<typeof world>>, 'workspace'>;

/** A sending window that is always open, with no jitter: steps go out the moment they are due. */
export const ALWAYS_OPEN = {
  timezone: 'UTC',
  days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
  start: '00:00',
  end: '24:00',
  jitterSeconds: 0,
};

/** Caps out of the way: tests send several messages within a second. */
export const NO_CAPS = { dailyLimit: 1000, hourlyLimit: null, minGapSeconds: 0, warmup: null };

/** A sequence with every step on day 0 and an always-open window, so tests need no clock moves. */
export function instant(
  steps: { channel: string; template: string; day?: number; acceptanceTimeoutDays?: number }[],
  extra: Record<string, unknown> = {},
) {
  return {
    name: 'instant',
    steps: steps.map((s) => ({ day: 0, ...s })),
    schedule: ALWAYS_OPEN,
    ...extra,
  };
}
