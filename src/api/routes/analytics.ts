import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sequenceAnalytics } from '../../engine/commands/analytics.ts';
import type { Engine } from '../../engine/engine.ts';
import { notFound } from '../errors.ts';
import { errorResponses, IdParams, Text } from '../schemas.ts';

export const analyticsRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/analytics/sequences/:id',
      {
        schema: {
          summary: 'Per step, channel and variant: sent, delivered, opened, clicked, replied, bounced, unsubscribed',
          tags: ['analytics'],
          params: IdParams,
          response: {
            200: z.object({
              sequenceId: z.string(),
              steps: z.array(z.looseObject({ step: z.number() })),
              winners: z.array(
                z.object({ step: z.number(), channel: z.string(), winner: z.number().nullable(), reason: z.string() }),
              ),
              calls: z.record(z.string(), z.number()),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const analytics = await sequenceAnalytics(engine.deps, request.workspaceId, request.params.id);
        if (!analytics) throw notFound('sequence');
        return analytics;
      },
    );

    app.post(
      '/v1/replies/classify',
      {
        schema: {
          summary: 'Classify a reply: intent, confidence, return date, referral',
          tags: ['replies'],
          body: z.strictObject({
            body: Text(50_000, { multiline: true }).pipe(z.string().min(1, 'must not be empty')),
            subject: Text(500).optional(),
            headers: z.record(z.string().max(200), z.string().max(2000)).optional(),
          }),
          response: { 200: z.looseObject({ intent: z.string(), confidence: z.number() }), ...errorResponses },
        },
      },
      // The engine's classifier: the heuristic, and the model when one is configured.
      async (request) => engine.classify({ ...request.body, now: engine.deps.clock.now() }),
    );
  };
