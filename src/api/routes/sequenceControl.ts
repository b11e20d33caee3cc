// A sequence's enrollments (who is in it, where each stands) and pausing or resuming them all.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { listSequenceEnrollments } from '../../db/sequenceEnrollments.ts';
import { getSequence } from '../../db/sequences.ts';
import type { Engine } from '../../engine/engine.ts';
import { setSequenceRunning } from '../../engine/sequenceControl.ts';
import { notFound } from '../errors.ts';
import { errorResponses, IdParams, PageQuery, parseIdCursor } from '../schemas.ts';

const EnrollmentRow = z.object({
  id: z.string(),
  contactId: z.string(),
  contact: z.object({ name: z.string(), email: z.string().nullable(), company: z.string().nullable() }),
  status: z.string(),
  currentStep: z.number(),
  nextRunAt: z.string().nullable(),
  pauseReason: z.string().nullable(),
  pausedUntil: z.string().nullable(),
  stopReason: z.string().nullable(),
  enrolledAt: z.string(),
});

export const sequenceControlRoutes =
  (db: Db, engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/sequences/:id/enrollments',
      {
        schema: {
          summary: "The sequence's enrollments (contact, status, current step, next run) and counts per status",
          tags: ['sequences'],
          params: IdParams,
          querystring: PageQuery.extend({ status: z.enum(['active', 'paused', 'completed', 'stopped']).optional() }),
          response: {
            200: z.object({
              data: z.array(EnrollmentRow),
              nextCursor: z.string().nullable(),
              counts: z.record(z.string(), z.number()),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { status, limit, cursor } = request.query;
        const afterId = parseIdCursor(cursor);
        const page = await db.tenant(request.workspaceId, async (sql) =>
          (await getSequence(sql, request.params.id))
            ? listSequenceEnrollments(sql, request.params.id, {
                limit,
                ...(status ? { status } : {}),
                ...(afterId ? { afterId } : {}),
              })
            : undefined,
        );
        if (!page) throw notFound('sequence');
        return page;
      },
    );

    for (const action of ['pause', 'resume'] as const) {
      app.post(
        `/v1/sequences/:id/enrollments/${action}`,
        {
          schema: {
            summary:
              action === 'pause'
                ? 'Pause every running enrollment of the sequence by hand'
                : 'Resume the enrollments the sequence pause held (others paused for their own reason keep waiting)',
            tags: ['sequences'],
            params: IdParams,
            body: z.strictObject({}).nullish(),
            response: { 200: z.object({ changed: z.number() }), ...errorResponses },
          },
        },
        async (request) => {
          const result = await setSequenceRunning(engine, {
            workspaceId: request.workspaceId,
            sequenceId: request.params.id,
            running: action === 'resume',
          });
          if (result === 'not_found') throw notFound('sequence');
          return result;
        },
      );
    }
  };
