// Connecting a Google account (Gmail API): /v1/oauth/google/start (authenticated) answers the
// consent URL, or redirects to it with ?redirect=true; Google sends the person back to the public
// /oauth/google/callback, which stores the account and shows the result.
import type { FastifyPluginAsync } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { escapeHtml } from '../../channels/email/buildEmail.ts';
import type { Engine } from '../../engine/engine.ts';
import { CALLBACK_PATH, completeGoogleConnection, googleConsentUrl, OAuthError } from '../../engine/accounts/oauth.ts';
import { ApiError } from '../errors.ts';
import { errorResponses } from '../schemas.ts';

export const oauthStartRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/oauth/google/start',
      {
        schema: {
          summary: 'Start connecting a Gmail account: the Google consent URL (or a redirect to it)',
          tags: ['senders'],
          querystring: z.object({
            redirect: z.enum(['true', 'false']).optional(),
            loginHint: z.string().max(320).optional(),
          }),
          response: { 200: z.object({ url: z.string() }), 302: z.null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        let url: string;
        try {
          url = googleConsentUrl(engine.deps, {
            workspaceId: request.workspaceId,
            ...(request.query.loginHint ? { loginHint: request.query.loginHint } : {}),
          });
        } catch (error) {
          if (error instanceof OAuthError) throw new ApiError(error.status, 'not_configured', error.message);
          throw error;
        }
        if (request.query.redirect === 'true') return reply.redirect(url, 302);
        return { url };
      },
    );
  };

type CallbackQuery = { Querystring: { code?: string; state?: string; error?: string } };

export const oauthCallbackRoutes =
  (engine: Engine): FastifyPluginAsync =>
  async (app) => {
    app.get<CallbackQuery>(CALLBACK_PATH, { schema: { hide: true } }, async (request, reply) => {
      reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
      try {
        const { code, state, error } = request.query;
        const done = await completeGoogleConnection(engine.deps, {
          ...(typeof code === 'string' ? { code } : {}),
          ...(typeof state === 'string' ? { state } : {}),
          ...(typeof error === 'string' ? { error } : {}),
        });
        return reply.send(
          page(
            'Gmail connected',
            `${escapeHtml(done.emailAddress)} is ${done.reconnected ? 'reconnected' : 'connected'} (account ${escapeHtml(done.senderId)}). You can close this page.`,
          ),
        );
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        return reply.status(error.status).send(page('Gmail not connected', escapeHtml(error.message)));
      }
    });
  };

function page(title: string, text: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:sans-serif;max-width:32rem;margin:3rem auto"><h1>${escapeHtml(title)}</h1><p>${text}</p></body></html>
`;
}
