// Sending accounts: register, list (caps, today's usage, warm-up day, status), change, remove.
// Credentials are encrypted at rest and never echoed back.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import validator from 'validator';
import { z } from 'zod';
import { PROVIDER_IDS, type AdapterRegistry } from '../../channels/registry.ts';
import { Channel } from '../../core/channels.ts';
import { Warmup } from '../../core/quota.ts';
import { WHATSAPP_TIERS, type MessagingTier as Tier } from '../../core/whatsappLimits.ts';
import type { Engine } from '../../engine/engine.ts';
import {
  changeSender,
  createSender,
  listSenders,
  removeSender,
  resumeSenderView,
  type Refused,
} from '../../engine/commands/senders.ts';
import { ApiError, notFound } from '../errors.ts';
import { errorResponses, IdParams, Text, TimeZone } from '../schemas.ts';

const Email = z
  .string()
  .max(254)
  .refine((v) => validator.isEmail(v, { allow_utf8_local_part: true }), 'must be an email address');
const Limit = z.number().int().min(0).max(100_000);
const CredentialPart = z.record(z.string(), z.unknown());
const TIERS_TEXT = `${WHATSAPP_TIERS.join(', ')} or "unlimited"`;
/** WhatsApp's messaging tier: one Meta grants, or "unlimited". */
const MessagingTier = z
  .union([z.number(), z.string()])
  .refine(
    (v) => v === 'unlimited' || (WHATSAPP_TIERS as readonly unknown[]).includes(v),
    `must be one of Meta's tiers: ${TIERS_TEXT}`,
  );

const SenderOut = z.looseObject({
  id: z.string(),
  channel: z.string(),
  provider: z.string(),
  status: z.string(),
  /** What holds the account's real sends: an email account with no person name (`sender_name`). */
  identityGaps: z.array(z.object({ gap: z.string(), reason: z.string() })),
});

function refused(outcome: Refused): never {
  if (outcome.kind === 'not_found') throw notFound('sender');
  throw new ApiError(400, 'invalid_request', outcome.message);
}

export const senderRoutes =
  (engine: Engine, adapters: AdapterRegistry): FastifyPluginAsyncZod =>
  async (app) => {
    const deps = engine.deps;
    // `credentials`, and the keys each provider still takes for it from older clients (smtp, imap, resend …).
    const aliases = [...new Set(PROVIDER_IDS.flatMap((id) => Object.keys(adapters[id].credentialAliases ?? {})))];
    const credentialKeys = {
      credentials: CredentialPart.optional(),
      ...Object.fromEntries(aliases.map((key) => [key, CredentialPart.nullable().optional()])),
    };
    const credentialBody = (body: Record<string, unknown>) =>
      Object.fromEntries(['credentials', ...aliases].map((key) => [key, body[key]]));

    // What both registering and changing an account take.
    const changeable = {
      name: Text(100).optional(),
      fromName: Text(100).optional(),
      dailyLimit: Limit.optional(),
      hourlyLimit: Limit.nullable().optional(),
      weeklyLimit: Limit.nullable().optional(),
      minGapSeconds: z.number().int().min(0).max(86_400).optional(),
      messagingTier: MessagingTier.optional(),
      perSecondLimit: z.number().int().min(1).max(1000).optional(),
      warmup: Warmup.nullable().optional(),
      timezone: TimeZone.optional(),
      ...credentialKeys,
    };
    const SenderCreate = z.strictObject({
      channel: Channel,
      provider: z.enum(PROVIDER_IDS),
      fromEmail: Email.optional(),
      fromPhone: Text(32).optional(),
      linkedinFree: z.boolean().optional(),
      ...changeable,
    });
    const SenderPatch = z.strictObject({ status: z.enum(['active', 'paused']).optional(), ...changeable });

    app.post(
      '/v1/senders',
      {
        schema: {
          summary:
            'Register a sending account: its credentials in `credentials`, validated by the provider (never echoed)',
          tags: ['senders'],
          body: SenderCreate,
          response: { 201: SenderOut, ...errorResponses },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const outcome = await createSender(deps, request.workspaceId, {
          channel: b.channel,
          provider: b.provider,
          ...(b.name !== undefined ? { name: b.name } : {}),
          ...(b.fromEmail !== undefined ? { fromEmail: b.fromEmail } : {}),
          ...(b.fromName !== undefined ? { fromName: b.fromName } : {}),
          ...(b.fromPhone !== undefined ? { fromPhone: b.fromPhone } : {}),
          ...(b.linkedinFree !== undefined ? { linkedinFree: b.linkedinFree } : {}),
          ...(b.dailyLimit !== undefined ? { dailyLimit: b.dailyLimit } : {}),
          ...(b.hourlyLimit !== undefined ? { hourlyLimit: b.hourlyLimit } : {}),
          ...(b.weeklyLimit !== undefined ? { weeklyLimit: b.weeklyLimit } : {}),
          ...(b.minGapSeconds !== undefined ? { minGapSeconds: b.minGapSeconds } : {}),
          ...(b.messagingTier !== undefined ? { messagingTier: b.messagingTier as Tier } : {}),
          ...(b.perSecondLimit !== undefined ? { perSecondLimit: b.perSecondLimit } : {}),
          ...(b.warmup !== undefined ? { warmup: b.warmup } : {}),
          ...(b.timezone !== undefined ? { timezone: b.timezone } : {}),
          credentialBody: credentialBody(b),
        });
        if (outcome.kind !== 'created') refused(outcome);
        return reply.status(201).send(outcome.view);
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
      async (request) => ({ data: await listSenders(deps, request.workspaceId), nextCursor: null }),
    );

    app.patch(
      '/v1/senders/:id',
      {
        schema: {
          summary:
            'Change limits, warm-up, status or credentials: the provider fields given in `credentials` replace them; a part of its own (an IMAP mailbox, a webhook secret) given alone changes only itself',
          tags: ['senders'],
          params: IdParams,
          body: SenderPatch,
          response: { 200: SenderOut, ...errorResponses },
        },
      },
      async (request) => {
        const body = request.body as Record<string, unknown>;
        const rest = Object.fromEntries(
          Object.entries(body).filter(
            ([key, value]) => key !== 'credentials' && !aliases.includes(key) && value !== undefined,
          ),
        );
        const outcome = await changeSender(deps, request.workspaceId, request.params.id, {
          ...rest,
          credentialBody: credentialBody(body),
        });
        if (outcome.kind !== 'changed') refused(outcome);
        return outcome.view;
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
        const outcome = await resumeSenderView(deps, request.workspaceId, request.params.id);
        switch (outcome.kind) {
          case 'not_found':
            throw notFound('sender');
          case 'conflict':
            throw new ApiError(409, 'conflict', outcome.message);
          case 'resumed':
            return { ...outcome.view, status: 'active' as const, releasedSteps: outcome.releasedSteps };
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
        if (!(await removeSender(deps, request.workspaceId, request.params.id))) throw notFound('sender');
        return reply.status(204).send(null);
      },
    );
  };
