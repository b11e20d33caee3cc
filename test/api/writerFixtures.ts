// The writer tests' lead, offer and model: a workspace on the API whose engine uses the offline
// composer and heuristics, or a model behind a local fake of its provider.
import { resolveModelConfig, type ModelConfig } from '../../src/writer/llm/modelConfig.ts';
import { world } from '../support/world.ts';

export { MONDAY_9AM } from '../support/world.ts';
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

/** A world whose workspace is "Writer Co" selling OFFER; contacts() answers ids in the order given. */
export async function writerWorld(options: { model?: ModelConfig } = {}) {
  const w = await world({ ...(options.model ? { model: options.model } : {}), workspaceName: 'Writer Co' });
  await w.ok('PATCH', '/v1/workspace', { offer: OFFER });
  return { ...w, contacts: w.contactsByEmail };
}

/** Another workspace in a writer world (the same database): "Other Co", selling OFFER. */
export async function writerWorkspace(w: Awaited<ReturnType<typeof writerWorld>>) {
  const other = await w.workspace('Other Co');
  await other.ok('PATCH', '/v1/workspace', { offer: OFFER });
  return { ...other, contacts: other.contactsByEmail };
}
