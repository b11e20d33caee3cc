// Outbound webhooks (Standard Webhooks): subscriptions, secret rotation, the delivery log and a
// manual retry. The inbound side (/webhooks/<provider>) is routes/webhooks.ts.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OUTBOUND_EVENTS } from '../../core/outboundEvents.ts';
import type { Db } from '../../db/database.ts';
import {
  createWebhook,
  deleteWebhook,
  enableWebhook,
  getWebhook,
  listWebhooks,
  retryWebhookDelivery,
  rotateWebhookSecret,
  webhookDeliveries,
  WebhookInputError,
} from '../../engine/commands/webhooks.ts';
import type { Engine } from '../../engine/engine.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import { errorResponses, IdParams, PageQuery, parseCursor } from '../schemas.ts';

const Webhook = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  status: z.enum(['enabled', 'disabled']),
  statusReason: z.string().nullable(),
  createdAt: z.string(),
});

export const Delivery = z.object({
  id: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  attempts: z.number(),
  lastStatus: z.number().nullable(),
  lastError: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  createdAt: z.string(),
  payload: z.record(z.string(), z.unknown()),
});

/** A delivery log's query and page (a webhook's, a notification's or a CRM's). */
export const DeliveryQuery = PageQuery.extend({ status: z.enum(['pending', 'succeeded', 'failed']).optional() });
export const DeliveryPage = z.object({ data: z.array(Delivery), nextCursor: z.string().nullable() });

const Events = z
  .array(z.enum(OUTBOUND_EVENTS, { error: `must be one of ${OUTBOUND_EVENTS.join(', ')}` }))
  .min(1, 'must name at least one event')
  .max(OUTBOUND_EVENTS.length * 2);

const conflict = { 409: errorResponses[400] };

/** A receiver URL the address policy refuses is a bad request, not a crash. */
async function inputErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof WebhookInputError) throw badRequest(error.message);
    throw error;
  }
}

export const outboundWebhookRoutes =
  (db: Db, engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    const deps = { db, encryptionKey: engine.deps.encryptionKey, policy: engine.outbound.policy };
    app.post(
      '/v1/webhooks',
      {
        schema: {
          summary:
            'Subscribe a URL to events; signed per Standard Webhooks. `secret` (whsec_…) is in this answer only: store it now',
          tags: ['webhooks'],
          body: z.strictObject({ url: z.string().max(2000), events: Events }),
          response: { 201: Webhook.extend({ secret: z.string() }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const created = await inputErrors(() =>
          createWebhook(deps, { workspaceId: request.workspaceId, ...request.body }),
        );
        return reply.status(201).send(created);
      },
    );

    app.get(
      '/v1/webhooks',
      {
        schema: {
          summary: 'Webhook subscriptions of this workspace (never their secrets)',
          tags: ['webhooks'],
          response: { 200: z.object({ data: z.array(Webhook), nextCursor: z.null() }), ...errorResponses },
        },
      },
      async (request) => ({ data: await listWebhooks(db, request.workspaceId), nextCursor: null }),
    );

    app.get(
      '/v1/webhooks/:id',
      {
        schema: {
          summary: 'One webhook subscription',
          tags: ['webhooks'],
          params: IdParams,
          response: { 200: Webhook, ...errorResponses },
        },
      },
      async (request) => {
        const found = await getWebhook(db, request.workspaceId, request.params.id);
        if (!found) throw notFound('webhook');
        return found;
      },
    );

    app.delete(
      '/v1/webhooks/:id',
      {
        schema: {
          summary: 'Delete a webhook subscription: nothing more is sent to it, pending deliveries are dropped',
          tags: ['webhooks'],
          params: IdParams,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        if (!(await deleteWebhook(db, request.workspaceId, request.params.id))) throw notFound('webhook');
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/v1/webhooks/:id/rotate-secret',
      {
        schema: {
          summary:
            'A new secret (in this answer only); deliveries carry signatures of both secrets until the overlap ends (default 24 h)',
          tags: ['webhooks'],
          params: IdParams,
          body: z.strictObject({ overlapHours: z.number().min(0).max(168).default(24) }).default({ overlapHours: 24 }),
          response: {
            200: Webhook.extend({ secret: z.string(), previousValidUntil: z.string() }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const rotated = await rotateWebhookSecret(deps, {
          workspaceId: request.workspaceId,
          id: request.params.id,
          overlapHours: request.body.overlapHours,
          now: engine.deps.clock.now(),
        });
        if (!rotated) throw notFound('webhook');
        return rotated;
      },
    );

    app.post(
      '/v1/webhooks/:id/enable',
      {
        schema: {
          summary: 'Enable a webhook again (after a 410 Gone disabled it); deliveries still pending resume',
          tags: ['webhooks'],
          params: IdParams,
          response: { 200: Webhook, ...errorResponses },
        },
      },
      async (request) => {
        const enabled = await enableWebhook(db, request.workspaceId, request.params.id);
        if (!enabled) throw notFound('webhook');
        return enabled;
      },
    );

    app.get(
      '/v1/webhooks/:id/deliveries',
      {
        schema: {
          summary: 'The delivery log of a webhook, newest first: each event, its attempts and the last answer',
          tags: ['webhooks'],
          params: IdParams,
          querystring: DeliveryQuery,
          response: { 200: DeliveryPage, ...errorResponses },
        },
      },
      async (request) => {
        const cursor = parseCursor(request.query.cursor);
        const page = await webhookDeliveries(db, {
          workspaceId: request.workspaceId,
          id: request.params.id,
          limit: request.query.limit,
          ...(cursor ? { cursor } : {}),
          ...(request.query.status ? { status: request.query.status } : {}),
        });
        if (!page) throw notFound('webhook');
        return page;
      },
    );

    app.post(
      '/v1/webhooks/:id/deliveries/:deliveryId/retry',
      {
        schema: {
          summary: 'Deliver again now (a failed or delivered event); 409 while an attempt is under way',
          tags: ['webhooks'],
          params: IdParams.extend({ deliveryId: z.uuid('must be a UUID') }),
          response: { 202: z.object({ status: z.literal('retrying') }), ...errorResponses, ...conflict },
        },
      },
      async (request, reply) => {
        const outcome = await retryWebhookDelivery(db, {
          workspaceId: request.workspaceId,
          id: request.params.id,
          deliveryId: request.params.deliveryId,
        });
        if (outcome === 'not_found') throw notFound('delivery');
        if (outcome === 'in_flight') throw new ApiError(409, 'conflict', 'an attempt is under way; retry once it ends');
        return reply.status(202).send({ status: 'retrying' as const });
      },
    );
  };
