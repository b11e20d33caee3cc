// Outreach plans: propose (analyse leads), review, execute (enroll and send the first touches).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PRESET_IDS } from '../../core/presets.ts';
import type { Db } from '../../db/database.ts';
import { getPlan } from '../../db/plans.ts';
import type { Engine } from '../../engine/engine.ts';
import { createPlan, executePlan, MAX_PLAN_LEADS } from '../../engine/commands/plans.ts';
import { ApiError, notFound } from '../errors.ts';
import { errorResponses, IdParams, Text } from '../schemas.ts';

export const PlanBody = z
  .strictObject({
    contactIds: z
      .array(z.uuid('must be a contact id (UUID)'))
      .min(1, 'must list at least one contact')
      .max(MAX_PLAN_LEADS, `must list at most ${MAX_PLAN_LEADS} contacts`)
      .optional(),
    tag: Text(64).pipe(z.string().min(1, 'must not be empty')).optional(),
    sequenceId: z.uuid('must be a sequence id (UUID)').optional(),
    preset: z.enum(PRESET_IDS, { error: `must be one of ${PRESET_IDS.join(', ')}` }).optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.contactIds === undefined) === (body.tag === undefined)) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give either "contactIds" or "tag" (exactly one)' });
    }
    if (body.sequenceId !== undefined && body.preset !== undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give "sequenceId" or "preset", not both' });
    }
  });

const PlanOut = z.looseObject({ id: z.string(), status: z.string(), leads: z.array(z.unknown()) });

const ExecutionOut = z.looseObject({
  messages_sent: z.number(),
  channels_used: z.record(z.string(), z.number()),
  errors: z.array(z.object({ contactId: z.string(), error: z.string() })),
  lead_updates: z.array(z.looseObject({ contactId: z.string(), status: z.string() })),
});

export const planRoutes =
  (db: Db, engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/plans',
      {
        schema: {
          summary:
            'Analyse leads (ids or a tag) and propose an outreach plan: reachable channels, personalization angle, sequence, first touch',
          tags: ['plans'],
          body: PlanBody,
          response: { 201: PlanOut, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { contactIds, tag, sequenceId, preset } = request.body;
        const created = await createPlan(engine, {
          workspaceId: request.workspaceId,
          request: {
            ...(contactIds === undefined ? {} : { contactIds }),
            ...(tag === undefined ? {} : { tag }),
            ...(sequenceId === undefined ? {} : { sequenceId }),
            ...(preset === undefined ? {} : { preset }),
          },
        });
        switch (created.kind) {
          case 'ok':
            return reply.status(201).send(created.plan);
          case 'sequence_not_found':
            throw notFound('sequence');
          case 'contacts_not_found':
            throw new ApiError(404, 'not_found', `contacts not found: ${created.ids.join(', ')}`, { ids: created.ids });
          case 'no_leads':
            throw new ApiError(400, 'no_leads', created.message);
        }
      },
    );

    app.get(
      '/v1/plans/:id',
      {
        schema: {
          summary: 'One plan: per lead analysis, summary, and the execution result once executed',
          tags: ['plans'],
          params: IdParams,
          response: { 200: PlanOut, ...errorResponses },
        },
      },
      async (request) => {
        const plan = await db.tenant(request.workspaceId, (sql) => getPlan(sql, request.params.id));
        if (!plan) throw notFound('plan');
        return plan;
      },
    );

    app.post(
      '/v1/plans/:id/execute',
      {
        schema: {
          summary:
            'Execute a plan: create its sequence, enroll the ready leads and send each first touch now (when its window and quotas allow)',
          tags: ['plans'],
          params: IdParams,
          response: { 200: ExecutionOut, ...errorResponses, 409: errorResponses[400] },
        },
      },
      async (request) => {
        const executed = await executePlan(engine, { workspaceId: request.workspaceId, planId: request.params.id });
        switch (executed.kind) {
          case 'ok':
            return executed.result;
          case 'not_found':
            throw notFound('plan');
          case 'conflict':
            throw new ApiError(409, 'conflict', executed.message);
        }
      },
    );
  };
