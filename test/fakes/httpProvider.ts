// A local server speaking QuotaHit's HTTP channel protocol (src/channels/http/adapter.ts): POST a
// message with an Idempotency-Key (the same key again answers the same id and delivers nothing
// new), GET /{key} to look one up. It records every request so tests can count deliveries.
import http from 'node:http';
import { applyFault, FaultPlan } from './faults.ts';

export type Delivery = { key: string; body: Record<string, unknown>; at: number; authorization?: string };

export type FakeHttpProvider = {
  url: string;
  /** Unique deliveries by idempotency key, in arrival order. */
  deliveries: Delivery[];
  /** Every POST, duplicates included. */
  posts: number;
  /**
   * Answer the next N POSTs with this status instead of accepting them; `echo`: the answer's body
   * repeats the request's URL and Authorization header, as a careless endpoint's error page does.
   */
  failNext(status: number, count?: number, headers?: Record<string, string>, echo?: boolean): void;
  /** Faults injected into POSTs (R-provider), keyed by the Idempotency-Key. */
  faults: FaultPlan;
  close(): Promise<void>;
};

/**
 * `faults`: the fault plan (R-provider); `delayMs`: each accepted POST is answered that much later
 * (a send stays in flight a while).
 */
export async function startFakeHttpProvider(
  options: { faults?: FaultPlan; delayMs?: number } = {},
): Promise<FakeHttpProvider> {
  const faults = options.faults ?? new FaultPlan();
  const byKey = new Map<string, Delivery>();
  const deliveries: Delivery[] = [];
  const failures: { status: number; headers: Record<string, string>; echo: boolean }[] = [];
  const state = { posts: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET') {
        const key = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
        const found = byKey.get(key);
        return found ? send(200, { id: `fake_${key}` }) : send(404, { error: 'not found' });
      }
      if (req.method !== 'POST') return send(405, { error: 'method not allowed' });
      state.posts++;
      const faulted = applyFault(faults.take(String(req.headers['idempotency-key'] ?? '')), res, (status, headers) =>
        send(status, { error: 'injected fault' }, headers),
      );
      if (faulted === 'answered') return;
      const failure = failures.shift();
      if (failure?.echo)
        return send(failure.status, { error: `bad request to ${req.url} with ${req.headers.authorization}` });
      if (failure) return send(failure.status, { error: 'scripted failure' }, failure.headers);
      const key = String(req.headers['idempotency-key'] ?? '');
      if (!key) return send(400, { error: 'Idempotency-Key required' });
      if (!byKey.has(key)) {
        const delivery = {
          key,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          at: Date.now(),
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        };
        byKey.set(key, delivery);
        deliveries.push(delivery);
      }
      if (options.delayMs) return void setTimeout(() => send(200, { id: `fake_${key}` }), options.delayMs);
      return send(200, { id: `fake_${key}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/messages`,
    deliveries,
    faults,
    get posts() {
      return state.posts;
    },
    failNext(status, count = 1, headers = {}, echo = false) {
      for (let i = 0; i < count; i++) failures.push({ status, headers, echo });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
