// Closing the API (a SIGTERM's drain) lets the requests in flight finish, and ends their
// keep-alive connections with them: an answer given while closing says `Connection: close`, so the
// server is not left waiting out the keep-alive timeout of a connection that went idle (issue 16,
// R-upgrade: a rolling restart under load hit the drain deadline).
import http from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { bearer, newWorkspace, testApi, testDb } from '../support/harness.ts';

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

  it('answers a request that arrives once closing began 503, in the error shape, without running it', async () => {
    const app = await testApi();
    const { apiKey, workspaceId } = await newWorkspace('drain late');
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const body = JSON.stringify({ contacts: [{ email: 'late@drain.example.com', timezone: 'UTC' }] });
    // A connection with a request begun is not idle, and closing leaves it open: a first request
    // and the first line of a second one, in one write; the first's answer says both were read.
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString()));
    const ended = new Promise((resolve) => socket.once('close', resolve));
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nPOST /v1/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    while (!received.includes('{"ok":true}')) await new Promise((resolve) => setImmediate(resolve));
    received = '';
    const closed = app.close();
    // The request's headers and body arrive once the server stopped listening (closing began).
    while (app.server.listening) await new Promise((resolve) => setImmediate(resolve));
    socket.write(
      `Authorization: ${bearer(apiKey).authorization}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    await ended;
    await closed;
    const [head = '', text = ''] = received.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 503 /);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(text)).toEqual({
      error: { code: 'unavailable', message: 'This server is stopping: send the request to another one' },
    });
    const { rows } = await testDb().system((sql) =>
      sql.query(`SELECT 1 FROM contacts WHERE workspace_id = $1`, [workspaceId]),
    );
    expect(rows).toHaveLength(0);
  });
});
