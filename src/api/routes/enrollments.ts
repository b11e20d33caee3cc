// Enrollments: read, pause, resume, stop.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listTimeline } from '../../db/activities.ts';
import type { Db } from '../../db/database.ts';
import { getEnrollment } from '../../db/enrollments.ts';
import { messagesOfEnrollment } from '../../db/messages.ts';
import type { Engine } from '../../engine/engine.ts';
import { changeEnrollment, type EnrollmentAction } from '../../engine/commands/control.ts';
import { ApiError, notFound } from '../errors.ts';
import { errorResponses, IdParams } from '../schemas.ts';

const EnrollmentOut = z.looseObject({ id: z.string(), status: z.string() });

export const enrollmentRoutes =
  (db: Db, engine: Engine): FastifyPluginAsyncZod =>
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
        const view = await db.tenant(request.workspaceId, async (sql) => {
          const enrollment = await getEnrollment(sql, request.params.id);
          if (!enrollment) return undefined;
          const messages = await messagesOfEnrollment(sql, enrollment.id);
          const timeline = await listTimeline(sql, enrollment.contactId, { limit: 200 });
          return {
            id: enrollment.id,
            sequenceId: enrollment.sequenceId,
            contactId: enrollment.contactId,
            status: enrollment.status,
            stopReason: enrollment.stopReason,
            pauseReason: enrollment.pauseReason,
            pausedUntil: enrollment.pausedUntil?.toISOString() ?? null,
            currentStep: enrollment.currentStep,
            nextRunAt: enrollment.nextRunAt?.toISOString() ?? null,
            enrolledAt: enrollment.enrolledAt.toISOString(),
            variant: enrollment.variant,
            messages: messages.map((m) => ({
              id: m.id,
              step: m.step,
              channel: m.channel,
              status: m.status,
              sentAt: m.sentAt?.toISOString() ?? null,
            })),
            history: timeline.data.filter((a) => a.data.enrollmentId === enrollment.id),
          };
        });
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
