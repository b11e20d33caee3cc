// The part the Anthropic and OpenAI fakes share: a node:http server on 127.0.0.1:0 with a queue of
// scripted behaviours, a record of every request, and a count of requests in flight. Each fake
// supplies the provider's path, authentication check and response shapes.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export type FakeUsage = { input: number; output: number };

export type FakeBehaviour =
  /** Answer with this value as the structured output (JSON text, or a tool call when asked for one). */
  | { kind: 'json'; value: unknown; usage?: FakeUsage }
  /** Answer with raw text (malformed JSON, prose). */
  | { kind: 'text'; text: string; usage?: FakeUsage }
  /** The provider's refusal shape (Anthropic stop_reason "refusal", OpenAI message.refusal). */
  | { kind: 'refusal'; text?: string }
  /** An HTTP error in the provider's error shape; retryAfter becomes the Retry-After header. */
  | { kind: 'status'; status: number; retryAfter?: string; message?: string }
  /** Wait, then behave as `then` (unless the client gave up first). */
  | { kind: 'delay'; ms: number; then: FakeBehaviour }
  /** Never answer: the request stays open until the client gives up (timeouts and aborts, no race). */
  | { kind: 'hang' };

export type RecordedRequest = {
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** Every prompt string in the request (system and messages), joined: for "the prompt contained X". */
  prompt: string;
};

export type Rendered = { status: number; headers?: Record<string, string>; body: unknown };

export type ProviderShape = {
  path: string;
  /** An error response when the request's credentials are wrong, else undefined. */
  authorize(headers: Record<string, string>): Rendered | undefined;
  render(behaviour: Exclude<FakeBehaviour, { kind: 'delay' } | { kind: 'hang' }>, request: RecordedRequest): Rendered;
};

export type ModelFake = {
  /** Base URL including /v1, as the AI SDK's baseURL expects. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Resolves once `count` requests have arrived (at once if they already have). */
  received(count: number): Promise<void>;
  enqueue(...behaviours: FakeBehaviour[]): void;
  /** What to do once the queue is empty (default: a 500 saying nothing was scripted). */
  setDefault(behaviour: FakeBehaviour): void;
  close(): Promise<void>;
};

/** Collects the strings under `system` / `content` / `text` keys: the prompt, whatever its shape. */
export function promptText(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return ['system', 'content', 'text'].includes(key) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((item) => promptText(item, key));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([name, item]) => (name === 'tools' ? [] : promptText(item, name)));
  }
  return [];
}

/** Roughly four characters per token, like the providers' own rule of thumb. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, rendered: Rendered): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(rendered.status, { 'content-type': 'application/json', ...rendered.headers });
  res.end(JSON.stringify(rendered.body));
}

export async function startModelFake(shape: ProviderShape): Promise<ModelFake> {
  const queue: FakeBehaviour[] = [];
  const requests: RecordedRequest[] = [];
  let fallback: FakeBehaviour = { kind: 'status', status: 500, message: 'the fake has no scripted behaviour left' };
  let inFlight = 0;
  let maxInFlight = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const arrived = (): void => {
    for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };

  const server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let counted = true;
    const done = (): void => {
      if (counted) inFlight--;
      counted = false;
    };
    res.on('close', done);
    void (async () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers[name] = value;
      }
      const raw = await readBody(req);
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (req.method !== 'POST' || path !== shape.path) return send(res, { status: 404, body: { error: 'not found' } });
      const denied = shape.authorize(headers);
      if (denied !== undefined) return send(res, denied);
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return send(res, { status: 400, body: { error: 'invalid JSON' } });
      }
      const request: RecordedRequest = { path, headers, body, prompt: promptText(body).join('\n') };
      requests.push(request);
      let behaviour = queue.shift() ?? fallback;
      arrived();
      while (behaviour.kind === 'delay') {
        const { ms, then } = behaviour;
        await new Promise((resolve) => setTimeout(resolve, ms));
        behaviour = then;
      }
      if (behaviour.kind === 'hang') return;
      send(res, shape.render(behaviour, request));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the fake did not get a TCP port');
  const { port } = address;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    received: (count) =>
      new Promise<void>((resolve) => {
        waiters.push({ count, resolve });
        arrived();
      }),
    enqueue: (...behaviours) => void queue.push(...behaviours),
    setDefault: (behaviour) => void (fallback = behaviour),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
