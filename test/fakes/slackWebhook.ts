// A Slack incoming webhook (api.slack.com/messaging/webhooks): POST application/json with "text"
// (or "blocks") answers 200 "ok"; a body without either answers 400 "no_text"; malformed JSON
// answers 400 "invalid_payload". Answers can be scripted (e.g. 429 with Retry-After).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function startSlackWebhook() {
  const state = {
    messages: [] as { text: string }[],
    answers: [] as { status: number; headers?: Record<string, string> }[],
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const scripted = state.answers.shift();
      if (scripted) return void res.writeHead(scripted.status, scripted.headers ?? {}).end('rate_limited');
      let body: { text?: unknown; blocks?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        return void res.writeHead(400).end('invalid_payload');
      }
      if (typeof body.text !== 'string' && !Array.isArray(body.blocks)) return void res.writeHead(400).end('no_text');
      state.messages.push({ text: String(body.text ?? '') });
      res.writeHead(200, { 'content-type': 'text/html' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/XXXX`,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
