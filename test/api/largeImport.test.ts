import http from 'node:http';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { newWorkspace, testApi, testDb } from '../support/harness.ts';

const ROWS = 100_000;

function* csvRows(): Generator<string> {
  yield 'email,firstName,lastName,company,title,tags,enrichment.painPoints,enrichment.industry\n';
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    chunk += `lead${i}@company${i % 997}.example.com,First${i},Last${i},Company ${i % 997},Head of Ops,import;q${i % 4},manual work;slow reporting,SaaS\n`;
    if (i % 1000 === 999) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

describe('a 100,000-row CSV in one request', () => {
  it('is streamed into PostgreSQL, every row lands once', async () => {
    const app = await testApi();
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const { workspaceId, apiKey } = await newWorkspace('Big import');

    const request = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/contacts',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
    });
    const responded = once(request, 'response');
    await pipeline(Readable.from(csvRows()), request);
    const [response] = (await responded) as [http.IncomingMessage];
    let body = '';
    for await (const chunk of response) body += chunk;
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(body)).toEqual({ created: ROWS, updated: 0, unchanged: 0, rejected: [], warnings: [] });
    const { rows } = await testDb().pool.query('SELECT count(*)::int AS n FROM contacts WHERE workspace_id = $1', [
      workspaceId,
    ]);
    expect(rows[0].n).toBe(ROWS);
  }, 120_000);
});
