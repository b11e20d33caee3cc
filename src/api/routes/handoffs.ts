// Hand-offs to a person: the list (the dashboard's tasks read it too), one, a manual hand-off,
// the acknowledgement that stops the SLA reminder, and the workspace's assignment settings.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { getHandoff, getHandoffSettings, listHandoffs, saveHandoffSettings } from '../../db/handoffs.ts';
import { listMembers } from '../../db/members.ts';
import type { Engine } from '../../engine/engine.ts';
import { acknowledge, createHandoff } from '../../engine/handoffs.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import { errorResponses, IdParams, PageQuery, parseCursor, Text } from '../schemas.ts';

const Handoff = z.object({
  id: z.string(),
  contactId: z.string(),
  source: z.enum(['reply', 'call', 'manual']),
  /** The reply (source reply) or call task (source call) it came from; null when made by hand. */
  sourceRef: z.string().nullable(),
  intent: z.string().nullable(),
  summary: z.record(z.string(), z.unknown()),
  contactUrl: z.string(),
  assignee: z.object({ id: z.string().nullable(), email: z.string(), name: z.string().nullable() }).nullable(),
  status: z.enum(['open', 'acknowledged']),
  dueAt: z.string(),
  remindedAt: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  createdAt: z.string(),
});

const Settings = z.strictObject({
  rule: z.enum(['owner', 'round_robin', 'territory']),
  territories: z
    .array(
      z.strictObject({
        tag: Text(64).pipe(z.string().min(1, 'must not be empty')),
        memberId: z.uuid('must be a UUID'),
      }),
    )
    .max(200)
    .default([]),
  slaMinutes: z.number().int('must be a whole number').min(1).max(10080).default(30),
});

export const handoffRoutes =
  (db: Db, engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    const now = () => engine.deps.clock.now();
    app.get(
      '/v1/handoffs',
      {
        schema: {
          summary: 'Hand-offs to a person, newest first: who, company, conversation, intent, facts, assignee, SLA',
          tags: ['handoffs'],
          querystring: PageQuery.extend({
            status: z.enum(['open', 'acknowledged']).optional(),
            contactId: z.uuid('must be a UUID').optional(),
          }),
          response: { 200: z.object({ data: z.array(Handoff), nextCursor: z.string().nullable() }), ...errorResponses },
        },
      },
      async (request) => {
        const { limit, status, contactId } = request.query;
        const cursor = parseCursor(request.query.cursor);
        return db.tenant(request.workspaceId, (sql) =>
          listHandoffs(sql, {
            limit,
            ...(cursor ? { cursor } : {}),
            ...(status ? { status } : {}),
            ...(contactId ? { contactId } : {}),
          }),
        );
      },
    );

    app.get(
      '/v1/handoffs/settings',
      {
        schema: {
          summary: 'How hand-offs are assigned (owner, round_robin, territory by tag) and the SLA before a reminder',
          tags: ['handoffs'],
          response: { 200: Settings, ...errorResponses },
        },
      },
      async (request) => db.tenant(request.workspaceId, getHandoffSettings),
    );

    app.put(
      '/v1/handoffs/settings',
      {
        schema: {
          summary: 'Set the assignment rule, territories ({tag, memberId}) and the SLA in minutes',
          tags: ['handoffs'],
          body: Settings,
          response: { 200: Settings, ...errorResponses },
        },
      },
      async (request) =>
        db.tenant(request.workspaceId, async (sql) => {
          const members = new Set((await listMembers(sql)).map((m) => m.id));
          const stranger = request.body.territories.find((t) => !members.has(t.memberId));
          if (stranger) throw badRequest(`body.territories: ${stranger.memberId} is not a member of this workspace`);
          await saveHandoffSettings(sql, request.workspaceId, request.body);
          return getHandoffSettings(sql);
        }),
    );

    app.get(
      '/v1/handoffs/:id',
      {
        schema: {
          summary: 'One hand-off',
          tags: ['handoffs'],
          params: IdParams,
          response: { 200: Handoff, ...errorResponses },
        },
      },
      async (request) => {
        const found = await db.tenant(request.workspaceId, (sql) => getHandoff(sql, request.params.id));
        if (!found) throw notFound('hand-off');
        return found;
      },
    );

    app.post(
      '/v1/handoffs',
      {
        schema: {
          summary: 'Hand a contact off to a person by hand (assigned by the workspace rule)',
          tags: ['handoffs'],
          body: z.strictObject({
            contactId: z.uuid('must be a UUID'),
            note: Text(2000, { multiline: true }).optional(),
          }),
          response: { 201: Handoff, ...errorResponses },
        },
      },
      async (request, reply) => {
        const created = await db.tenant(request.workspaceId, (sql) =>
          createHandoff(sql, {
            workspaceId: request.workspaceId,
            contactId: request.body.contactId,
            cause: {
              source: 'manual',
              sourceRef: null,
              intent: null,
              ...(request.body.note ? { note: request.body.note } : {}),
            },
            now: now(),
            publicUrl: engine.deps.links.publicUrl,
          }),
        );
        if (!created) throw notFound('contact');
        return reply.status(201).send(created);
      },
    );

    app.post(
      '/v1/handoffs/:id/acknowledge',
      {
        schema: {
          summary: 'Acknowledge a hand-off: its SLA reminder will not fire; 409 when acknowledged already',
          tags: ['handoffs'],
          params: IdParams,
          response: { 200: Handoff, ...errorResponses, 409: errorResponses[400] },
        },
      },
      async (request) => {
        const result = await db.tenant(request.workspaceId, (sql) =>
          acknowledge(sql, {
            id: request.params.id,
            memberId: request.principal.kind === 'member' ? request.principal.memberId : null,
            now: now(),
          }),
        );
        if (!result) throw notFound('hand-off');
        if (result.already) throw new ApiError(409, 'conflict', 'the hand-off was acknowledged already');
        return result.handoff;
      },
    );
  };
