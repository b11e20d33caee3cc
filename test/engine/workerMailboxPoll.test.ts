// A worker reads mailboxes on its own timer: a real pg-boss queue, a Gmail account on the fake Google
// API, and nothing calling pollMailboxes(). The worker's `replyPollSeconds` timer queues
// inbound/mailbox.poll jobs, pg-boss runs them, the first one remembers where the mailbox's history
// starts, and a later one finds the reply and stops the enrollment.
//
// This file runs on a database of its own: pg-boss's queue lives in the database, and the worker
// processes other test files start (quotahit start) would otherwise take this worker's jobs, and
// this worker theirs.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildServer } from '../../src/api/server.ts';
import { createRecipientChecker } from '../../src/channels/email/recipientCheck.ts';
import { defaultAdapters } from '../../src/channels/registry.ts';
import { loadConfig } from '../../src/config.ts';
import { createDb, type Db } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createWorkspace } from '../../src/db/workspaces.ts';
import { systemClock } from '../../src/engine/clock.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { resolvePublicLinks } from '../../src/engine/links.ts';
import { silentLogger } from '../../src/engine/ports.ts';
import { startQueue } from '../../src/engine/queue.ts';
import { createStepWriter } from '../../src/engine/stepWriter.ts';
import type { LocalDns } from '../channels/support/dnsServer.ts';
import { FakeGmail } from '../fakes/gmail.ts';
import { bearer, TEST_ENCRYPTION_KEY } from '../support/harness.ts';
import { emailSequence, gmailCredentials, NO_CAPS, POSTAL, PUBLIC_URL, startDnsServer, zone } from './emailSupport.ts';

const key = Buffer.from(TEST_ENCRYPTION_KEY, 'base64');

let dns: LocalDns;
let google: FakeGmail;
let url: string;
let db: Db;
const dropDatabase: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dns = await startDnsServer(zone());
  google = await new FakeGmail('sam@acme.example').start();
  const name = `qh_worker_${randomBytes(5).toString('hex')}`;
  const server = inject('databaseUrl');
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const parsed = new URL(server);
  parsed.pathname = `/${name}`;
  url = parsed.toString();
  const pool = new pg.Pool({ connectionString: url });
  await migrate(pool);
  await pool.end();
  db = createDb({ url, poolSize: 5 });
  dropDatabase.push(async () => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  });
});
afterAll(async () => {
  await db?.close();
  for (const drop of dropDatabase) await drop();
  await dns?.close();
  await google?.close();
});

/** Polls a condition (no fixed sleep) until it holds or the time is up. */
async function eventually<T>(what: string, read: () => Promise<T>, holds: (value: T) => boolean, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (holds(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the worker polls mailboxes on its timer (pg-boss)', () => {
  it('picks up a Gmail reply without anyone calling pollMailboxes()', { timeout: 60_000 }, async () => {
    const { workspace, apiKey } = await createWorkspace(db, { name: 'worker poll' });
    const workspaceId = workspace.id;
    const queue = await startQueue({ url, log: silentLogger });
    const adapters = defaultAdapters();
    const engine = createEngine({
      db,
      clock: systemClock,
      adapters,
      writer: createStepWriter(),
      encryptionKey: key,
      log: silentLogger,
      queue,
      replyPollSeconds: 1,
      links: resolvePublicLinks({ encryptionKey: key, publicUrl: PUBLIC_URL }),
      recipients: createRecipientChecker({ resolver: dns.resolver }),
    });
    const app = await buildServer({
      db,
      config: loadConfig({ DATABASE_URL: url, QUOTAHIT_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY }),
      logger: false,
      engine,
      adapters,
    });
    const stopWorker = await engine.startWorker({ sweepSeconds: 30 });
    try {
      const api = async (method: 'GET' | 'POST' | 'PATCH', path: string, payload?: object) => {
        const res = await app.inject({ method, url: path, headers: bearer(apiKey), ...(payload ? { payload } : {}) });
        expect(res.statusCode, res.body).toBeLessThan(300);
        return res.json() as Record<string, unknown>;
      };
      await api('PATCH', '/v1/workspace', { postalAddress: POSTAL, offer: 'We help teams send outreach.' });
      const sender = await api('POST', '/v1/senders', {
        channel: 'email',
        provider: 'gmail',
        fromEmail: 'sam@acme.example',
        fromName: 'Sam Rivera',
        credentials: gmailCredentials(google, new Date(Date.now() + 3600_000)),
        ...NO_CAPS,
      });
      const row = async <T extends pg.QueryResultRow>(text: string, values: unknown[]) =>
        (await db.pool.query<T>(text, values)).rows[0];

      // The timer's first poll remembers where the mailbox's history starts.
      await eventually(
        'the first poll',
        () =>
          row<{ cursor: { historyId?: string } }>('SELECT inbound_cursor AS cursor FROM senders WHERE id = $1', [
            sender.id,
          ]),
        (r) => typeof r?.cursor.historyId === 'string',
      );

      // The worker sends step 0 (a step.due job).
      await api('POST', '/v1/contacts', {
        contacts: [{ email: 'dana@globex.example', firstName: 'Dana', company: 'Globex', timezone: 'UTC' }],
      });
      const contact = await row<{ id: string }>('SELECT id FROM contacts WHERE workspace_id = $1', [workspaceId]);
      const sequence = await api('POST', '/v1/sequences', emailSequence(2, {}, 1));
      await api('POST', `/v1/sequences/${sequence.id as string}/enrollments`, { contactIds: [contact?.id] });
      const sent = await eventually(
        'step 0 to go out',
        () =>
          row<{ status: string; rfc: string | null }>(
            'SELECT status, rfc_message_id AS rfc FROM messages WHERE workspace_id = $1 AND step = 0',
            [workspaceId],
          ),
        (r) => r?.status === 'sent',
      );
      const gmailCopy = google.messages.find((m) => m.messageIdHeader === sent?.rfc);
      expect(gmailCopy?.labelIds).toEqual(['SENT']);

      // Dana answers in the thread; only the worker's timer reads the mailbox.
      google.deliver(
        Buffer.from(
          [
            'From: Dana <dana@globex.example>',
            'To: sam@acme.example',
            'Subject: Re: hello',
            'Message-ID: <reply-worker@globex.example>',
            `In-Reply-To: ${sent?.rfc}`,
            `References: ${sent?.rfc}`,
            'Content-Type: text/plain; charset=utf-8',
            '',
            'Happy to talk, call me on Thursday.',
            '',
          ].join('\r\n'),
        ),
        gmailCopy?.threadId,
      );
      const enrollment = await eventually(
        'the reply to stop the enrollment',
        () =>
          row<{ status: string; stopReason: string | null }>(
            'SELECT status, stop_reason AS "stopReason" FROM enrollments WHERE workspace_id = $1',
            [workspaceId],
          ),
        (r) => r?.status === 'stopped',
      );
      expect(enrollment).toEqual({ status: 'stopped', stopReason: 'replied' });
      const replied = await row<{ summary: string }>(
        `SELECT summary FROM activities WHERE workspace_id = $1 AND type = 'replied'`,
        [workspaceId],
      );
      expect(replied?.summary).toContain('call me on Thursday');
    } finally {
      await stopWorker();
      await app.close();
    }
  });
});
