// Notification targets (a Slack-compatible incoming webhook) of the workspace; the URL is a secret
// and never echoed back. Outbound signed webhooks are routes/outboundWebhooks.ts.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OUTBOUND_EVENTS } from '../../core/outboundEvents.ts';
import type { Db } from '../../db/database.ts';
import {
  createIntegration,
  deleteIntegration,
  INTEGRATION_KINDS,
  LISTED_KINDS,
  listIntegrations,
} from '../../engine/commands/integrations.ts';
import { WebhookInputError } from '../../engine/commands/webhooks.ts';
import type { Engine } from '../../engine/engine.ts';
import { badRequest, notFound } from '../errors.ts';
import { errorResponses, IdParams } from '../schemas.ts';

export const Integration = z.object({
  id: z.string(),
  kind: z.enum(LISTED_KINDS),
  events: z.array(z.string()),
  status: z.enum(['enabled', 'disabled']),
  statusReason: z.string().nullable(),
  createdAt: z.string(),
});

export const integrationRoutes =
  (db: Db, engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/integrations',
      {
        schema: {
          summary:
            'Add a notification target: {"kind":"slack","url"} (a Slack-compatible incoming webhook); hand-offs and their reminders by default',
          tags: ['integrations'],
          body: z.strictObject({
            kind: z.enum(INTEGRATION_KINDS, { error: `must be one of ${INTEGRATION_KINDS.join(', ')}` }),
            url: z.string().max(2000),
            events: z
              .array(z.enum(OUTBOUND_EVENTS, { error: `must be one of ${OUTBOUND_EVENTS.join(', ')}` }))
              .min(1, 'must name at least one event')
              .optional(),
          }),
          response: { 201: Integration, ...errorResponses },
        },
      },
      async (request, reply) => {
        try {
          const created = await createIntegration(
            { db, encryptionKey: engine.deps.encryptionKey, policy: engine.outbound.policy },
            { workspaceId: request.workspaceId, ...request.body },
          );
          return await reply.status(201).send(created);
        } catch (error) {
          if (error instanceof WebhookInputError) throw badRequest(error.message);
          throw error;
        }
      },
    );

    app.get(
      '/v1/integrations',
      {
        schema: {
          summary: 'Notification targets of this workspace (never their URLs or tokens)',
          tags: ['integrations'],
          response: { 200: z.object({ data: z.array(Integration), nextCursor: z.null() }), ...errorResponses },
        },
      },
      async (request) => ({ data: await listIntegrations(db, request.workspaceId), nextCursor: null }),
    );

    app.delete(
      '/v1/integrations/:id',
      {
        schema: {
          summary: 'Remove a notification target',
          tags: ['integrations'],
          params: IdParams,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        if (!(await deleteIntegration(db, request.workspaceId, request.params.id))) throw notFound('integration');
        return reply.status(204).send(null);
      },
    );
  };
