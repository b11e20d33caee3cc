// Each test file gets a database of its own, copied from the run's template before its first test
// (vitest runs this setup file in every test file's context). Two files run at once: processes one
// file starts (`quotahit worker`, ingesters, `quotahit start`) claim the queue's jobs and the
// outbound deliveries of every workspace on their database, so on a shared database they took the
// other file's work — sealed with the other file's key — and deferred it as undecryptable.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { withDatabase } from './globalSetup.ts';

const server = inject('serverUrl');
const name = `${inject('templateDatabase').replace(/_tpl$/, '')}_f${process.pid}_${randomBytes(4).toString('hex')}`;

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

await admin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`));
setFileDatabase(withDatabase(server, name));

// Registered first, so it runs after every hook of the file (after hooks run in reverse order):
// whatever the file left connected is cut. The run's teardown drops what is left anyway.
afterAll(async () => {
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => {});
});

function setFileDatabase(url: string) {
  (globalThis as { quotahitFileDatabase?: string }).quotahitFileDatabase = url;
}
