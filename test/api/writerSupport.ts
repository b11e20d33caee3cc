// A workspace on the API whose engine uses the writer and classifier of `createWriting`: the
// offline composer and heuristics, or a model behind a local fake of its provider.
import { expect } from 'vitest';
import { defaultAdapters } from '../../src/channels/registry.ts';
import { manualClock } from '../../src/engine/clock.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { silentLogger } from '../../src/engine/ports.ts';
import { createWriting } from '../../src/engine/stepWriter.ts';
import { resolveModelConfig, type ModelConfig } from '../../src/writer/llm/modelConfig.ts';
import { bearer, newWorkspace, TEST_ENCRYPTION_KEY, testApi, testDb } from '../support/harness.ts';

export const MONDAY_9AM = new Date('2026-03-02T09:00:00Z');
export const ANTHROPIC_KEY = 'sk-ant-writer-api-test';

export const DANA = {
  email: 'dana@northwind.example.com',
  firstName: 'Dana',
  lastName: 'Kim',
  title: 'VP Sales',
  company: 'Northwind Logistics',
  timezone: 'UTC',
  tags: ['q2'],
  enrichment: { painPoints: ['Manual lead research eats SDR time'], industry: 'logistics software' },
};

export const OFFER = 'We write and send multi-channel outreach from your own accounts.';

/** Passes every guardrail for DANA in a workspace whose offer is OFFER. */
export const DANA_DRAFT = {
  subject: 'Lead research at Northwind Logistics',
  body:
    'Hi Dana,\n\nManual lead research eats SDR time at a lot of logistics software teams, and I suspect Northwind ' +
    'Logistics is no exception.\n\nWe write and send multi-channel outreach from your own accounts, so your reps can ' +
    'spend their time on conversations instead.\n\nWorth a short call next week?',
  factsUsed: ['firstName', 'company', 'enrichment.painPoints[0]'],
};

export function fakeModel(baseUrl: string): ModelConfig {
  return resolveModelConfig({
    provider: 'anthropic',
    apiKey: ANTHROPIC_KEY,
    baseUrl,
    retryBaseMs: 5,
    maxRetries: 0,
    timeoutMs: 3000,
  });
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export async function writerWorld(options: { model?: ModelConfig } = {}) {
  const clock = manualClock(MONDAY_9AM);
  const adapters = defaultAdapters();
  const writing = createWriting(options.model ? { model: options.model } : {});
  const unscoped = createEngine({
    db: testDb(),
    clock,
    adapters,
    writer: writing.writer,
    classify: writing.classify,
    encryptionKey: Buffer.from(TEST_ENCRYPTION_KEY, 'base64'),
    log: silentLogger,
  });
  const app = await testApi({}, { engine: unscoped, adapters });
  const { workspaceId, apiKey } = await newWorkspace('Writer Co');
  // tick() only runs this workspace: other test files share the database (see test/engine/support.ts).
  const engine: typeof unscoped = { ...unscoped, tick: (input = {}) => unscoped.tick({ ...input, workspaceId }) };
  const headers = bearer(apiKey);
  const call = async (method: Method, url: string, payload?: unknown, extra: Record<string, string> = {}) => {
    const res = await app.inject({
      method,
      url,
      headers: { ...headers, ...extra },
      ...(payload === undefined ? {} : typeof payload === 'string' ? { payload } : { payload: payload as object }),
    });
    return { status: res.statusCode, body: res.body ? (res.json() as Record<string, unknown>) : {} };
  };
  const ok = async (method: Method, url: string, payload?: unknown) => {
    const res = await call(method, url, payload);
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    return res.body;
  };
  await ok('PATCH', '/v1/workspace', { offer: OFFER });
  return {
    app,
    engine,
    clock,
    workspaceId,
    apiKey,
    call,
    ok,
    /** Imports contacts and returns their ids in the order given (matched by email). */
    async contacts(list: Record<string, unknown>[]): Promise<string[]> {
      await ok('POST', '/v1/contacts', { contacts: list });
      const { rows } = await testDb().pool.query<{ id: string; email: string }>(
        'SELECT id, email FROM contacts WHERE workspace_id = $1',
        [workspaceId],
      );
      return list.map((c) => rows.find((r) => r.email === c.email)?.id ?? '');
    },
  };
}
