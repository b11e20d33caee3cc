// API keys for scripts and integrations: create (the key is shown once), list, revoke (it stops
// working on the next request). Owner only for changes.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../db/workspaces.ts';
import { requireOwner } from '../auth.ts';
import { notFound } from '../errors.ts';
import { errorResponses, IdParams, Text } from '../schemas.ts';

const ApiKeyOut = z.object({
  id: z.string(),
  name: z.string(),
  /** The first characters, to tell keys apart; never the key. */
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
const forbidden = { 403: errorResponses[400] };

export const keyRoutes =
  (db: Db): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/keys',
      {
        schema: {
          summary: 'API keys of this workspace, revoked ones included (never the keys themselves)',
          tags: ['keys'],
          response: { 200: z.object({ data: z.array(ApiKeyOut), nextCursor: z.null() }), ...errorResponses },
        },
      },
      async (request) => ({ data: await db.tenant(request.workspaceId, listApiKeys), nextCursor: null }),
    );

    app.post(
      '/v1/keys',
      {
        schema: {
          summary: 'Create an API key (owner only); `key` is in this answer only, store it now',
          tags: ['keys'],
          body: z.strictObject({ name: Text(100).pipe(z.string().min(1, 'must not be empty')) }),
          response: { 201: ApiKeyOut.extend({ key: z.string() }), ...errorResponses, ...forbidden },
        },
      },
      async (request, reply) => {
        requireOwner(request);
        const created = await db.tenant(request.workspaceId, async (sql) => {
          const { id, key } = await createApiKey(sql, request.workspaceId, request.body.name);
          const info = (await listApiKeys(sql)).find((k) => k.id === id);
          return info ? { ...info, key } : undefined;
        });
        if (!created) throw notFound('API key');
        return reply.status(201).send(created);
      },
    );

    app.delete(
      '/v1/keys/:id',
      {
        schema: {
          summary: 'Revoke an API key (owner only): requests with it fail from now on',
          tags: ['keys'],
          params: IdParams,
          response: { 204: z.null(), ...errorResponses, ...forbidden },
        },
      },
      async (request, reply) => {
        requireOwner(request);
        const revoked = await db.tenant(request.workspaceId, (sql) => revokeApiKey(sql, request.params.id));
        if (!revoked) throw notFound('API key');
        return reply.status(204).send(null);
      },
    );
  };
