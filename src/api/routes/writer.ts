// The writer over HTTP: preview a message for a contact (nothing is sent or stored but the cache).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Channel } from '../../core/channels.ts';
import { describePurposes, WRITER_PURPOSES } from '../../core/purposes.ts';
import type { Engine } from '../../engine/engine.ts';
import { previewMessage, previewWarnings } from '../../engine/commands/preview.ts';
import { notFound } from '../errors.ts';
import { errorResponses } from '../schemas.ts';

const required = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : message;

export const GenerateBody = z.strictObject({
  contactId: z.uuid({ error: required('must be a contact id (UUID)') }),
  channel: Channel,
  purpose: z.enum(WRITER_PURPOSES, {
    error: (issue) =>
      issue.input === undefined
        ? 'is required'
        : `must be one of ${describePurposes()} (got ${JSON.stringify(issue.input) ?? String(issue.input)})`,
  }),
  variant: z
    .number({ error: 'must be a whole number from 0 to 9' })
    .int('must be a whole number from 0 to 9')
    .min(0)
    .max(9)
    .optional(),
});

const Preview = z.looseObject({
  blocked: z.boolean(),
  checks: z.looseObject({ passed: z.boolean() }),
  cached: z.boolean(),
});

export const writerRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/writer/generate',
      {
        schema: {
          summary:
            'Preview the message the writer would send a contact on a channel for a purpose: text, facts used, guardrail results',
          tags: ['writer'],
          body: GenerateBody,
          response: { 200: Preview, ...errorResponses },
        },
      },
      async (request) => {
        const outcome = await previewMessage(
          { db: engine.deps.db, writer: engine.deps.writer },
          { workspaceId: request.workspaceId, ...request.body },
        );
        if (outcome === 'contact_not_found') throw notFound('contact');
        const cached = outcome.cached === true;
        const warnings = await previewWarnings(engine.deps, request.workspaceId, request.body.channel);
        const extra = warnings.length === 0 ? {} : { warnings };
        if (!outcome.ok) {
          const { ok: _ok, ...blocked } = outcome;
          return { ...blocked, cached, ...extra };
        }
        const { ok: _ok, ...written } = outcome;
        return { ...written, blocked: false, cached, ...extra };
      },
    );
  };
