// Closing the API (a SIGTERM's drain) lets the requests in flight finish, and ends their
// keep-alive connections with them: an answer given while closing says `Connection: close`, so the
// server is not left waiting out the keep-alive timeout of a connection that went idle (issue 16,
// R-upgrade: a rolling restart under load hit the drain deadline).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bearer, newWorkspace, testApi } from '../support/harness.ts';

describe('closing the API under load', () => {
  it('answers the request in flight, with Connection: close', async () => {
    const app = await testApi();
    const { apiKey } = await newWorkspace('drain');
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const agent = new http.Agent({ keepAlive: true });
    const body = JSON.stringify({ contacts: [{ email: 'ana@drain.example.com', timezone: 'UTC' }] });
    const arrived = new Promise((resolve) => app.server.once('request', resolve));
    const answer = new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/contacts',
          agent,
          headers: { ...bearer(apiKey), 'content-type': 'application/json', 'content-length': body.length },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text }));
        },
      );
      request.on('error', reject);
      // The headers now, the body once the server is closing: the request is in flight meanwhile.
      request.flushHeaders();
      void arrived.then(() => {
        closed = app.close();
        request.end(body);
      });
    });
    let closed: Promise<unknown> = Promise.resolve();
    const res = await answer;
    expect(res.status, res.body).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ created: 1 });
    expect(res.connection).toBe('close');
    await closed;
    agent.destroy();
  });
});
