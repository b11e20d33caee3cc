// The HTTP shell the CRM fakes (hubspot.ts, pipedrive.ts) share: JSON bodies, a route table, and
// scripted faults matched on "METHOD /path" — an error status with headers and body; "lost": the
// request is processed and the connection reset before the answer (a crash's window on the wire);
// "stall": processed, then no answer until the test ends it (a worker frozen or killed mid-call).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeRequest = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** The path's parameters (route patterns use :name). */
  params: Record<string, string>;
};
export type FakeAnswer = { status: number; headers?: Record<string, string>; body?: unknown };
export type Fault = { match: RegExp; answer: FakeAnswer | 'lost' | 'stall' };
type Route = { method: string; pattern: RegExp; names: string[]; handle: (req: FakeRequest) => FakeAnswer };

export function route(method: string, path: string, handle: (req: FakeRequest) => FakeAnswer): Route {
  const names: string[] = [];
  const pattern = new RegExp(
    `^${path.replace(/:(\w+)/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    })}$`,
  );
  return { method, pattern, names, handle };
}

export async function startCrmFake(options: {
  routes: Route[];
  /** Refuses the request (401) or answers undefined to go on. */
  authorize: (req: FakeRequest) => FakeAnswer | undefined;
  /** Headers on every answer (rate-limit policy headers). */
  headers: () => Record<string, string>;
  notFound: (req: FakeRequest) => FakeAnswer;
}) {
  const state = {
    faults: [] as Fault[],
    requests: [] as { method: string; path: string; body: unknown }[],
    /** Resets the connections of stalled requests. */
    stalled: [] as (() => void)[],
    /** Called when a request stalls (after the CRM has done what it asked). */
    onStall: undefined as (() => void) | undefined,
  };
  const send = (res: ServerResponse, answer: FakeAnswer) =>
    void res
      .writeHead(answer.status, { 'content-type': 'application/json', ...options.headers(), ...answer.headers })
      .end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  const handle = (req: FakeRequest): FakeAnswer => {
    const refused = options.authorize(req);
    if (refused) return refused;
    for (const r of options.routes) {
      const m = r.method === req.method ? r.pattern.exec(req.path) : null;
      if (!m) continue;
      r.names.forEach((name, i) => (req.params[name] = decodeURIComponent(m[i + 1] ?? '')));
      return r.handle(req);
    }
    return options.notFound(req);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        return send(res, { status: 400, body: { error: 'malformed JSON' } });
      }
      const fakeReq = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        params: {},
      };
      state.requests.push({ method: fakeReq.method, path: fakeReq.path, body });
      const at = state.faults.findIndex((f) => f.match.test(`${fakeReq.method} ${fakeReq.path}`));
      const fault = at >= 0 ? state.faults.splice(at, 1)[0]?.answer : undefined;
      if (fault && fault !== 'lost' && fault !== 'stall') return send(res, fault);
      const answer = handle(fakeReq);
      if (fault === 'lost') return void req.socket.destroy();
      if (fault === 'stall') {
        state.stalled.push(() => req.socket.destroy());
        return state.onStall?.();
      }
      return send(res, answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
