// Provider webhooks. The raw body is kept (scoped to these routes) because signatures are computed
// over the exact bytes. The event is stored before we answer 200; acting on it is a job.
import type { FastifyPluginAsync } from 'fastify';
import type { Engine } from '../../engine/engine.ts';

export const webhookRoutes =
  (engine: Engine): FastifyPluginAsync =>
  async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_request, body, done) =>
      done(null, body),
    );

    app.post<{ Body: unknown }>('/webhooks/resend', { schema: { hide: true } }, async (request, reply) => {
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const receipt = await engine.receiveResendWebhook({ headers: request.headers, rawBody });
      if (receipt.status !== 200) {
        const code = receipt.status === 401 ? 'invalid_signature' : 'invalid_request';
        return reply.status(receipt.status).send({ error: { code, message: receipt.message } });
      }
      return reply.status(200).send({
        received: true,
        duplicate: receipt.duplicate,
        ...(receipt.ignored ? { ignored: receipt.ignored } : {}),
      });
    });
  };
