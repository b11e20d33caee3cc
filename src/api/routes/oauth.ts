// Connecting an account through its provider's OAuth (Gmail: /v1/oauth/google/start): the start
// route (authenticated) answers the consent URL, or redirects to it with ?redirect=true; the
// provider sends the person back to the public /oauth/<name>/callback, which stores the account
// and shows the result. Which provider a name belongs to is the registry's business.
import type { FastifyPluginAsync } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { escapeHtml } from '../../channels/email/buildEmail.ts';
import type { Engine } from '../../engine/engine.ts';
import { completeConnection, connectorFor, consentUrl, OAuthError } from '../../engine/accounts/oauth.ts';
import { ApiError } from '../errors.ts';
import { errorResponses } from '../schemas.ts';

export const oauthStartRoutes =
  (engine: Engine): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/oauth/:name/start',
      {
        schema: {
          summary:
            'Start connecting an account through its provider (google: a Gmail account): the consent URL, or a redirect to it',
          tags: ['senders'],
          params: z.object({ name: z.string().max(40) }),
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
          url = consentUrl(engine.deps, {
            name: request.params.name,
            workspaceId: request.workspaceId,
            ...(request.query.loginHint ? { loginHint: request.query.loginHint } : {}),
          });
        } catch (error) {
          if (!(error instanceof OAuthError)) throw error;
          throw new ApiError(error.status, error.status === 404 ? 'not_found' : 'not_configured', error.message);
        }
        if (request.query.redirect === 'true') return reply.redirect(url, 302);
        return { url };
      },
    );
  };

type CallbackRoute = { Params: { name: string }; Querystring: { code?: string; state?: string; error?: string } };

export const oauthCallbackRoutes =
  (engine: Engine): FastifyPluginAsync =>
  async (app) => {
    app.get<CallbackRoute>('/oauth/:name/callback', { schema: { hide: true } }, async (request, reply) => {
      reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
      const { name } = request.params;
      let label = 'Account';
      try {
        label = connectorFor(engine.deps, name).adapter.label ?? label;
        const { code, state, error } = request.query;
        const done = await completeConnection(engine.deps, name, {
          ...(typeof code === 'string' ? { code } : {}),
          ...(typeof state === 'string' ? { state } : {}),
          ...(typeof error === 'string' ? { error } : {}),
        });
        return reply.send(
          page(
            `${done.label} connected`,
            `${escapeHtml(done.emailAddress)} is ${done.reconnected ? 'reconnected' : 'connected'} (account ${escapeHtml(done.senderId)}). You can close this page.`,
          ),
        );
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        return reply.status(error.status).send(page(`${label} not connected`, escapeHtml(error.message)));
      }
    });
  };

function page(title: string, text: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:sans-serif;max-width:32rem;margin:3rem auto"><h1>${escapeHtml(title)}</h1><p>${text}</p></body></html>
`;
}
