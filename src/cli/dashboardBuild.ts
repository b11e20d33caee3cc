// The API server with a dashboard build that matches this checkout: when web/dist is missing or
// stale the dashboard is rebuilt (or start is refused) and the server built again to serve it.
import type { FastifyInstance } from 'fastify';
import { ensureWebBuild } from '../api/webBuilder.ts';

export async function serverWithDashboard(
  build: () => Promise<FastifyInstance>,
  say: (line: string) => void,
): Promise<FastifyInstance> {
  const app = await build();
  try {
    await app.ready();
    if ((await ensureWebBuild({ openapi: app.swagger(), say })) === 'fresh') return app;
  } catch (error) {
    await app.close();
    throw error;
  }
  await app.close();
  return build();
}
