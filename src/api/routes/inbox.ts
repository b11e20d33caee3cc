// The unified inbox: GET /v1/replies (every reply on every channel, newest first, with intent),
// one reply with its conversation, and what a person does with it.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CHANNELS } from '../../core/channels.ts';
import { REPLY_INTENTS } from '../../core/replyHeuristics.ts';
import type { Db } from '../../db/database.ts';
import { actionsOf, conversationOf, getInboxReply, listInbox } from '../../db/inbox.ts';
import type { Engine } from '../../engine/engine.ts';
import { actOnReply, HANDOFF_OUTCOMES, type InboxCommand } from '../../engine/inboxActions.ts';
import { respondToReply } from '../../engine/inboxRespond.ts';
import type { Principal } from '../auth.ts';
import { ApiError, notFound } from '../errors.ts';
import { errorResponses, IdParams, PageQuery, parseCursor, Text } from '../schemas.ts';

const ReplyAction = z.object({
  id: z.string(),
  action: z.enum(['handoff', 'snooze', 'unsubscribe', 'respond', 'outcome']),
  data: z.record(z.string(), z.unknown()),
  memberId: z.string().nullable(),
  createdAt: z.string(),
});

export const InboxReply = z.object({
  id: z.string(),
  messageId: z.string(),
  enrollmentId: z.string(),
  contactId: z.string(),
  sequenceId: z.string(),
  sequenceName: z.string(),
  channel: z.string(),
  source: z.string(),
  subject: z.string().nullable(),
  body: z.string(),
  intent: z.string(),
  confidence: z.number(),
  returnDate: z.string().nullable(),
  receivedAt: z.string(),
  contact: z.object({ name: z.string(), email: z.string().nullable(), company: z.string().nullable() }),
  lastAction: ReplyAction.nullable(),
  snoozedUntil: z.string().nullable(),
});

const ConversationEntry = z.object({
  kind: z.enum(['message', 'reply', 'response']),
  id: z.string(),
  at: z.string(),
  channel: z.string(),
  subject: z.string().nullable(),
  body: z.string(),
  status: z.string().nullable(),
  intent: z.string().nullable(),
});

const Note = Text(2000, { multiline: true }).optional();
const ActionResult = z.object({ reply: InboxReply, action: ReplyAction });

export const inboxRoutes =
  (db: Db, engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/replies',
      {
        schema: {
          summary:
            'Every reply on every channel, newest first, with the classified intent and the latest action; waiting=true: the ones a person still has to act on',
          tags: ['replies'],
          querystring: PageQuery.extend({
            intent: z.enum(REPLY_INTENTS).optional(),
            channel: z.enum(CHANNELS).optional(),
            contactId: z.uuid().optional(),
            waiting: z.enum(['true', 'false']).optional(),
          }),
          response: {
            200: z.object({ data: z.array(InboxReply), nextCursor: z.string().nullable() }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { cursor, waiting, intent, channel, contactId, limit } = request.query;
        const parsed = parseCursor(cursor);
        return db.tenant(request.workspaceId, (sql) =>
          listInbox(sql, {
            limit,
            ...(parsed ? { cursor: parsed } : {}),
            ...(intent ? { intent } : {}),
            ...(channel ? { channel } : {}),
            ...(contactId ? { contactId } : {}),
            waiting: waiting === 'true',
            now: engine.deps.clock.now(),
          }),
        );
      },
    );

    app.get(
      '/v1/replies/:id',
      {
        schema: {
          summary: 'One reply with its conversation (our messages and the replies, oldest first) and its actions',
          tags: ['replies'],
          params: IdParams,
          response: {
            200: InboxReply.extend({ conversation: z.array(ConversationEntry), actions: z.array(ReplyAction) }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const found = await db.tenant(request.workspaceId, async (sql) => {
          const reply = await getInboxReply(sql, request.params.id);
          if (!reply) return undefined;
          return {
            ...reply,
            conversation: await conversationOf(sql, reply.enrollmentId),
            actions: await actionsOf(sql, reply.id),
          };
        });
        if (!found) throw notFound('reply');
        return found;
      },
    );

    const run = async (
      request: { workspaceId: string; params: { id: string }; principal: Principal },
      command: InboxCommand,
    ) => {
      const outcome = await actOnReply(engine, {
        workspaceId: request.workspaceId,
        replyId: request.params.id,
        memberId: request.principal.kind === 'member' ? request.principal.memberId : null,
        command,
      });
      if (outcome.kind === 'not_found') throw notFound('reply');
      if (outcome.kind === 'invalid') throw new ApiError(400, 'invalid_request', `body.${outcome.message}`);
      return { reply: outcome.reply, action: outcome.action };
    };
    const schema = (summary: string) => ({
      summary,
      tags: ['replies'],
      params: IdParams,
      response: { 200: ActionResult, ...errorResponses },
    });

    app.post(
      '/v1/replies/:id/handoff',
      {
        schema: {
          ...schema(
            'Mark interested and hand off to a person: the contact becomes interested and a hand-off lands on the timeline and in Tasks',
          ),
          body: z.strictObject({ note: Note }).nullish(),
        },
      },
      async (request) =>
        run(request, { action: 'handoff', ...(request.body?.note ? { note: request.body.note } : {}) }),
    );

    app.post(
      '/v1/replies/:id/snooze',
      {
        schema: {
          ...schema(
            'Not now: follow up on a date (the reply comes back to the inbox then; a sequence still running waits until then)',
          ),
          body: z.strictObject({ until: z.iso.datetime({ offset: true }) }),
        },
      },
      async (request) => run(request, { action: 'snooze', until: new Date(request.body.until) }),
    );

    app.post(
      '/v1/replies/:id/unsubscribe',
      {
        schema: {
          ...schema('Unsubscribe the contact: suppressed on every channel, its sequence stops'),
          body: z.strictObject({}).nullish(),
        },
      },
      async (request) => run(request, { action: 'unsubscribe' }),
    );

    app.post(
      '/v1/replies/:id/outcome',
      {
        schema: {
          ...schema("Record a hand-off's outcome (meeting booked, follow up, not a fit, no answer) with a note"),
          body: z.strictObject({ outcome: z.enum(HANDOFF_OUTCOMES), note: Note }),
        },
      },
      async (request) =>
        run(request, {
          action: 'outcome',
          outcome: request.body.outcome,
          ...(request.body.note ? { note: request.body.note } : {}),
        }),
    );

    app.post(
      '/v1/replies/:id/respond',
      {
        schema: {
          ...schema(
            'Answer the reply on its channel, from the account the conversation went out on: email threaded under our message; WhatsApp (inside the 24-hour window), SMS and LinkedIn to the contact; 409 when the channel, the window or the contact does not allow it, 502 when the provider refused (recorded as a failed answer)',
          ),
          body: z.strictObject({
            body: Text(20_000, { multiline: true }).pipe(z.string().min(1, 'must not be empty')),
          }),
          response: { 200: ActionResult, ...errorResponses, 409: errorResponses[400], 502: errorResponses[400] },
        },
      },
      async (request) => {
        const outcome = await respondToReply(engine, {
          workspaceId: request.workspaceId,
          replyId: request.params.id,
          memberId: request.principal.kind === 'member' ? request.principal.memberId : null,
          body: request.body.body,
        });
        switch (outcome.kind) {
          case 'not_found':
            throw notFound('reply');
          case 'refused':
            throw new ApiError(409, 'conflict', outcome.message);
          case 'failed':
            throw new ApiError(502, 'send_failed', `The provider did not take the answer: ${outcome.message}`);
          case 'sent':
            return { reply: outcome.reply, action: outcome.action };
        }
      },
    );
  };
