// The HTTP API: Fastify with zod schemas, OpenAPI at /openapi.json, one error shape.
import { registerIdempotency } from './idempotency.ts';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { authenticate, rejectKeysInUrl } from './auth.ts';
import { isSecretParam } from '../core/redact.ts';
import { ApiError, clientErrorHandler, errorHandler, frameworkErrorHandler } from './errors.ts';
import { registerJsonBody } from './jsonBody.ts';
import { contactRoutes } from './routes/contacts.ts';
import { healthRoutes } from './routes/health.ts';
import { workspaceRoutes } from './routes/workspace.ts';
import { openApiExtras } from './openapiExtras.ts';
import type { AdapterRegistry } from '../channels/registry.ts';
import type { Engine } from '../engine/engine.ts';
import { analyticsRoutes } from './routes/analytics.ts';
import { enrollmentRoutes } from './routes/enrollments.ts';
import { messageRoutes } from './routes/messages.ts';
import { senderRoutes } from './routes/senders.ts';
import { senderTemplateRoutes } from './routes/senderTemplates.ts';
import { sequenceRoutes } from './routes/sequences.ts';
import { planRoutes } from './routes/plans.ts';
import { writerRoutes } from './routes/writer.ts';
import { oauthCallbackRoutes, oauthStartRoutes } from './routes/oauth.ts';
import { trackingRoutes } from './routes/tracking.ts';
import { linkedinBatchRoutes } from './routes/linkedinBatches.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { homeRoutes } from './routes/home.ts';
import { inboxRoutes } from './routes/inbox.ts';
import { keyRoutes } from './routes/keys.ts';
import { memberRoutes } from './routes/members.ts';
import { searchRoutes } from './routes/search.ts';
import { sequenceControlRoutes } from './routes/sequenceControl.ts';
import { sessionPublicRoutes, sessionRoutes } from './routes/session.ts';
import { registerWebApp } from './webApp.ts';
import { doctorRoutes } from './routes/doctor.ts';
import { outboundWebhookRoutes } from './routes/outboundWebhooks.ts';
import { handoffRoutes } from './routes/handoffs.ts';
import { integrationRoutes } from './routes/integrations.ts';
import { emailNotificationRoutes } from './routes/emailNotifications.ts';
import { taskRoutes } from './routes/tasks.ts';
import { dnsResolver } from '../engine/commands/doctorDns.ts';

export type ServerOptions = {
  db: Db;
  engine: Engine;
  adapters: AdapterRegistry;
  config: Pick<
    Config,
    'bodyLimitBytes' | 'csvBodyLimitBytes' | 'logLevel' | 'publicUrl' | 'dataDir' | 'dnsServers' | 'dkimSelectors'
  > & { encryptionKey?: Buffer | undefined };
  /** The process's logger (one format for the whole process); false: no request logs. */
  logger?: boolean | FastifyBaseLogger;
  /** The built dashboard; default web/dist. */
  webDir?: string;
};

/**
 * A URL as logged: the value of every secret-named query parameter (`apiKey`, `api_key`, `key`,
 * `token` — a one-time link's /setup?token=… —, `access_token`, `code`, `secret` …) and of any
 * parameter holding something shaped like an API key is replaced by `[redacted]`.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq < 0) return part;
      const name = decodeLoosely(part.slice(0, eq));
      const secret = isSecretParam(name) || /qh_[A-Za-z0-9_-]{20,}/.test(decodeLoosely(part.slice(eq + 1)));
      return secret ? `${part.slice(0, eq)}=[redacted]` : part;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

function decodeLoosely(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

/** A request as logged: method and URL, secrets in its query never written. */
const requestLine = (req: { method: string; url: string }) => ({ method: req.method, url: redactUrl(req.url) });

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { db, config, engine, adapters } = options;
  const app = Fastify({
    ...(typeof options.logger === 'object'
      ? { loggerInstance: options.logger.child({}, { serializers: { req: requestLine } }) }
      : {
          logger:
            options.logger === false
              ? false
              : {
                  level: config.logLevel,
                  redact: ['req.headers.authorization', 'req.headers.cookie'],
                  serializers: { req: requestLine },
                },
        }),
    bodyLimit: config.bodyLimitBytes,
    // A request that reaches a closing server is answered 503 by our own hook (below), in the
    // documented error shape; Fastify's own answer has another shape.
    return503OnClosing: false,
    // Tracking tokens in /t/c/:token carry the destination URL.
    routerOptions: { maxParamLength: 4096 },
    forceCloseConnections: 'idle',
    // Below the routes too, every refusal is {"error":{"code","message"}}.
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send({ error: { code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` } });
  });

  // Draining: the requests in flight when closing starts are answered with `Connection: close`,
  // so their keep-alive connections end with them. Otherwise each stays open, idle, for Fastify's
  // keep-alive timeout (72 s) after its answer, and close() waits that long (docs/operations.md).
  // An answer whose headers were already on their way when closing began still keeps its
  // connection alive: the keep-alive timeout drops to a millisecond, so that connection closes
  // the moment it goes idle (R-upgrade: an API process waited out its 20 s deadline for one).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    app.server.keepAliveTimeout = 1;
  });
  app.addHook('onSend', async (_request, reply) => void (closing && reply.header('connection', 'close')));
  // A request that arrives once closing began (on a connection that was open) is not run: 503,
  // `Connection: close`, and a load balancer retries it on another server.
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    void reply
      .status(503)
      .header('connection', 'close')
      .send({ error: { code: 'unavailable', message: 'This server is stopping: send the request to another one' } });
    return reply;
  });
  app.addHook('onRequest', rejectKeysInUrl);
  app.addHook('onRequest', async (request) => {
    const length = Number(request.headers['content-length'] ?? 0);
    const isCsv = (request.headers['content-type'] ?? '').toLowerCase().startsWith('text/csv');
    if (isCsv && length > config.csvBodyLimitBytes) {
      throw new ApiError(413, 'payload_too_large', `CSV body is larger than ${config.csvBodyLimitBytes} bytes`);
    }
  });
  registerJsonBody(app);
  // CSV bodies are streamed to the importer, never buffered whole.
  app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));

  await app.register(swagger, {
    openapi: {
      info: { title: 'QuotaHit API', version: '0.1.0', description: 'Self-hosted multi-channel outreach engine' },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          // The dashboard's session; state-changing requests also send X-CSRF-Token.
          session: { type: 'apiKey', in: 'cookie', name: 'qh_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: openApiExtras,
  });

  // Liveness probes hit /healthz every few seconds: their requests are logged at warn and above only.
  app.addHook('onRoute', (route) => {
    if (route.url === '/healthz') route.logLevel = 'warn';
  });
  await app.register(healthRoutes);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // Public: links inside sent email, provider webhooks (signed), the OAuth callback (signed state).
  await app.register(trackingRoutes(engine));
  await app.register(linkedinBatchRoutes(engine));
  await app.register(webhookRoutes(engine, { publicUrl: config.publicUrl }));
  await app.register(oauthCallbackRoutes(engine));

  const now = () => engine.deps.clock.now();
  // Signing in and using a one-time link need no credentials.
  await app.register(sessionPublicRoutes(db, { publicUrl: config.publicUrl, now }));

  await app.register(async (v1) => {
    v1.addHook('onRequest', authenticate(db, now));
    registerIdempotency(v1, db, now);
    await v1.register(workspaceRoutes(engine));
    await v1.register(contactRoutes(engine, { csvBodyLimitBytes: config.csvBodyLimitBytes }));
    await v1.register(sequenceRoutes(engine));
    await v1.register(enrollmentRoutes(engine));
    await v1.register(messageRoutes(engine));
    await v1.register(senderRoutes(engine, adapters));
    await v1.register(senderTemplateRoutes(engine));
    await v1.register(analyticsRoutes(engine));
    await v1.register(writerRoutes(engine));
    await v1.register(planRoutes(engine));
    await v1.register(taskRoutes(engine));
    await v1.register(oauthStartRoutes(engine));
    await v1.register(sessionRoutes(db, { publicUrl: config.publicUrl }));
    await v1.register(memberRoutes(db, { publicUrl: config.publicUrl, now }));
    await v1.register(keyRoutes(db));
    await v1.register(inboxRoutes(db, engine));
    await v1.register(homeRoutes(db, engine));
    await v1.register(searchRoutes(db));
    await v1.register(sequenceControlRoutes(db, engine));
    await v1.register(outboundWebhookRoutes(db, engine));
    await v1.register(handoffRoutes(db, engine));
    await v1.register(integrationRoutes(db, engine));
    await v1.register(emailNotificationRoutes(db, engine));
    await v1.register(
      doctorRoutes(db, engine, {
        keySource: config.encryptionKey ? 'environment' : 'data directory',
        dataDir: config.dataDir,
        dkimSelectors: config.dkimSelectors,
        resolver: dnsResolver(config.dnsServers),
      }),
    );
  });

  // The dashboard (web/dist) at /, after every API route so it never shadows one.
  await registerWebApp(app, options.webDir);

  return app;
}
