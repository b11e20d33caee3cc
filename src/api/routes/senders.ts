// Sending accounts: register, list (caps, today's usage, warm-up day, status), change, remove.
// Credentials are encrypted at rest and never echoed back.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import validator from 'validator';
import { z } from 'zod';
import type { AdapterRegistry } from '../../channels/registry.ts';
import { PROVIDER_IDS } from '../../channels/types.ts';
import { Channel } from '../../core/channels.ts';
import { DEFAULT_LIMITS, quotaKindFor, Warmup } from '../../core/quota.ts';
import type { Db } from '../../db/database.ts';
import {
  deleteSender,
  getSenderRow,
  insertSender,
  listSenderRows,
  updateSender,
  type SenderRow,
} from '../../db/senders.ts';
import type { Engine } from '../../engine/engine.ts';
import { encryptJson } from '../../engine/accounts/secrets.ts';
import { usageOf } from '../../engine/steps/senderChoice.ts';
import { senderHealth } from '../../engine/accounts/health.ts';
import { checkSenderCredentials, mergeCredentials, storedCredentials } from '../../engine/accounts/credentials.ts';
import { releaseStepsHeldBySender, resumeSender } from '../../engine/accounts/resume.ts';
import type { EnrollmentRef } from '../../engine/ports.ts';
import { ApiError, notFound } from '../errors.ts';
import { errorResponses, IdParams, Text, TimeZone } from '../schemas.ts';

const Email = z
  .string()
  .max(254)
  .refine((v) => validator.isEmail(v, { allow_utf8_local_part: true }), 'must be an email address');
const Limit = z.number().int().min(0).max(100_000);

const SenderCreate = z.strictObject({
  channel: Channel,
  provider: z.enum(PROVIDER_IDS),
  name: Text(100).optional(),
  fromEmail: Email.optional(),
  fromName: Text(100).optional(),
  fromPhone: Text(32).optional(),
  linkedinFree: z.boolean().optional(),
  smtp: z.record(z.string(), z.unknown()).optional(),
  imap: z.record(z.string(), z.unknown()).optional(),
  resend: z.record(z.string(), z.unknown()).optional(),
  credentials: z.record(z.string(), z.unknown()).optional(),
  dailyLimit: Limit.optional(),
  hourlyLimit: Limit.nullable().optional(),
  weeklyLimit: Limit.nullable().optional(),
  minGapSeconds: z.number().int().min(0).max(86_400).optional(),
  warmup: Warmup.nullable().optional(),
  timezone: TimeZone.optional(),
});

const SenderPatch = z.strictObject({
  name: Text(100).optional(),
  fromName: Text(100).optional(),
  dailyLimit: Limit.optional(),
  hourlyLimit: Limit.nullable().optional(),
  weeklyLimit: Limit.nullable().optional(),
  minGapSeconds: z.number().int().min(0).max(86_400).optional(),
  warmup: Warmup.nullable().optional(),
  timezone: TimeZone.optional(),
  status: z.enum(['active', 'paused']).optional(),
  smtp: z.record(z.string(), z.unknown()).optional(),
  /** null removes the mailbox settings (replies are no longer read). */
  imap: z.record(z.string(), z.unknown()).nullable().optional(),
  resend: z.record(z.string(), z.unknown()).optional(),
  credentials: z.record(z.string(), z.unknown()).optional(),
});

const SenderOut = z.looseObject({ id: z.string(), channel: z.string(), provider: z.string(), status: z.string() });

export const senderRoutes =
  (db: Db, engine: Engine, adapters: AdapterRegistry): FastifyPluginAsyncZod =>
  async (app) => {
    const key = engine.deps.encryptionKey;
    const view = async (sql: Parameters<Parameters<Db['tenant']>[1]>[0], s: SenderRow) => {
      const now = engine.deps.clock.now();
      const template = s.channel === 'linkedin' ? 'connection_request' : 'intro';
      const { usage, warmupDay, cap, windows } = await usageOf(sql, s, template, now);
      return {
        id: s.id,
        channel: s.channel,
        provider: s.provider,
        name: s.name,
        fromEmail: s.fromEmail,
        fromName: s.fromName,
        fromPhone: s.fromPhone,
        dailyLimit: s.dailyLimit,
        hourlyLimit: s.hourlyLimit,
        weeklyLimit: s.weeklyLimit,
        minGapSeconds: s.minGapSeconds,
        warmup: s.warmup,
        warmupDay: s.warmup ? warmupDay : null,
        todayCap: cap,
        sentToday: usage.today,
        sentThisHour: usage.thisHour,
        sentThisWeek: usage.thisWeek,
        lastResetAt: windows.dayStart.toISOString(),
        timezone: s.timezone,
        status: s.status,
        statusReason: s.statusReason,
        health: s.channel === 'email' ? await senderHealth(sql, s.id) : null,
        hasCredentials: s.credentials !== null,
        createdAt: s.createdAt.toISOString(),
      };
    };
    const sealCredentials = (provider: string, raw: Record<string, unknown>) => {
      const adapter = adapters[provider as keyof AdapterRegistry];
      const checked = checkSenderCredentials(adapter, raw);
      if (!checked.ok) throw new ApiError(400, 'invalid_request', `credentials for ${provider}: ${checked.message}`);
      return Object.keys(raw).length > 0 ? encryptJson(key, raw) : null;
    };

    app.post(
      '/v1/senders',
      {
        schema: {
          summary: 'Register a sending account',
          tags: ['senders'],
          body: SenderCreate,
          response: { 201: SenderOut, ...errorResponses },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const adapter = adapters[b.provider];
        if (!adapter.channels.includes(b.channel))
          throw new ApiError(400, 'invalid_request', `provider ${b.provider} does not send on ${b.channel}`);
        if (b.channel === 'email' && !b.fromEmail)
          throw new ApiError(400, 'invalid_request', 'body.fromEmail: required for an email account');
        const defaults =
          DEFAULT_LIMITS[quotaKindFor(b.channel, b.channel === 'linkedin' ? 'connection_request' : 'intro')];
        const credentials = sealCredentials(b.provider, mergeCredentials({}, b));
        const row = await db.tenant(request.workspaceId, async (sql) => {
          const inserted = await insertSender(sql, request.workspaceId, {
            channel: b.channel,
            provider: b.provider,
            name: b.name ?? null,
            fromEmail: b.fromEmail?.toLowerCase() ?? null,
            fromName: b.fromName ?? null,
            fromPhone: b.fromPhone ?? null,
            linkedinFree: b.linkedinFree ?? false,
            credentials,
            dailyLimit: b.dailyLimit ?? defaults.dailyLimit,
            hourlyLimit: b.hourlyLimit === undefined ? (defaults.hourlyLimit ?? null) : b.hourlyLimit,
            weeklyLimit: b.weeklyLimit === undefined ? (defaults.weeklyLimit ?? null) : b.weeklyLimit,
            minGapSeconds: b.minGapSeconds ?? defaults.minGapSeconds,
            warmup: b.warmup === undefined ? (defaults.warmup ?? null) : b.warmup,
            warmupStartedAt: engine.deps.clock.now(),
            timezone: b.timezone ?? 'UTC',
          });
          return view(sql, inserted);
        });
        return reply.status(201).send(row);
      },
    );

    app.get(
      '/v1/senders',
      {
        schema: {
          summary: 'Accounts with caps, usage today, warm-up day and status',
          tags: ['senders'],
          response: { 200: z.object({ data: z.array(SenderOut), nextCursor: z.null() }), ...errorResponses },
        },
      },
      async (request) =>
        db.tenant(request.workspaceId, async (sql) => ({
          data: await Promise.all((await listSenderRows(sql)).map((s) => view(sql, s))),
          nextCursor: null,
        })),
    );

    app.patch(
      '/v1/senders/:id',
      {
        schema: {
          summary:
            'Change limits, warm-up, status or credentials: each credential part given (smtp, imap, resend, credentials) replaces that part, the others are kept',
          tags: ['senders'],
          params: IdParams,
          body: SenderPatch,
          response: { 200: SenderOut, ...errorResponses },
        },
      },
      async (request) => {
        const { smtp, imap, resend, credentials, ...rest } = request.body;
        let released: EnrollmentRef[] = [];
        const out = await db.tenant(request.workspaceId, async (sql) => {
          // Locked: a token refresh re-sealing the credentials meanwhile must not be lost, nor this merge.
          const existing = await getSenderRow(sql, request.params.id, { lock: true });
          if (!existing) return undefined;
          const parts = { smtp, imap, resend, credentials };
          const sealed = Object.values(parts).some((part) => part !== undefined)
            ? sealCredentials(existing.provider, mergeCredentials(storedCredentials(key, existing.credentials), parts))
            : undefined;
          await updateSender(sql, existing.id, { ...rest, ...(sealed !== undefined ? { credentials: sealed } : {}) });
          // Reactivating an account (paused, or disconnected and fixed) releases the steps it held.
          if (rest.status === 'active' && existing.status !== 'active')
            released = await releaseStepsHeldBySender(sql, existing, engine.deps.clock.now());
          const updated = await getSenderRow(sql, existing.id);
          return updated ? view(sql, updated) : undefined;
        });
        if (!out) throw notFound('sender');
        await engine.deps.schedule(released.map((ref) => ({ ref, at: engine.deps.clock.now() })));
        return out;
      },
    );

    app.post(
      '/v1/senders/:id/resume',
      {
        schema: {
          summary:
            'Resume a paused account (by hand or by its health): status back to active, the steps its pause held go out again (releasedSteps); 409 when it is not paused',
          tags: ['senders'],
          params: IdParams,
          body: z.strictObject({}).nullish(),
          response: {
            200: SenderOut.extend({ status: z.literal('active'), releasedSteps: z.number().int() }),
            ...errorResponses,
            409: errorResponses[400],
          },
        },
      },
      async (request) => {
        const outcome = await resumeSender(engine.deps, {
          workspaceId: request.workspaceId,
          senderId: request.params.id,
        });
        switch (outcome.kind) {
          case 'not_found':
            throw notFound('sender');
          case 'conflict':
            throw new ApiError(409, 'conflict', outcome.message);
          case 'resumed': {
            const shown = await db.tenant(request.workspaceId, (sql) => view(sql, outcome.record));
            return { ...shown, status: 'active' as const, releasedSteps: outcome.releasedSteps };
          }
        }
      },
    );

    app.delete(
      '/v1/senders/:id',
      {
        schema: {
          summary: 'Remove an account (its credentials are erased; sent messages keep their history)',
          tags: ['senders'],
          params: IdParams,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const deleted = await db.tenant(request.workspaceId, (sql) => deleteSender(sql, request.params.id));
        if (!deleted) throw notFound('sender');
        return reply.status(204).send(null);
      },
    );
  };
