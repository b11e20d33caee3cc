// The dashboard's home and tasks read models: what went out today per channel, replies waiting,
// hand-offs open (as GET /v1/handoffs?status=open lists them), accounts needing attention; the
// workspace-wide activity feed.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { countOpenHandoffs, countTasksDue, listFeed, sentSince, workspaceCounts } from '../../db/dashboard.ts';
import { countWaiting } from '../../db/inbox.ts';
import { listSenderRows } from '../../db/senders.ts';
import { getWorkspace } from '../../db/workspaces.ts';
import type { Engine } from '../../engine/engine.ts';
import { usageOf } from '../../engine/steps/senderChoice.ts';
import { errorResponses, PageQuery, parseCursor, Text } from '../schemas.ts';

/** An account this close to today's cap (sent / cap) needs a look. */
const NEAR_CAP = 0.8;

const Attention = z.object({
  id: z.string(),
  name: z.string(),
  channel: z.string(),
  provider: z.string(),
  status: z.string(),
  reason: z.string(),
  sentToday: z.number(),
  todayCap: z.number(),
});

const Home = z.object({
  day: z.string(),
  timezone: z.string(),
  sentToday: z.array(z.object({ channel: z.string(), sent: z.number() })),
  repliesWaiting: z.number(),
  /** Hand-offs not acknowledged yet: the count of GET /v1/handoffs?status=open. */
  handoffsOpen: z.number(),
  /** Call tasks due today (issue 14); 0 until call tasks exist. */
  tasksDue: z.number(),
  accountsNeedingAttention: z.array(Attention),
  counts: z.object({
    contacts: z.number(),
    sequences: z.number(),
    activeEnrollments: z.number(),
    accounts: z.number(),
  }),
});

const FeedItem = z.object({
  id: z.string(),
  contactId: z.string(),
  type: z.string(),
  summary: z.string(),
  data: z.record(z.string(), z.unknown()),
  occurredAt: z.string(),
  contact: z.object({
    name: z.string(),
    email: z.string().nullable(),
    company: z.string().nullable(),
    phone: z.string().nullable(),
    title: z.string().nullable(),
  }),
  outcome: z.string().nullable(),
});

export const homeRoutes =
  (db: Db, engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/home',
      {
        schema: {
          summary:
            "Today at a glance: sent per channel (since midnight in the workspace's time zone), replies waiting, hand-offs open, call tasks due by the end of the day, accounts needing attention",
          tags: ['home'],
          response: { 200: Home, ...errorResponses },
        },
      },
      async (request) => {
        const now = engine.deps.clock.now();
        return db.tenant(request.workspaceId, async (sql) => {
          const timezone = (await getWorkspace(sql))?.defaultTimezone ?? 'UTC';
          const midnight = DateTime.fromJSDate(now, { zone: timezone }).startOf('day');
          const senders = await listSenderRows(sql);
          const attention: z.infer<typeof Attention>[] = [];
          for (const s of senders) {
            const { usage, cap } = await usageOf(
              sql,
              s,
              s.channel === 'linkedin' ? 'connection_request' : 'intro',
              now,
            );
            const near = cap > 0 && usage.today >= cap * NEAR_CAP;
            if (s.status === 'active' && !near) continue;
            attention.push({
              id: s.id,
              name: s.name ?? s.fromEmail ?? s.fromPhone ?? s.provider,
              channel: s.channel,
              provider: s.provider,
              status: s.status,
              reason:
                s.status !== 'active'
                  ? (s.statusReason ?? s.status)
                  : `${usage.today} of today's ${cap} sent: near the cap`,
              sentToday: usage.today,
              todayCap: cap,
            });
          }
          return {
            day: midnight.toISODate() ?? '',
            timezone,
            sentToday: await sentSince(sql, midnight.toJSDate()),
            repliesWaiting: await countWaiting(sql, now),
            handoffsOpen: await countOpenHandoffs(sql),
            tasksDue: await countTasksDue(sql, midnight.plus({ days: 1 }).toJSDate()),
            accountsNeedingAttention: attention,
            counts: { ...(await workspaceCounts(sql)), accounts: senders.length },
          };
        });
      },
    );

    app.get(
      '/v1/activities',
      {
        schema: {
          summary:
            'Timeline entries of every contact, newest first; type filters (comma-separated, e.g. handoff); open=true: hand-offs with no outcome yet',
          tags: ['home'],
          querystring: PageQuery.extend({
            type: Text(200).optional(),
            open: z.enum(['true', 'false']).optional(),
          }),
          response: {
            200: z.object({ data: z.array(FeedItem), nextCursor: z.string().nullable() }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { type, open, limit, cursor } = request.query;
        const types = type
          ?.split(',')
          .map((t) => t.trim())
          .filter(Boolean);
        const parsed = parseCursor(cursor);
        return db.tenant(request.workspaceId, (sql) =>
          listFeed(sql, {
            limit,
            open: open === 'true',
            ...(types && types.length > 0 ? { types } : {}),
            ...(parsed ? { cursor: parsed } : {}),
          }),
        );
      },
    );
  };
