// A webhook receiver written from the Standard Webhooks specification (standardwebhooks.com,
// "Verifying webhooks"), not from our signer: it takes the whsec_ secret's base64 key, signs
// `${webhook-id}.${webhook-timestamp}.${raw body}` with HMAC-SHA256, accepts the request when any
// space-separated `v1,` signature matches (constant-time), refuses timestamps more than five
// minutes off its clock, and drops a webhook-id it has already accepted (the spec's idempotency).
// Its answers are programmable: a list of statuses (with headers) used in order, then 200; a
// connection reset after reading the request; or no answer at all ('hang': processed, the sender
// left waiting).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Received = {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  verified: boolean;
  /** Why it was refused, when verified is false. */
  problem?: string;
};

export type Answer = { status: number; headers?: Record<string, string> } | 'reset' | 'hang';

function verify(
  secrets: readonly string[],
  req: IncomingMessage,
  body: string,
  nowSeconds: number,
): string | undefined {
  const id = req.headers['webhook-id'];
  const timestamp = req.headers['webhook-timestamp'];
  const signature = req.headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signature !== 'string')
    return 'missing headers';
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > 300) return 'timestamp out of tolerance';
  const content = `${id}.${timestamp}.${body}`;
  const offered = signature
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  for (const secret of secrets) {
    const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
    const expected = createHmac('sha256', key).update(content).digest();
    if (offered.some((o) => o.length === expected.length && timingSafeEqual(o, expected))) return undefined;
  }
  return 'no matching signature';
}

export async function startWebhookReceiver(options: { now: () => Date; secrets?: string[] }) {
  const state = {
    secrets: options.secrets ?? [],
    answers: [] as Answer[],
    requests: [] as Received[],
    /** Events accepted once each (by webhook-id), in order. */
    accepted: [] as { id: string; payload: { type: string; timestamp: string; data: Record<string, unknown> } }[],
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const problem = verify(state.secrets, req, body, Math.floor(options.now().getTime() / 1000));
      const id = String(req.headers['webhook-id'] ?? '');
      state.requests.push({
        id,
        timestamp: String(req.headers['webhook-timestamp'] ?? ''),
        signature: String(req.headers['webhook-signature'] ?? ''),
        body,
        verified: problem === undefined,
        ...(problem ? { problem } : {}),
      });
      const answer = state.answers.shift() ?? { status: 200 };
      if (problem) {
        res.writeHead(401).end(problem);
        return;
      }
      const keep = () => {
        if (!state.accepted.some((a) => a.id === id))
          state.accepted.push({ id, payload: JSON.parse(body) as (typeof state.accepted)[number]['payload'] });
      };
      // 'hang': processed, and the answer never leaves; 'reset': processed, and the sender never learns it.
      if (answer === 'hang') return keep();
      if (answer === 'reset') {
        keep();
        req.socket.destroy();
        return;
      }
      if (answer.status >= 200 && answer.status < 300) keep();
      res.writeHead(answer.status, answer.headers ?? {}).end(answer.status < 300 ? 'ok' : 'error');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
