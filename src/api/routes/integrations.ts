// Notification and CRM targets (a Slack-compatible incoming webhook, HubSpot, Pipedrive) of the
// workspace; the Slack URL and the CRM tokens are secrets, never echoed back. Outbound signed
// webhooks are routes/outboundWebhooks.ts.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OUTBOUND_EVENTS } from '../../core/outboundEvents.ts';
import type { Db } from '../../db/database.ts';
import {
  createIntegration,
  deleteIntegration,
  INTEGRATION_KINDS,
  integrationDeliveries,
  LISTED_KINDS,
  listIntegrations,
  retryIntegrationDelivery,
} from '../../engine/commands/integrations.ts';
import { WebhookInputError } from '../../engine/commands/webhooks.ts';
import { CrmSettingsInput } from '../../engine/outbound/crm/crmSettings.ts';
import type { Engine } from '../../engine/engine.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import { errorResponses, IdParams, parseCursor } from '../schemas.ts';
import { DeliveryPage, DeliveryQuery } from './outboundWebhooks.ts';

export const Integration = z.object({
  id: z.string(),
  kind: z.enum(LISTED_KINDS),
  events: z.array(z.string()),
  status: z.enum(['enabled', 'disabled']),
  statusReason: z.string().nullable(),
  settings: z.record(z.string(), z.unknown()),
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
            'Add a notification or CRM target: {"kind":"slack","url"} (a Slack-compatible incoming webhook; hand-offs and their reminders by default), or {"kind":"hubspot"|"pipedrive","token","baseUrl?","dealStage","pipeline?","stages?","stageProperty?"} (contacts, hand-off deals, notes of sent messages and replies, stage sync)',
          tags: ['integrations'],
          body: CrmSettingsInput.extend({
            kind: z.enum(INTEGRATION_KINDS, { error: `must be one of ${INTEGRATION_KINDS.join(', ')}` }),
            url: z.string().max(2000).optional(),
            token: z.string().trim().min(1, 'must not be empty').max(500).optional(),
            baseUrl: z.string().max(2000).optional(),
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

    app.get(
      '/v1/integrations/:id/deliveries',
      {
        schema: {
          summary:
            'The delivery log of a notification or CRM target, newest first: each event, its attempts and the last answer',
          tags: ['integrations'],
          params: IdParams,
          querystring: DeliveryQuery,
          response: { 200: DeliveryPage, ...errorResponses },
        },
      },
      async (request) => {
        const cursor = parseCursor(request.query.cursor);
        const { id } = request.params;
        const { limit, status } = request.query;
        const page = await integrationDeliveries(db, {
          workspaceId: request.workspaceId,
          id,
          limit,
          ...(cursor ? { cursor } : {}),
          ...(status ? { status } : {}),
        });
        if (!page) throw notFound('integration');
        return page;
      },
    );

    app.post(
      '/v1/integrations/:id/deliveries/:deliveryId/retry',
      {
        schema: {
          summary: 'Deliver again now (a failed or delivered event); 409 while an attempt is under way',
          tags: ['integrations'],
          params: IdParams.extend({ deliveryId: z.uuid('must be a UUID') }),
          response: { 202: z.object({ status: z.literal('retrying') }), ...errorResponses, 409: errorResponses[400] },
        },
      },
      async (request, reply) => {
        const outcome = await retryIntegrationDelivery(db, { workspaceId: request.workspaceId, ...request.params });
        if (outcome === 'not_found') throw notFound('delivery');
        if (outcome === 'in_flight') throw new ApiError(409, 'conflict', 'an attempt is under way; retry once it ends');
        return reply.status(202).send({ status: 'retrying' as const });
      },
    );
  };
