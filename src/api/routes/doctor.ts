// GET /v1/doctor: the setup checks of `quotahit doctor` for the key's workspace — its sending
// accounts and their domains' DNS, the tracking domain, PUBLIC_URL and the encryption key.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { runDoctor, type DoctorDeps } from '../../engine/commands/doctor.ts';
import type { Engine } from '../../engine/engine.ts';
import { errorResponses } from '../schemas.ts';

const Verdict = z.enum(['ok', 'warning', 'failed']);
export const DoctorReport = z.object({
  verdict: Verdict,
  summary: z.object({ ok: z.number(), warning: z.number(), failed: z.number() }),
  checks: z.array(
    z.object({
      area: z.enum(['setup', 'workspace', 'account', 'domain', 'tracking']),
      subject: z.string(),
      name: z.string(),
      verdict: Verdict,
      detail: z.string(),
      fix: z.string().optional(),
    }),
  ),
});

export type DoctorSettings = Pick<DoctorDeps, 'keySource' | 'dataDir' | 'dkimSelectors' | 'resolver'>;

export const doctorRoutes =
  (db: Db, engine: Engine, settings: DoctorSettings): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/doctor',
      {
        schema: {
          summary:
            'Setup checks: sending accounts, DNS of sending domains, tracking domain, PUBLIC_URL, encryption key',
          description:
            'Each check has a `verdict` (ok, warning, failed), a `detail` and, unless it is ok, a `fix`: the record to add or the setting to change. The overall `verdict` is the worst one. DNS goes through QUOTAHIT_DNS_SERVERS when set. Takes a few seconds: each account is contacted and each domain looked up.',
          tags: ['system'],
          response: { 200: DoctorReport, ...errorResponses },
        },
      },
      async (request) =>
        runDoctor(
          {
            db,
            adapters: engine.deps.adapters,
            encryptionKey: engine.deps.encryptionKey,
            previousEncryptionKeys: engine.deps.previousEncryptionKeys,
            publicUrl: engine.deps.links.publicUrl,
            trackingBaseUrl: engine.deps.links.trackingBaseUrl,
            ...settings,
          },
          { workspaceIds: [request.workspaceId] },
        ),
    );
  };
