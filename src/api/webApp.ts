// Serves the dashboard (web/dist) at /: hashed assets cached for a year, everything else
// revalidated (ETag); any other GET that is not an API or public path answers index.html so the
// dashboard's own routes (/contacts/…, /setup?token=…) load. Never shadows /v1, /webhooks, /t, /u,
// /oauth, /healthz or /openapi.json: those keep their JSON 404.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BUILD_INFO, DIST_DIR } from './webBuild.ts';

const RESERVED = new Set(['v1', 'webhooks', 't', 'u', 'oauth', 'healthz', 'openapi.json']);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

// Everything the dashboard loads comes from this server: no other host, no inline script.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

type Asset = { body: Buffer; gzip: Buffer | null; type: string; etag: string; immutable: boolean };

export function isReservedPath(url: string): boolean {
  const first = url.split('?')[0]?.split('/')[1] ?? '';
  return RESERVED.has(first);
}

async function loadAssets(dir: string, base = ''): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  let entries;
  try {
    entries = await readdir(path.join(dir, base), { withFileTypes: true });
  } catch {
    return assets;
  }
  for (const entry of entries) {
    const relative = path.posix.join(base, entry.name);
    if (entry.isDirectory()) {
      for (const [key, value] of await loadAssets(dir, relative)) assets.set(key, value);
      continue;
    }
    if (relative === BUILD_INFO) continue;
    const body = await readFile(path.join(dir, relative));
    const type = TYPES[path.extname(entry.name)] ?? 'application/octet-stream';
    const compressible = /text|json|svg/.test(type) && body.length > 1024;
    assets.set(`/${relative}`, {
      body,
      gzip: compressible ? gzipSync(body) : null,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      immutable: relative.startsWith('assets/'),
    });
  }
  return assets;
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset) {
  void reply
    .header('content-type', asset.type)
    .header('etag', asset.etag)
    .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .header('vary', 'accept-encoding');
  if (asset.type.startsWith('text/html'))
    void reply.header('content-security-policy', CSP).header('referrer-policy', 'no-referrer');
  if (request.headers['if-none-match'] === asset.etag) return reply.status(304).send();
  const gzip = asset.gzip && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  if (gzip) void reply.header('content-encoding', 'gzip');
  return reply.send(gzip ? asset.gzip : asset.body);
}

export async function registerWebApp(app: FastifyInstance, distDir = DIST_DIR): Promise<void> {
  const assets = await loadAssets(distDir);
  const index = assets.get('/index.html');
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const pathname = safeDecode(request.url.split('?')[0] ?? '/');
    const notFound = () =>
      reply.status(404).send({ error: { code: 'not_found', message: `No route for ${request.method} ${pathname}` } });
    if (isReservedPath(pathname)) return notFound();
    const asset = assets.get(pathname);
    if (asset) return send(request, reply, asset);
    // Only a page load (a browser asking for HTML) gets the dashboard; a missing asset or an API
    // client's typo gets the JSON 404 (a stale tab must not parse HTML as script).
    const wantsHtml = /text\/html/.test(String(request.headers.accept ?? ''));
    if (!wantsHtml || pathname.startsWith('/assets/') || path.extname(pathname) !== '') return notFound();
    if (!index)
      return reply
        .status(503)
        .header('content-type', 'text/plain; charset=utf-8')
        .send('The dashboard is not built. Run `npm run build:web` (npm install does it), then reload.\n');
    return send(request, reply, index);
  });
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
