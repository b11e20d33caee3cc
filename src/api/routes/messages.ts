// Messages: list with filters; log a reply that arrived elsewhere; classify any reply text.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CHANNELS } from '../../core/channels.ts';
import type { MessageRow } from '../../db/messages.ts';
import { messagesPage } from '../../engine/commands/enrollments.ts';
import type { Engine } from '../../engine/engine.ts';
import { notFound } from '../errors.ts';
import { errorResponses, IdParams, PageQuery, parseIdCursor, Text } from '../schemas.ts';

const STATUSES = ['sending', 'deferred', 'sent', 'delivered', 'failed', 'bounced', 'unknown', 'cancelled'] as const;

const MessageOut = z.object({
  id: z.string(),
  contactId: z.string(),
  enrollmentId: z.string(),
  sequenceId: z.string(),
  step: z.number(),
  channel: z.string(),
  purpose: z.string(),
  provider: z.string(),
  senderId: z.string().nullable(),
  variant: z.number(),
  status: z.string(),
  subject: z.string().nullable(),
  body: z.string(),
  error: z.string().nullable(),
  sentAt: z.string().nullable(),
  /** When the person read it (WhatsApp read receipts); the status then shows `read`. */
  readAt: z.string().nullable(),
});

export function toMessageOut(m: MessageRow): z.infer<typeof MessageOut> {
  return {
    id: m.id,
    contactId: m.contactId,
    enrollmentId: m.enrollmentId,
    sequenceId: m.sequenceId,
    step: m.step,
    channel: m.channel,
    purpose: m.purpose,
    provider: m.provider,
    senderId: m.senderId,
    variant: m.variant,
    // Read is shown over sent and delivered; the stored status stays delivered, so counts hold.
    status: m.readAt && (m.status === 'sent' || m.status === 'delivered') ? 'read' : m.status,
    subject: m.subject,
    body: m.body,
    error: m.error,
    sentAt: m.sentAt?.toISOString() ?? null,
    readAt: m.readAt?.toISOString() ?? null,
  };
}

const ReplyBody = z.strictObject({
  body: Text(50_000, { multiline: true }).pipe(z.string().min(1, 'must not be empty')),
  subject: Text(500).optional(),
  headers: z.record(z.string().max(200), z.string().max(2000)).optional(),
});

export const messageRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/messages',
      {
        schema: {
          summary: 'Messages, filtered by contact, enrollment, status, channel',
          tags: ['messages'],
          querystring: PageQuery.extend({
            contactId: z.uuid().optional(),
            enrollmentId: z.uuid().optional(),
            status: z.enum(STATUSES).optional(),
            channel: z.enum(CHANNELS).optional(),
          }),
          response: {
            200: z.object({ data: z.array(MessageOut), nextCursor: z.string().nullable() }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { cursor, ...filter } = request.query;
        const page = await messagesPage(engine.deps, request.workspaceId, {
          ...filter,
          afterId: parseIdCursor(cursor),
        });
        return { data: page.data.map(toMessageOut), nextCursor: page.nextCursor };
      },
    );

    app.post(
      '/v1/messages/:id/replies',
      {
        schema: {
          summary: 'Log a reply that arrived elsewhere; it is classified and acts like a detected reply',
          tags: ['messages'],
          params: IdParams,
          body: ReplyBody,
          response: {
            201: z.looseObject({ replyId: z.string(), intent: z.string(), action: z.string() }),
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const outcome = await engine.receiveReply(request.workspaceId, {
          messageId: request.params.id,
          source: 'api',
          ...request.body,
        });
        if (!outcome) throw notFound('message');
        const { duplicate: _d, ...rest } = outcome;
        return reply.status(201).send(rest);
      },
    );
  };
