// Enrollments: read, pause, resume, stop.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { enrollmentView } from '../../engine/commands/enrollments.ts';
import type { Engine } from '../../engine/engine.ts';
import { changeEnrollment, type EnrollmentAction } from '../../engine/commands/control.ts';
import { ApiError, notFound } from '../errors.ts';
import { errorResponses, IdParams } from '../schemas.ts';

const EnrollmentOut = z.looseObject({ id: z.string(), status: z.string() });

export const enrollmentRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/enrollments/:id',
      {
        schema: {
          summary: 'Status, current step, next run, history',
          tags: ['enrollments'],
          params: IdParams,
          response: { 200: EnrollmentOut, ...errorResponses },
        },
      },
      async (request) => {
        const view = await enrollmentView(engine.deps, request.workspaceId, request.params.id);
        if (!view) throw notFound('enrollment');
        return view;
      },
    );

    for (const action of ['pause', 'resume', 'stop'] as const satisfies EnrollmentAction[]) {
      app.post(
        `/v1/enrollments/:id/${action}`,
        {
          schema: {
            summary: `${action[0]?.toUpperCase()}${action.slice(1)} an enrollment`,
            tags: ['enrollments'],
            params: IdParams,
            body: z.strictObject({ until: z.iso.datetime({ offset: true }).optional() }).nullish(),
            response: { 200: EnrollmentOut, ...errorResponses, 409: errorResponses[400] },
          },
        },
        async (request) => {
          const until = request.body?.until ? new Date(request.body.until) : undefined;
          if (until && action !== 'pause')
            throw new ApiError(400, 'invalid_request', 'body.until: only pause takes a date');
          const result = await changeEnrollment(engine, {
            workspaceId: request.workspaceId,
            enrollmentId: request.params.id,
            action,
            until,
          });
          if (result === 'not_found') throw notFound('enrollment');
          if (typeof result === 'string') throw new ApiError(409, 'conflict', result);
          return result;
        },
      );
    }
  };
