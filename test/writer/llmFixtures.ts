// Drafts and configs shared by the model-writer tests.
import { resolveModelConfig, type ModelConfig, type ModelConfigInput } from '../../src/writer/llm/modelConfig.ts';
import { makeInput, richContact } from './contacts.ts';
import type { WriterInput } from '../../src/writer/types.ts';

export const ANTHROPIC_KEY = 'sk-ant-test';
export const OPENAI_KEY = 'sk-openai-test';

/** Passes every guardrail for richContact(0) with makeInput's sender and workspace. */
export const GOOD_DRAFT = {
  subject: 'Lead research at Northwind Logistics',
  body:
    'Hi Dana,\n\nManual lead research eats SDR time at a lot of logistics software teams, and I suspect Northwind ' +
    'Logistics is no exception.\n\nWe write and send multi-channel outreach from your own accounts, so your reps ' +
    'can spend their time on conversations instead.\n\nWorth a short call next week?\n\nSam Rivera',
  factsUsed: ['firstName', 'company', 'enrichment.painPoints[0]', 'enrichment.revenue'],
};

/** Names a company that is nowhere in the input: fails the invented_fact guardrail. */
export const INVENTED_DRAFT = {
  ...GOOD_DRAFT,
  body: GOOD_DRAFT.body.replace('Logistics is no exception', 'Logistics, like Globex Corporation, is no exception'),
};

export function emailInput(overrides: Partial<WriterInput> = {}): WriterInput {
  return makeInput(richContact(0), overrides);
}

/**
 * Fast retries for tests: 5 ms back-off, one retry unless the test says otherwise. The timeout is
 * long: an answer the fake gives at once must never time out on a busy machine (the first request
 * of a file waited 3.6 s at load 20). Tests of the timeout set their own.
 */
export function testConfig(input: ModelConfigInput): ModelConfig {
  return resolveModelConfig({ retryBaseMs: 5, maxRetries: 1, timeoutMs: 30_000, ...input });
}
