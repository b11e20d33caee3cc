// Email notification targets: POST /v1/integrations/email. Listed and removed with the other
// integrations (GET/DELETE /v1/integrations); SMTP credentials given here are never echoed back.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { OUTBOUND_EVENTS } from '../../core/outboundEvents.ts';
import type { Db } from '../../db/database.ts';
import { createEmailNotification } from '../../engine/commands/emailNotifications.ts';
import { WebhookInputError } from '../../engine/commands/webhooks.ts';
import type { Engine } from '../../engine/engine.ts';
import { badRequest } from '../errors.ts';
import { errorResponses, Text } from '../schemas.ts';
import { Integration } from './integrations.ts';

const EmailNotification = Integration.extend({
  senderId: z.string().nullable(),
  fromEmail: z.string(),
  to: z.string().nullable(),
});

export const emailNotificationRoutes =
  (db: Db, engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/integrations/email',
      {
        schema: {
          summary:
            'Mail hand-offs (and their reminders) to the assignee: {"senderId"} (one of your email accounts) or {"smtp":{…},"fromEmail"}; "to" for unassigned ones',
          tags: ['integrations'],
          body: z.strictObject({
            senderId: z.uuid('must be a UUID').optional(),
            smtp: z.record(z.string(), z.unknown()).optional(),
            fromEmail: z.string().max(320).optional(),
            fromName: Text(200).optional(),
            to: z.string().max(320).optional(),
            events: z
              .array(z.enum(OUTBOUND_EVENTS, { error: `must be one of ${OUTBOUND_EVENTS.join(', ')}` }))
              .min(1, 'must name at least one event')
              .optional(),
          }),
          response: { 201: EmailNotification, ...errorResponses },
        },
      },
      async (request, reply) => {
        try {
          const created = await createEmailNotification(
            { db, encryptionKey: engine.deps.encryptionKey, adapters: engine.deps.adapters },
            { workspaceId: request.workspaceId, ...request.body },
          );
          return await reply.status(201).send(created);
        } catch (error) {
          if (error instanceof WebhookInputError) throw badRequest(error.message);
          throw error;
        }
      },
    );
  };
