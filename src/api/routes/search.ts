// Lookups the dashboard's lists need: contact search with filters, the workspace's tags, and a
// sequence's activity per day for charts.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CONTACT_STATUSES } from '../../core/contact.ts';
import type { Db } from '../../db/database.ts';
import { REACHABLE_CHANNELS, searchContacts, sequenceDaily, workspaceTags } from '../../db/dashboard.ts';
import { getSequence } from '../../db/sequences.ts';
import { notFound } from '../errors.ts';
import { errorResponses, IdParams, PageQuery, parseIdCursor, Text } from '../schemas.ts';

const ContactOut = z.looseObject({ id: z.string(), status: z.string() });

export const searchRoutes =
  (db: Db): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/contacts/search',
      {
        schema: {
          summary:
            'Search contacts by text (name, email, company, title, phone), tag, status and the channel they can be reached on',
          tags: ['contacts'],
          querystring: PageQuery.extend({
            q: Text(200).optional(),
            tag: Text(64).optional(),
            status: z.enum(CONTACT_STATUSES).optional(),
            reachable: z.enum(REACHABLE_CHANNELS).optional(),
          }),
          response: {
            200: z.object({ data: z.array(ContactOut), nextCursor: z.string().nullable() }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { q, tag, status, reachable, limit, cursor } = request.query;
        const afterId = parseIdCursor(cursor);
        return db.tenant(request.workspaceId, (sql) =>
          searchContacts(sql, {
            limit,
            ...(q ? { q } : {}),
            ...(tag ? { tag } : {}),
            ...(status ? { status } : {}),
            ...(reachable ? { reachable } : {}),
            ...(afterId ? { afterId } : {}),
          }),
        );
      },
    );

    app.get(
      '/v1/tags',
      {
        schema: {
          summary: 'Tags in use, with how many contacts carry each',
          tags: ['contacts'],
          response: {
            200: z.object({ data: z.array(z.object({ tag: z.string(), contacts: z.number() })), nextCursor: z.null() }),
            ...errorResponses,
          },
        },
      },
      async (request) => ({ data: await db.tenant(request.workspaceId, workspaceTags), nextCursor: null }),
    );

    app.get(
      '/v1/analytics/sequences/:id/daily',
      {
        schema: {
          summary: 'A sequence per day (UTC): sent, opened (human), clicked (human), replied (by a person)',
          tags: ['analytics'],
          params: IdParams,
          response: {
            200: z.object({
              sequenceId: z.string(),
              days: z.array(
                z.object({
                  day: z.string(),
                  sent: z.number(),
                  opened: z.number(),
                  clicked: z.number(),
                  replied: z.number(),
                }),
              ),
            }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const days = await db.tenant(request.workspaceId, async (sql) =>
          (await getSequence(sql, request.params.id)) ? sequenceDaily(sql, request.params.id) : undefined,
        );
        if (!days) throw notFound('sequence');
        return { sequenceId: request.params.id, days };
      },
    );
  };
