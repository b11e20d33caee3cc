// Sequences: presets, create (from a preset or step by step), read, enroll, simulate.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isPresetId, PRESET_IDS, PRESETS, presetToSequence } from '../../core/presets.ts';
import { validateSequence } from '../../core/sequence.ts';
import type { Db } from '../../db/database.ts';
import { getSequence, insertSequence, listSequences } from '../../db/sequences.ts';
import type { Engine } from '../../engine/engine.ts';
import { NoLeads, SequenceNotFound } from '../../engine/commands/enroll.ts';
import { resumeSequence } from '../../engine/accounts/resume.ts';
import { simulateSequence } from '../../engine/commands/simulate.ts';
import { ApiError, notFound } from '../errors.ts';
import { errorResponses, IdParams, Text } from '../schemas.ts';

const SequenceOut = z.looseObject({ id: z.string(), name: z.string(), steps: z.array(z.unknown()) });

const EnrollBody = z.union([
  z.strictObject({ contactIds: z.array(z.uuid('must be a contact id (UUID)')).min(1).max(10_000) }),
  z.strictObject({ tag: Text(64).pipe(z.string().min(1, 'must not be empty')) }),
]);

const SimulateBody = z.strictObject({
  contactIds: z.array(z.uuid('must be a contact id (UUID)')).min(1).max(1000).optional(),
  tag: Text(64).optional(),
  days: z.number().int().min(1).max(120).default(30),
  startAt: z.iso.datetime({ offset: true }).optional(),
});

export const sequenceRoutes =
  (db: Db, engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/sequences/presets',
      {
        schema: {
          summary: 'Ready-made sequences, each with its reasoning',
          tags: ['sequences'],
          response: { 200: z.object({ data: z.array(z.looseObject({ id: z.string() })), nextCursor: z.null() }) },
        },
      },
      async () => ({ data: PRESET_IDS.map((id) => PRESETS[id]), nextCursor: null }),
    );

    app.post(
      '/v1/sequences',
      {
        schema: {
          summary: 'Create a sequence: {"name","preset"} or {"name","steps":[…],"schedule":{…}}',
          tags: ['sequences'],
          body: z.looseObject({}),
          response: { 201: SequenceOut, ...errorResponses },
        },
      },
      async (request, reply) => {
        const body = request.body;
        let input;
        let preset: string | null = null;
        if ('preset' in body) {
          const { preset: id, name, ...rest } = body;
          if (typeof id !== 'string' || !isPresetId(id)) {
            throw new ApiError(400, 'invalid_request', `preset must be one of ${PRESET_IDS.join(', ')}`);
          }
          if (Object.keys(rest).length > 0)
            throw new ApiError(
              400,
              'invalid_request',
              `with a preset only "name" may be given (got ${Object.keys(rest).join(', ')})`,
            );
          if (name !== undefined && (typeof name !== 'string' || name.trim() === '' || name.length > 120)) {
            throw new ApiError(400, 'invalid_request', 'name must be a non-empty string of at most 120 characters');
          }
          input = presetToSequence(id, name);
          preset = id;
        } else {
          const checked = validateSequence(body);
          if (!checked.ok) {
            const messages = checked.errors.map((e) =>
              e.message.startsWith(e.path) ? e.message : `${e.path}: ${e.message}`,
            );
            throw new ApiError(400, 'invalid_sequence', messages.join('; '), checked.errors);
          }
          input = checked.value;
        }
        const sequence = await db.tenant(request.workspaceId, (sql) =>
          insertSequence(sql, request.workspaceId, input, preset),
        );
        return reply.status(201).send(sequence);
      },
    );

    app.get(
      '/v1/sequences',
      {
        schema: {
          summary: 'All sequences',
          tags: ['sequences'],
          response: { 200: z.object({ data: z.array(SequenceOut), nextCursor: z.null() }), ...errorResponses },
        },
      },
      async (request) => ({ data: await db.tenant(request.workspaceId, listSequences), nextCursor: null }),
    );

    app.get(
      '/v1/sequences/:id',
      {
        schema: {
          summary: 'One sequence',
          tags: ['sequences'],
          params: IdParams,
          response: { 200: SequenceOut, ...errorResponses },
        },
      },
      async (request) => {
        const sequence = await db.tenant(request.workspaceId, (sql) => getSequence(sql, request.params.id));
        if (!sequence) throw notFound('sequence');
        return sequence;
      },
    );

    app.post(
      '/v1/sequences/:id/enrollments',
      {
        schema: {
          summary:
            'Enroll contacts by ids or by tag; each contact that is not enrolled comes back in "skipped" with the reason (unknown id, already enrolled, unsubscribed or bounced); a tag no contact has is refused with 400 no_leads',
          tags: ['sequences'],
          params: IdParams,
          body: EnrollBody,
          response: {
            200: z.object({
              enrolled: z.array(z.object({ contactId: z.string(), enrollmentId: z.string() })),
              skipped: z.array(z.object({ contactId: z.string(), reason: z.string() })),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        try {
          return await engine.enroll({
            workspaceId: request.workspaceId,
            sequenceId: request.params.id,
            ...request.body,
          });
        } catch (error) {
          if (error instanceof SequenceNotFound) throw notFound('sequence');
          if (error instanceof NoLeads) throw new ApiError(400, 'no_leads', error.message);
          throw error;
        }
      },
    );

    app.post(
      '/v1/sequences/:id/resume',
      {
        schema: {
          summary:
            'Resume a sequence its health paused: status back to active, the email steps it held go out again (releasedSteps); 409 when it is not paused',
          tags: ['sequences'],
          params: IdParams,
          body: z.strictObject({}).nullish(),
          response: {
            200: SequenceOut.extend({ status: z.literal('active'), releasedSteps: z.number().int() }),
            ...errorResponses,
            409: errorResponses[400],
          },
        },
      },
      async (request) => {
        const outcome = await resumeSequence(engine.deps, {
          workspaceId: request.workspaceId,
          sequenceId: request.params.id,
        });
        switch (outcome.kind) {
          case 'not_found':
            throw notFound('sequence');
          case 'conflict':
            throw new ApiError(409, 'conflict', outcome.message);
          case 'resumed':
            return { ...outcome.record, status: 'active' as const, releasedSteps: outcome.releasedSteps };
        }
      },
    );

    app.post(
      '/v1/sequences/:id/simulate',
      {
        schema: {
          summary:
            'Dry run on a virtual clock: what would go out when, on which channel, from which account, and what would wait or be skipped',
          tags: ['sequences'],
          params: IdParams,
          body: SimulateBody,
          response: { 200: z.looseObject({ contacts: z.array(z.unknown()) }), ...errorResponses },
        },
      },
      async (request) => {
        const { contactIds, tag, days, startAt } = request.body;
        const result = await db.tenant(request.workspaceId, (sql) =>
          simulateSequence(sql, {
            sequenceId: request.params.id,
            contactIds,
            tag,
            days,
            start: startAt ? new Date(startAt) : engine.deps.clock.now(),
          }),
        );
        if (!result) throw notFound('sequence');
        return result;
      },
    );
  };
