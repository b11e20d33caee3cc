// Call tasks: what a call step leaves for a person (the contact, the best number, the local time,
// the reason and the talk track), click-to-call through the workspace's call account, and the
// outcome that steers the sequence (docs/calls.md).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CALL_OUTCOMES } from '../../db/tasks.ts';
import type { Engine } from '../../engine/engine.ts';
import {
  dialTask,
  listTaskViews,
  recordOutcome,
  taskById,
  type Refusal,
  type TaskActor,
} from '../../engine/commands/tasks.ts';
import type { Principal } from '../auth.ts';
import { ApiError, notFound } from '../errors.ts';
import { errorResponses, IdParams, PageQuery, Text } from '../schemas.ts';

const TaskOut = z.looseObject({ id: z.string(), status: z.string(), talkTrack: z.string() });
const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number (+15551234567)');
const conflict = { 403: errorResponses[400], 409: errorResponses[400] };

const actorOf = (principal: Principal): TaskActor =>
  principal.kind === 'key' ? { kind: 'key' } : { kind: 'member', memberId: principal.memberId, role: principal.role };

function refused(result: Refusal): never {
  throw new ApiError(result.refused, result.code, result.message);
}

export const taskRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/tasks',
      {
        schema: {
          summary: 'Call tasks, oldest first',
          tags: ['tasks'],
          querystring: PageQuery.extend({
            status: z.enum(['open', 'calling', 'done']).optional(),
            contactId: z.uuid('must be a UUID').optional(),
          }),
          response: { 200: z.object({ data: z.array(TaskOut), nextCursor: z.string().nullable() }), ...errorResponses },
        },
      },
      async (request) => {
        const { limit, cursor, status, contactId } = request.query;
        const result = await listTaskViews(engine.deps, request.workspaceId, {
          limit,
          ...(cursor ? { cursor } : {}),
          ...(status ? { status } : {}),
          ...(contactId ? { contactId } : {}),
        });
        return 'refused' in result ? refused(result) : result;
      },
    );

    app.get(
      '/v1/tasks/:id',
      {
        schema: {
          summary: 'One call task with its talk track',
          tags: ['tasks'],
          params: IdParams,
          response: { 200: TaskOut, ...errorResponses },
        },
      },
      async (request) => {
        const task = await taskById(engine.deps, request.workspaceId, request.params.id);
        if (!task) throw notFound('task');
        return task;
      },
    );

    app.post(
      '/v1/tasks/:id/call',
      {
        schema: {
          summary: "Click-to-call: ring the rep's phone, then bridge the prospect",
          tags: ['tasks'],
          params: IdParams,
          body: z.strictObject({ repPhone: E164.optional(), record: z.boolean().optional() }).nullish(),
          response: {
            200: TaskOut,
            ...errorResponses,
            ...conflict,
            429: errorResponses[400],
            502: errorResponses[400],
          },
        },
      },
      async (request) => {
        const result = await dialTask(engine.deps, request.workspaceId, {
          taskId: request.params.id,
          ...(request.body?.repPhone ? { repPhone: request.body.repPhone } : {}),
          ...(request.body?.record !== undefined ? { record: request.body.record } : {}),
          actor: actorOf(request.principal),
        });
        return 'refused' in result ? refused(result) : result;
      },
    );

    app.post(
      '/v1/tasks/:id/outcome',
      {
        schema: {
          summary: 'Log the outcome of a call task; it steers the sequence',
          tags: ['tasks'],
          params: IdParams,
          body: z
            .strictObject({
              outcome: z.enum(CALL_OUTCOMES),
              note: Text(2000, { multiline: true }).optional(),
              returnDate: z.iso.date('must be a date (YYYY-MM-DD)').optional(),
              alsoSms: z.boolean().optional(),
            })
            .superRefine((body, ctx) => {
              if (body.returnDate && body.outcome !== 'connected_not_now')
                ctx.addIssue({
                  code: 'custom',
                  path: ['returnDate'],
                  message: 'only connected_not_now takes a return date',
                });
              if (body.alsoSms && body.outcome !== 'do_not_call')
                ctx.addIssue({ code: 'custom', path: ['alsoSms'], message: 'only do_not_call takes alsoSms' });
            }),
          response: { 200: TaskOut, ...errorResponses, ...conflict },
        },
      },
      async (request) => {
        const result = await recordOutcome(engine.deps, request.workspaceId, {
          taskId: request.params.id,
          ...request.body,
          actor: actorOf(request.principal),
        });
        return 'refused' in result ? refused(result) : result;
      },
    );
  };
