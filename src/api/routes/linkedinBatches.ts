// Public, unauthenticated: the spreadsheet of a batched LinkedIn launch, fetched by the Phantombuster
// phantom from the URL its launch named (engine/accounts/batchedSends.ts). The token is signed
// and expires (core/batchSheet.ts): a token that is not ours answers 404, an expired one 410,
// both with the error shape; a valid one lists its own messages, read inside its own workspace.
import type { FastifyPluginAsync } from 'fastify';
import { batchCsv, verifyBatchToken } from '../../core/batchSheet.ts';
import { batchRows } from '../../db/batchedSends.ts';
import type { Engine } from '../../engine/engine.ts';

export const linkedinBatchRoutes =
  (engine: Engine): FastifyPluginAsync =>
  async (app) => {
    const deps = engine.deps;
    app.get<{ Params: { file: string } }>(
      '/linkedin/batches/:file',
      { schema: { hide: true } },
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        const token = request.params.file.replace(/\.csv$/, '');
        const verdict = verifyBatchToken(deps.links.batchSecret, token, deps.clock.now());
        if (!verdict.ok && verdict.reason === 'expired')
          return reply.status(410).send({ error: { code: 'expired', message: 'This spreadsheet link has expired' } });
        const rows = verdict.ok
          ? await deps.db.tenant(verdict.token.workspaceId, (sql) => batchRows(sql, verdict.token.messageIds))
          : [];
        if (rows.length === 0)
          return reply.status(404).send({ error: { code: 'not_found', message: 'No such spreadsheet' } });
        return reply.header('content-type', 'text/csv; charset=utf-8').send(batchCsv(rows));
      },
    );
  };
