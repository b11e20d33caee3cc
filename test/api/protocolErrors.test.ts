// Requests refused below the routes — by Node's HTTP parser (malformed request, headers too large)
// or by Fastify before a handler runs (bad JSON, wrong content type, bad URL encoding) — answer in
// the documented shape {"error":{"code","message"}}, on a real socket.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { world, type World } from '../support/world.ts';

let w: World;
let port: number;
beforeAll(async () => {
  w = await world();
  await w.app.listen({ port: 0, host: '127.0.0.1' });
  port = (w.app.server.address() as AddressInfo).port;
});

/** Sends raw bytes, reads until the server closes or answers completely; the status and JSON body. */
async function raw(bytes: string | Buffer): Promise<{ status: number; headers: string; body: unknown }> {
  const text = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const sofar = Buffer.concat(chunks).toString('latin1');
      const end = sofar.indexOf('\r\n\r\n');
      const length = /content-length:\s*(\d+)/i.exec(sofar.slice(0, end))?.[1];
      if (end >= 0 && length !== undefined && sofar.length >= end + 4 + Number(length)) socket.end();
    });
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(error),
    );
    socket.write(bytes);
  });
  const end = text.indexOf('\r\n\r\n');
  const head = text.slice(0, end);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  let body: unknown = text.slice(end + 4);
  try {
    body = JSON.parse(String(body));
  } catch {
    // left as text: the assertion on the shape says what came
  }
  return { status, headers: head, body };
}

const shaped = (code: string) => ({ error: { code, message: expect.any(String) as unknown } });

describe('protocol-level errors answer {"error":{"code","message"}}', () => {
  it('headers too large: 431', async () => {
    const res = await raw(`GET /v1/contacts HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.body).toEqual(shaped('headers_too_large'));
    expect(res.headers).toMatch(/content-type: application\/json/i);
  });

  it.each([
    ['a malformed request line', 'GARBAGE\r\n\r\n'],
    ['a bad header line', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'],
    [
      'two different Content-Lengths',
      'POST /v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
    ],
    ['broken chunked encoding', 'POST /v1/contacts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
  ])('%s: 400', async (_name, request) => {
    const res = await raw(request);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(shaped('bad_request'));
  });

  const post = (contentType: string, body: string) =>
    w.app.inject({
      method: 'POST',
      url: '/v1/contacts',
      headers: { authorization: `Bearer ${w.apiKey}`, 'content-type': contentType },
      payload: body,
    });

  it.each([
    ['malformed JSON', 'application/json', '{"contacts":', 400, 'invalid_json'],
    ['an empty JSON body', 'application/json', '', 400, 'invalid_json'],
    ['an unknown content type', 'application/x-www-form-urlencoded', 'a=1', 415, 'unsupported_media_type'],
    ['a prototype-poisoning body', 'application/json', '{"__proto__":{"x":1},"contacts":[]}', 400, 'invalid_json'],
  ])('%s', async (_name, contentType, body, status, code) => {
    const res = await post(contentType, body);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual(shaped(code));
  });

  it('a URL that is not valid percent-encoding: 400', async () => {
    const res = await w.app.inject({
      method: 'GET',
      url: '/v1/contacts/%E0%A4%A',
      headers: { authorization: `Bearer ${w.apiKey}` },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(shaped('invalid_request'));
  });

  it('a webhook with malformed JSON: 400 in the same shape', async () => {
    const res = await w.app.inject({
      method: 'POST',
      url: '/webhooks/resend',
      headers: { 'content-type': 'application/json' },
      payload: '{"type":',
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.json()).toEqual(shaped(expect.any(String) as unknown as string));
  });
});
