import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sequenceStats } from '../../db/analytics.ts';
import { chooseVariantWinner } from '../../core/variantWinner.ts';
import type { Db } from '../../db/database.ts';
import { getSequence } from '../../db/sequences.ts';
import type { Engine } from '../../engine/engine.ts';
import { notFound } from '../errors.ts';
import { errorResponses, IdParams, Text } from '../schemas.ts';

export const analyticsRoutes =
  (db: Db, engine: Engine): FastifyPluginAsyncZod =>
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
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const steps = await db.tenant(request.workspaceId, async (sql) =>
          (await getSequence(sql, request.params.id)) ? sequenceStats(sql, request.params.id) : undefined,
        );
        if (!steps) throw notFound('sequence');
        const groups = new Map<string, typeof steps>();
        for (const row of steps)
          groups.set(`${row.step}|${row.channel}`, [...(groups.get(`${row.step}|${row.channel}`) ?? []), row]);
        const winners = [...groups.values()].map((rows) => {
          const verdict = chooseVariantWinner(rows);
          return {
            step: rows[0]?.step ?? 0,
            channel: rows[0]?.channel ?? '',
            winner: verdict.winner,
            reason: verdict.reason,
          };
        });
        return { sequenceId: request.params.id, steps, winners };
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
