// npm run bench:import — a generated 100,000-row CSV imported through the HTTP API by a separate
// server process; prints rows/s and the server's peak RSS, and, in the same run, rows/s of a plain
// PostgreSQL COPY of the same rows (the ceiling).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createDb } from '../src/db/database.ts';
import { freePort } from '../src/db/embedded.ts';
import { migrate } from '../src/db/migrate.ts';
import { createWorkspace } from '../src/db/workspaces.ts';
import { benchDatabase, peakRssMb } from './support.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const HEADER = 'email,firstName,lastName,company,title,tags,enrichment.painPoints,enrichment.industry,country';

function row(i: number): string {
  return `lead${i}@company${i % 997}.example.com,First${i},Last${i},Company ${i % 997},Head of Operations,import;q${i % 4},manual reporting;slow onboarding,SaaS,US`;
}

function* csv(): Generator<string> {
  yield `${HEADER}\n`;
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    chunk += `${row(i)}\n`;
    if (i % 1000 === 999) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

async function main(): Promise<void> {
  const database = await benchDatabase();
  const db = createDb({ url: database.url });
  await migrate(db.pool);
  const { apiKey } = await createWorkspace(db, { name: 'bench' });
  const port = await freePort();
  const server = spawn(
    process.execPath,
    [...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), 'bin/quotahit.js', 'serve'],
    {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        QUOTAHIT_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
        PORT: String(port),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  server.stdout.on('data', (d: Buffer) => (output += d.toString()));
  while (!output.includes('listening')) await new Promise((r) => setTimeout(r, 50));

  const started = performance.now();
  const request = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/v1/contacts',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
  });
  const responded = once(request, 'response');
  await pipeline(Readable.from(csv()), request);
  const [response] = (await responded) as [http.IncomingMessage];
  let body = '';
  for await (const chunk of response) body += chunk;
  const apiSeconds = (performance.now() - started) / 1000;
  const result = JSON.parse(body) as { created: number; rejected: unknown[] };
  if (result.created !== ROWS) throw new Error(`expected ${ROWS} created, got ${body.slice(0, 300)}`);
  const rss = await peakRssMb(server.pid as number);
  server.kill('SIGTERM');
  await once(server, 'close');

  // Ceiling: COPY the same rows into a plain table with the same columns.
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(`CREATE TABLE copy_ceiling (email text, first_name text, last_name text, company text, title text,
    tags text[], pain_points text[], industry text, country text)`);
  const copyStarted = performance.now();
  const copy = client.query(copyFrom('COPY copy_ceiling FROM STDIN WITH (FORMAT csv)'));
  const asCopyRows = function* () {
    let chunk = '';
    for (let i = 0; i < ROWS; i++) {
      chunk += `lead${i}@company${i % 997}.example.com,First${i},Last${i},Company ${i % 997},Head of Operations,"{import,q${i % 4}}","{manual reporting,slow onboarding}",SaaS,US\n`;
      if (i % 1000 === 999) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  };
  await pipeline(Readable.from(asCopyRows()), copy);
  const copySeconds = (performance.now() - copyStarted) / 1000;
  await client.end();
  await db.close();
  await database.close();

  const apiRate = Math.round(ROWS / apiSeconds);
  const copyRate = Math.round(ROWS / copySeconds);
  console.log(`bench:import (${database.kind} PostgreSQL, ${ROWS} rows)`);
  console.log(`  API import      ${apiRate.toLocaleString('en')} rows/s  (${apiSeconds.toFixed(2)} s)`);
  console.log(`  server peak RSS ${rss} MB`);
  console.log(`  COPY ceiling    ${copyRate.toLocaleString('en')} rows/s  (${copySeconds.toFixed(2)} s)`);
  console.log(`  API / ceiling   ${((apiRate / copyRate) * 100).toFixed(0)}%`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
