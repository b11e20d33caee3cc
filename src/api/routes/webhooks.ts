// Provider webhooks at /webhooks/<provider>, one path per provider from the registry: POST for
// events, GET for handshakes (Meta's hub.challenge). The raw body is kept (scoped to these routes)
// because signatures are computed over the exact bytes, and the URL they verify against is built
// on PUBLIC_URL, never on forwarded headers. The event is stored before we answer 200; acting on
// it is a job.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from '../../engine/engine.ts';

type Route = { Params: { provider: string }; Body: unknown };

export const webhookRoutes =
  (engine: Engine, options: { publicUrl: string }): FastifyPluginAsync =>
  async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_request, body, done) =>
      done(null, body),
    );
    const handle = async (request: FastifyRequest<Route>, reply: FastifyReply) => {
      const query = Object.fromEntries(
        Object.entries((request.query ?? {}) as Record<string, unknown>).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        ),
      );
      const receipt = await engine.receiveWebhook(request.params.provider, {
        method: request.method === 'GET' ? 'GET' : 'POST',
        rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        headers: request.headers,
        url: `${options.publicUrl.replace(/\/+$/, '')}${request.url}`,
        query,
      });
      if ('text' in receipt) return reply.status(receipt.status).type('text/plain').send(receipt.text);
      if (receipt.status !== 200)
        return reply.status(receipt.status).send({ error: { code: receipt.code, message: receipt.message } });
      const acknowledge =
        engine.deps.adapters[request.params.provider as keyof typeof engine.deps.adapters]?.webhook?.acknowledge;
      if (acknowledge) return reply.status(200).type(acknowledge.contentType).send(acknowledge.body);
      return reply.status(200).send({
        received: true,
        duplicate: receipt.duplicate,
        ...(receipt.ignored ? { ignored: receipt.ignored } : {}),
      });
    };
    app.post<Route>('/webhooks/:provider', { schema: { hide: true } }, handle);
    app.get<Route>('/webhooks/:provider', { schema: { hide: true } }, handle);
  };
