// GET/PATCH /v1/workspace and the workspace's API keys.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  addApiKey,
  apiKeysOf,
  changeWorkspace,
  revokeApiKeyById,
  workspaceOf,
} from '../../engine/commands/workspace.ts';
import type { Engine } from '../../engine/engine.ts';
import { notFound } from '../errors.ts';
import { errorResponses, IdParams, Text, TimeZone } from '../schemas.ts';

const Workspace = z.object({
  id: z.string(),
  name: z.string(),
  postalAddress: z.string().nullable(),
  offer: z.string().nullable(),
  defaultTimezone: z.string(),
  /** Domains click links redirect to straight away (with subdomains), besides the sending accounts' own. */
  clickDomains: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** What real sends still wait for (issue 18): company name, offer, postal address. Empty once set up. */
  identityGaps: z.array(z.object({ gap: z.string(), reason: z.string() })),
});

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;
const ClickDomain = z
  .string()
  .trim()
  .toLowerCase()
  .transform((d) => d.replace(/\.$/, ''))
  .pipe(z.string().regex(DOMAIN, 'must be a domain name such as acme.com (no scheme, path, port or wildcard)'));

const WorkspacePatch = z.strictObject({
  name: Text(200).pipe(z.string().min(1, 'must not be empty')).optional(),
  postalAddress: Text(500, { multiline: true }).nullable().optional(),
  offer: Text(5000, { multiline: true }).nullable().optional(),
  defaultTimezone: TimeZone.optional(),
  clickDomains: z
    .array(ClickDomain)
    .max(100, 'at most 100 domains (each covers its subdomains)')
    .transform((domains) => [...new Set(domains)])
    .optional(),
});

const ApiKey = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const workspaceRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/workspace',
      {
        schema: {
          summary:
            'The workspace of this API key, with `identityGaps`: what real sends wait for (company name, offer, postal address)',
          tags: ['workspace'],
          response: { 200: Workspace, ...errorResponses },
        },
      },
      async (request) => {
        const workspace = await workspaceOf(engine.deps, request.workspaceId);
        if (!workspace) throw notFound('workspace');
        return workspace;
      },
    );

    app.patch(
      '/v1/workspace',
      {
        schema: {
          summary:
            'Update name, postal address (email footers), offer (for the writer), default time zone, click domains (tracked links to them redirect without a page first)',
          tags: ['workspace'],
          body: WorkspacePatch,
          response: { 200: Workspace, ...errorResponses },
        },
      },
      async (request) => {
        const patch = Object.fromEntries(Object.entries(request.body).filter(([, v]) => v !== undefined));
        const workspace = await changeWorkspace(engine.deps, request.workspaceId, patch);
        if (!workspace) throw notFound('workspace');
        return workspace;
      },
    );

    app.get(
      '/v1/api-keys',
      {
        schema: {
          summary: 'API keys of this workspace (never the keys themselves)',
          tags: ['workspace'],
          response: { 200: z.object({ data: z.array(ApiKey), nextCursor: z.null() }), ...errorResponses },
        },
      },
      async (request) => ({ data: await apiKeysOf(engine.deps, request.workspaceId), nextCursor: null }),
    );

    app.post(
      '/v1/api-keys',
      {
        schema: {
          summary: 'Create an API key; the key is shown once',
          tags: ['workspace'],
          body: z.strictObject({ name: Text(100).pipe(z.string().min(1, 'must not be empty')) }),
          response: { 201: z.object({ id: z.string(), apiKey: z.string() }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const { id, key } = await addApiKey(engine.deps, request.workspaceId, request.body.name);
        return reply.status(201).send({ id, apiKey: key });
      },
    );

    app.delete(
      '/v1/api-keys/:id',
      {
        schema: {
          summary: 'Revoke an API key',
          tags: ['workspace'],
          params: IdParams,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const revoked = await revokeApiKeyById(engine.deps, request.workspaceId, request.params.id);
        if (!revoked) throw notFound('API key');
        return reply.status(204).send(null);
      },
    );
  };
