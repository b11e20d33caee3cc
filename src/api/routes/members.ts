// Workspace members: list, invite (a one-time link the owner passes on), remove.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { deleteMember, emailTaken, getMember, listMembers, listPendingInvites } from '../../db/members.ts';
import { deleteSessionsOf } from '../../db/sessions.ts';
import { createAccessLink } from '../../engine/memberAccess.ts';
import { requireOwner } from '../auth.ts';
import { ApiError, notFound } from '../errors.ts';
import { errorResponses, IdParams } from '../schemas.ts';
import { Email, MemberOut, memberOut } from './session.ts';

const Invite = z.object({
  id: z.string(),
  email: z.string().nullable(),
  role: z.enum(['owner', 'member']),
  expiresAt: z.string(),
});
const forbidden = { 403: errorResponses[400] };

export const memberRoutes =
  (db: Db, options: { publicUrl: string; now: () => Date }): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/members',
      {
        schema: {
          summary: 'Members of this workspace and the invitations not used yet',
          tags: ['members'],
          response: {
            200: z.object({ data: z.array(MemberOut), invites: z.array(Invite), nextCursor: z.null() }),
            ...errorResponses,
          },
        },
      },
      async (request) =>
        db.tenant(request.workspaceId, async (sql) => ({
          data: (await listMembers(sql)).map(memberOut),
          invites: await listPendingInvites(sql, options.now()),
          nextCursor: null,
        })),
    );

    app.post(
      '/v1/members/invites',
      {
        schema: {
          summary:
            'Invite a member (owner only): answers a one-time link, valid 7 days, that you pass on; the invited person sets a name and password there',
          tags: ['members'],
          body: z.strictObject({ email: Email, role: z.enum(['owner', 'member']).default('member') }),
          response: {
            201: z.object({ url: z.string(), email: z.string(), expiresAt: z.string() }),
            ...errorResponses,
            ...forbidden,
            409: errorResponses[400],
          },
        },
      },
      async (request, reply) => {
        requireOwner(request);
        const email = request.body.email.toLowerCase();
        if (await emailTaken(db, email))
          throw new ApiError(409, 'email_taken', `${email} is already a member (of this or another workspace)`);
        const link = await createAccessLink(db, {
          workspaceId: request.workspaceId,
          kind: 'invite',
          publicUrl: options.publicUrl,
          now: options.now(),
          email,
          role: request.body.role,
          ...(request.principal.kind === 'member' ? { invitedBy: request.principal.memberId } : {}),
        });
        return reply.status(201).send({ url: link.url, email, expiresAt: link.expiresAt.toISOString() });
      },
    );

    app.delete(
      '/v1/members/:id',
      {
        schema: {
          summary: 'Remove a member (owner only); their sessions end at once. The last owner cannot be removed',
          tags: ['members'],
          params: IdParams,
          response: { 204: z.null(), ...errorResponses, ...forbidden, 409: errorResponses[400] },
        },
      },
      async (request, reply) => {
        requireOwner(request);
        const outcome = await db.tenant(request.workspaceId, async (sql) => {
          const member = await getMember(sql, request.params.id);
          if (!member) return 'not_found' as const;
          const owners = (await listMembers(sql)).filter((m) => m.role === 'owner');
          if (member.role === 'owner' && owners.length <= 1) return 'last_owner' as const;
          await deleteSessionsOf(sql, member.id);
          await deleteMember(sql, member.id);
          return 'removed' as const;
        });
        if (outcome === 'not_found') throw notFound('member');
        if (outcome === 'last_owner')
          throw new ApiError(409, 'conflict', 'The last owner cannot be removed: make someone else owner first');
        return reply.status(204).send(null);
      },
    );
  };
