// Dashboard sign-in: the one-time links (first-run owner link, invitations), sign in, who am I,
// sign out. Signing in answers the CSRF token the dashboard echoes on every change.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import validator from 'validator';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { getMember, type Member } from '../../db/members.ts';
import { deleteSession } from '../../db/sessions.ts';
import { getWorkspace } from '../../db/workspaces.ts';
import { acceptAccessLink, describeAccessLink, signIn, type NewSession } from '../../engine/memberAccess.ts';
import { clearSessionCookie, setSessionCookie } from '../auth.ts';
import { ApiError } from '../errors.ts';
import { errorResponses, Text } from '../schemas.ts';

export const Email = z
  .string()
  .trim()
  .max(254)
  .refine((v) => validator.isEmail(v, { allow_utf8_local_part: true }), 'must be an email address');
const Password = z.string().min(10, 'must be at least 10 characters').max(256, 'must be at most 256 characters');
const LinkToken = z.string().min(20, 'is not a link token').max(100, 'is not a link token');

export const MemberOut = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(['owner', 'member']),
  createdAt: z.string(),
});
const SessionOut = z.object({
  member: MemberOut.nullable(),
  workspace: z.object({ id: z.string(), name: z.string() }),
  via: z.enum(['session', 'api_key']),
  /** Echo it in X-CSRF-Token on every POST, PATCH and DELETE made with the session cookie. */
  csrfToken: z.string().nullable(),
});
const LinkInfoOut = z.object({
  kind: z.enum(['owner', 'invite']),
  workspaceName: z.string(),
  email: z.string().nullable(),
  owner: z.object({ name: z.string(), email: z.string() }).nullable(),
  expiresAt: z.string(),
});

export const memberOut = (m: Member): z.infer<typeof MemberOut> => ({
  id: m.id,
  email: m.email,
  name: m.name,
  role: m.role,
  createdAt: m.createdAt,
});

const LINK_MESSAGES = {
  unknown: 'This link is not valid. Ask for a new one (the owner runs `quotahit setup-link`).',
  used: 'This link has already been used. Sign in, or ask for a new link.',
  expired: 'This link has expired. Ask for a new one (the owner runs `quotahit setup-link`).',
  email_taken: 'A member with this email address already exists: sign in instead, or use another address.',
} as const;

export const sessionPublicRoutes =
  (db: Db, options: { publicUrl: string; now: () => Date }): FastifyPluginAsyncZod =>
  async (app) => {
    const secure = options.publicUrl.startsWith('https:');
    const started = (session: NewSession) =>
      db.tenant(session.member.workspaceId, async (sql) => {
        const workspace = await getWorkspace(sql);
        return {
          member: memberOut(session.member),
          workspace: { id: session.member.workspaceId, name: workspace?.name ?? '' },
          via: 'session' as const,
          csrfToken: session.csrfToken,
        };
      });

    app.post(
      '/v1/setup/inspect',
      {
        schema: {
          summary: 'What a one-time link (owner setup or invitation) is for; 410 when used or expired',
          tags: ['members'],
          security: [],
          body: z.strictObject({ token: LinkToken }),
          response: { 200: LinkInfoOut, ...errorResponses, 410: errorResponses[400] },
        },
      },
      async (request) => {
        const info = await describeAccessLink(db, request.body.token, options.now());
        if (typeof info === 'string')
          throw new ApiError(info === 'unknown' ? 404 : 410, `link_${info}`, LINK_MESSAGES[info]);
        return info;
      },
    );

    app.post(
      '/v1/setup',
      {
        schema: {
          summary:
            "Use a one-time link: set the owner's (or an invited member's) name, email and password, and sign in (sets the session cookie)",
          tags: ['members'],
          security: [],
          body: z.strictObject({
            token: LinkToken,
            name: Text(100).pipe(z.string().min(1, 'must not be empty')),
            email: Email,
            password: Password,
          }),
          response: { 201: SessionOut, ...errorResponses, 409: errorResponses[400], 410: errorResponses[400] },
        },
      },
      async (request, reply) => {
        const now = options.now();
        const outcome = await acceptAccessLink(db, { ...request.body, now });
        if (!outcome.ok) {
          const status = { unknown: 404, used: 410, expired: 410, email_taken: 409 }[outcome.problem];
          throw new ApiError(status, `link_${outcome.problem}`, LINK_MESSAGES[outcome.problem]);
        }
        setSessionCookie(reply, { ...outcome.session, secure, now });
        return reply.status(201).send(await started(outcome.session));
      },
    );

    app.post(
      '/v1/session',
      {
        schema: {
          summary: 'Sign in with email and password (sets an HttpOnly, SameSite=Lax session cookie)',
          tags: ['members'],
          security: [],
          body: z.strictObject({ email: z.string().trim().max(254), password: z.string().max(256) }),
          response: { 201: SessionOut, ...errorResponses },
        },
      },
      async (request, reply) => {
        const now = options.now();
        const session = await signIn(db, { ...request.body, now });
        if (!session) throw new ApiError(401, 'invalid_credentials', 'Wrong email or password');
        setSessionCookie(reply, { ...session, secure, now });
        return reply.status(201).send(await started(session));
      },
    );
  };

export const sessionRoutes =
  (db: Db, options: { publicUrl: string }): FastifyPluginAsyncZod =>
  async (app) => {
    const secure = options.publicUrl.startsWith('https:');
    app.get(
      '/v1/session',
      {
        schema: {
          summary: 'Who is signed in (member, workspace) and the CSRF token; with an API key, member is null',
          tags: ['members'],
          response: { 200: SessionOut, ...errorResponses },
        },
      },
      async (request) => {
        const principal = request.principal;
        return db.tenant(request.workspaceId, async (sql) => {
          const workspace = await getWorkspace(sql);
          const member = principal.kind === 'member' ? await getMember(sql, principal.memberId) : undefined;
          return {
            member: member ? memberOut(member) : null,
            workspace: { id: request.workspaceId, name: workspace?.name ?? '' },
            via: principal.kind === 'member' ? ('session' as const) : ('api_key' as const),
            csrfToken: principal.kind === 'member' ? principal.csrfToken : null,
          };
        });
      },
    );

    app.delete(
      '/v1/session',
      {
        schema: {
          summary: 'Sign out: ends this session and clears the cookie',
          tags: ['members'],
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const principal = request.principal;
        if (principal.kind !== 'member')
          throw new ApiError(400, 'invalid_request', 'Sign-out ends a dashboard session; API keys are revoked instead');
        await db.tenant(request.workspaceId, (sql) => deleteSession(sql, principal.sessionId));
        clearSessionCookie(reply, secure);
        return reply.status(204).send(null);
      },
    );
  };
