// Public, unauthenticated links inside sent email: the open pixel, click redirects and the
// unsubscribe page. Tokens are HMAC-signed (core/tracking.ts); a click only ever goes to the URL
// sealed in its token, while the token lasts (410 after), and straight away only to the workspace's
// own domains: any other destination gets a page naming it (no open redirect on a shared domain). POST /u/:token is RFC 8058 one-click: no session, cookie or CSRF token,
// any body, always 200 for a valid token, idempotent.
import type { FastifyPluginAsync } from 'fastify';
import { escapeHtml } from '../../channels/email/buildEmail.ts';
import type { Engine } from '../../engine/engine.ts';
import { decideClickFor, readToken, recordTrackingHit, unsubscribe, type Hit } from '../../engine/events/tracking.ts';

// The smallest transparent GIF (43 bytes).
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

type TokenParams = { Params: { token: string } };

export const trackingRoutes =
  (engine: Engine): FastifyPluginAsync =>
  async (app) => {
    const deps = engine.deps;
    const hitOf = (request: { method: string; headers: Record<string, unknown>; ip: string }): Hit => ({
      method: request.method,
      userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : undefined,
      ip: request.ip,
    });
    // Forms and one-click posts: read any body as text, scoped to these routes.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) =>
      done(null, body),
    );

    app.get<TokenParams>('/t/o/:token', { schema: { hide: true } }, async (request, reply) => {
      const payload = readToken(deps, request.params.token, 'open');
      if (payload) {
        await recordTrackingHit(deps, { messageId: payload.messageId, kind: 'open', hit: hitOf(request) }).catch(
          (error: unknown) => request.log.error({ err: error }, 'open not recorded'),
        );
      }
      // Always the image: a broken image helps nobody.
      return reply
        .header('content-type', 'image/gif')
        .header('cache-control', 'no-store, no-cache, must-revalidate, private')
        .send(PIXEL);
    });

    app.get<TokenParams>('/t/c/:token', { schema: { hide: true } }, async (request, reply) => {
      const payload = readToken(deps, request.params.token, 'click');
      if (!payload)
        return reply
          .status(404)
          .send({ error: { code: 'not_found', message: 'This link is not valid (its signature does not match)' } });
      const decision = await decideClickFor(deps, payload);
      reply.header('cache-control', 'no-store');
      if (decision.action === 'expired')
        return reply
          .status(410)
          .header('content-type', 'text/html; charset=utf-8')
          .send(page('Link expired', '<p>This link has expired.</p>'));
      await recordTrackingHit(deps, {
        messageId: payload.messageId,
        kind: 'click',
        url: payload.url,
        hit: hitOf(request),
      }).catch((error: unknown) => request.log.error({ err: error }, 'click not recorded'));
      if (decision.action === 'redirect') return reply.redirect(decision.url, 302);
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('referrer-policy', 'no-referrer')
        .send(leavingPage(decision.url));
    });

    app.get<TokenParams>('/u/:token', { schema: { hide: true } }, async (request, reply) => {
      const payload = readToken(deps, request.params.token, 'unsubscribe');
      reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
      if (!payload) return reply.status(404).send(page('Link not valid', '<p>This unsubscribe link is not valid.</p>'));
      const action = `/u/${escapeHtml(request.params.token)}`;
      return reply.send(
        page(
          'Unsubscribe',
          `<p>Stop receiving these emails?</p>
<form method="post" action="${action}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<p><label><input type="checkbox" name="scope" value="all"> Also stop every other message from us (phone, SMS, WhatsApp, LinkedIn)</label></p>
<p><button type="submit">Unsubscribe</button></p>
</form>`,
        ),
      );
    });

    app.post<TokenParams & { Body: unknown }>('/u/:token', { schema: { hide: true } }, async (request, reply) => {
      const payload = readToken(deps, request.params.token, 'unsubscribe');
      reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
      if (!payload) return reply.status(404).send(page('Link not valid', '<p>This unsubscribe link is not valid.</p>'));
      const form = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
      const everywhere = form.getAll('scope').includes('all');
      const oneClick = form.get('List-Unsubscribe') === 'One-Click' && !form.has('scope');
      await unsubscribe(deps, { messageId: payload.messageId, everywhere, via: oneClick ? 'one_click' : 'page' });
      return reply
        .status(200)
        .send(
          page(
            'Unsubscribed',
            `<p>You are unsubscribed${everywhere ? ' from every message' : ' from these emails'}. You will not hear from us again${everywhere ? '' : ' by email'}.</p>`,
          ),
        );
    });
  };

/** Where an unlisted link goes, in full, and a plain link to go on: the person decides. */
function leavingPage(raw: string): string {
  const { hostname: host, href: url } = new URL(raw);
  return page(
    `This link goes to ${host}`,
    `<p>The link you followed leads to:</p>
<p style="word-break:break-all"><strong>${escapeHtml(url)}</strong></p>
<p>Continue only if you expected to go there.</p>
<p><a href="${escapeHtml(url)}" rel="noopener noreferrer nofollow">Continue to ${escapeHtml(host)}</a></p>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title><meta name="robots" content="noindex"></head>
<body style="font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">
<h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}
