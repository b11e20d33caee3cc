// An account's WhatsApp message templates: GET syncs them from the provider and lists them; POST
// registers one that exists at the provider (its status and body are the provider's).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Engine } from '../../engine/engine.ts';
import { listTemplates, registerTemplate, type TemplatesOutcome } from '../../engine/commands/templates.ts';
import { ApiError, notFound } from '../errors.ts';
import { errorResponses, IdParams } from '../schemas.ts';

const TemplateOut = z.object({
  id: z.string(),
  name: z.string(),
  language: z.string(),
  category: z.string(),
  body: z.string(),
  status: z.string(),
  registered: z.boolean(),
  syncedAt: z.string(),
});

const TemplateIn = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9_]{1,512}$/, 'must be lower-case letters, digits and underscores, as WhatsApp names templates'),
  language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'must be a language code such as en or en_US'),
  category: z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION']),
  body: z.string().min(1).max(1024),
});

function settled(outcome: TemplatesOutcome) {
  switch (outcome.kind) {
    case 'not_found':
      throw notFound('sender');
    case 'invalid':
      throw new ApiError(400, 'invalid_request', outcome.message);
    case 'unknown_template':
      throw new ApiError(422, 'unknown_template', outcome.message);
    case 'ok':
      return outcome;
  }
}

export const senderTemplateRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    const deps = engine.deps;
    app.get(
      '/v1/senders/:id/templates',
      {
        schema: {
          summary:
            "The account's WhatsApp templates, synced from the provider first (syncError says why the last list is shown)",
          tags: ['senders'],
          params: IdParams,
          response: {
            200: z.object({ data: z.array(TemplateOut), nextCursor: z.null(), syncError: z.string().nullable() }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const outcome = settled(await listTemplates(deps, request.workspaceId, request.params.id));
        return { data: outcome.templates, nextCursor: null, syncError: outcome.syncError };
      },
    );

    app.post(
      '/v1/senders/:id/templates',
      {
        schema: {
          summary:
            'Register a template that exists at the provider (WhatsApp Manager, Gallabox); its status and body are the provider’s; 422 when the provider has no such template',
          tags: ['senders'],
          params: IdParams,
          body: TemplateIn,
          response: { 201: TemplateOut, ...errorResponses, 422: errorResponses[400] },
        },
      },
      async (request, reply) => {
        const outcome = settled(await registerTemplate(deps, request.workspaceId, request.params.id, request.body));
        const [registered] = outcome.templates;
        if (!registered) throw notFound('template');
        return reply.status(201).send(registered);
      },
    );
  };
