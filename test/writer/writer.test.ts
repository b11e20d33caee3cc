import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheKey, createWriter, type WriteCache, type WriteOutcome } from '../../src/writer/writer.ts';
import { startAnthropicFake } from '../fakes/anthropic.ts';
import { startOpenAIFake } from '../fakes/openai.ts';
import type { ModelFake } from '../fakes/modelFakeServer.ts';
import { ANTHROPIC_KEY, GOOD_DRAFT, INVENTED_DRAFT, OPENAI_KEY, emailInput, testConfig } from './llmFixtures.ts';
import { richContact } from './contacts.ts';

let anthropic: ModelFake;
let openai: ModelFake;

beforeEach(async () => {
  anthropic = await startAnthropicFake({ apiKey: ANTHROPIC_KEY });
  openai = await startOpenAIFake({ apiKey: OPENAI_KEY });
});
afterEach(async () => {
  await Promise.all([anthropic.close(), openai.close()]);
});

const anthropicConfig = () => testConfig({ provider: 'anthropic', apiKey: ANTHROPIC_KEY, baseUrl: anthropic.url });
const openaiConfig = () => testConfig({ provider: 'openai', apiKey: OPENAI_KEY, baseUrl: openai.url });

function memoryCache(): WriteCache & { entries: Map<string, WriteOutcome> } {
  const entries = new Map<string, WriteOutcome>();
  return {
    entries,
    get: async (key) => entries.get(key),
    set: async (key, outcome) => void entries.set(key, outcome),
  };
}

describe('createWriter', () => {
  it('uses the offline composer when no model is configured', async () => {
    const outcome = await createWriter().write(emailInput());
    expect(outcome).toMatchObject({ ok: true, generator: 'composer', checks: { passed: true } });
    expect(outcome.ok && outcome.fallback).toBe(undefined);
  });

  it('returns the model message with its checks, model and usage', async () => {
    anthropic.enqueue({ kind: 'json', value: GOOD_DRAFT, usage: { input: 1200, output: 150 } });
    const outcome = await createWriter({ model: anthropicConfig() }).write(emailInput());
    expect(outcome).toMatchObject({
      ok: true,
      generator: 'model',
      model: 'claude-haiku-4-5',
      subject: GOOD_DRAFT.subject,
      body: GOOD_DRAFT.body,
      factsUsed: ['firstName', 'company', 'enrichment.painPoints[0]'],
      checks: { passed: true, failures: [] },
      usage: { inputTokens: 1200, outputTokens: 150, costUsd: 0.00195 },
    });
  });

  it('falls back to the composer on malformed output and reports the cause and the tokens spent', async () => {
    openai.enqueue({ kind: 'text', text: '{"subject": "Hi", "body": ', usage: { input: 900, output: 12 } });
    const outcome = await createWriter({ model: openaiConfig() }).write(emailInput());
    expect(outcome).toMatchObject({ ok: true, generator: 'composer', usage: { inputTokens: 900, outputTokens: 12 } });
    expect(outcome.ok && outcome.fallback?.cause).toMatch(/^malformed: /);
  });

  it('retries a timeout, then falls back with cause "timeout"', async () => {
    // The provider never answers; the timeout is long enough that each attempt reaches it on a busy machine.
    anthropic.setDefault({ kind: 'hang' });
    const outcome = await createWriter({ model: { ...anthropicConfig(), timeoutMs: 1500 } }).write(emailInput());
    expect(outcome).toMatchObject({
      ok: true,
      generator: 'composer',
      fallback: { cause: 'timeout: the model did not answer in time' },
    });
    expect(anthropic.requests).toHaveLength(2); // one attempt + maxRetries (1)
  });

  it('retries a 429 and uses the model answer', async () => {
    openai.enqueue({ kind: 'status', status: 429, retryAfter: '0' }, { kind: 'json', value: GOOD_DRAFT });
    const outcome = await createWriter({ model: openaiConfig() }).write(emailInput());
    expect(outcome).toMatchObject({ ok: true, generator: 'model' });
    expect(openai.requests).toHaveLength(2);
  });

  it('falls back when the model refuses', async () => {
    anthropic.enqueue({ kind: 'refusal' });
    const outcome = await createWriter({ model: anthropicConfig() }).write(emailInput());
    expect(outcome).toMatchObject({ ok: true, generator: 'composer' });
    expect(outcome.ok && outcome.fallback?.cause).toMatch(/^refused: /);
  });

  it('regenerates a message that fails the guardrails once, telling the model what failed', async () => {
    openai.enqueue(
      { kind: 'json', value: INVENTED_DRAFT, usage: { input: 1000, output: 200 } },
      { kind: 'json', value: GOOD_DRAFT, usage: { input: 1300, output: 200 } },
    );
    const outcome = await createWriter({ model: openaiConfig() }).write(emailInput());
    expect(outcome).toMatchObject({ ok: true, generator: 'model', body: GOOD_DRAFT.body });
    expect(outcome.ok && outcome.usage).toEqual({ inputTokens: 2300, outputTokens: 400, costUsd: 0.000585 });
    const second = openai.requests[1]?.prompt ?? '';
    expect(second).toContain('Your previous draft failed these checks');
    expect(second).toContain('invented_fact: "Globex" (name) does not appear');
    expect(second).toContain('like Globex Corporation');
  });

  it('blocks a message that still fails after the regeneration', async () => {
    anthropic.enqueue({ kind: 'json', value: INVENTED_DRAFT }, { kind: 'json', value: INVENTED_DRAFT });
    const outcome = await createWriter({ model: anthropicConfig() }).write(emailInput());
    expect(outcome).toMatchObject({ ok: false, blocked: true, generator: 'model', checks: { passed: false } });
    expect(!outcome.ok && outcome.reason).toMatch(/^Guardrails failed: "Globex" \(name\).*\(after one regeneration\)$/);
    expect(anthropic.requests).toHaveLength(2);
  });

  it('serves a repeated write from the cache and does not cache fallbacks', async () => {
    const cache = memoryCache();
    const writer = createWriter({ model: openaiConfig(), cache });
    openai.enqueue({ kind: 'json', value: GOOD_DRAFT });
    const first = await writer.write(emailInput());
    const again = await writer.write(emailInput());
    expect(again).toEqual({ ...first, cached: true });
    expect(openai.requests).toHaveLength(1);

    openai.setDefault({ kind: 'status', status: 400, message: 'bad request' });
    const fallback = await writer.write(emailInput({ variant: 1 }));
    expect(fallback).toMatchObject({
      ok: true,
      generator: 'composer',
      fallback: { cause: expect.stringMatching(/^provider_error: HTTP 400/) },
    });
    expect(cache.entries.size).toBe(1);
  });
});

describe('cacheKey', () => {
  const config = testConfig({ provider: 'openai', apiKey: OPENAI_KEY });

  it('is a sha256 hex digest, stable whatever the key order of the input', () => {
    const input = emailInput();
    const reordered = { ...input, contact: { ...input.contact, enrichment: { ...input.contact.enrichment } } };
    const { industry, ...rest } = reordered.contact.enrichment;
    reordered.contact.enrichment = { industry, ...rest };
    expect(cacheKey(input, config)).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey(reordered, config)).toBe(cacheKey(input, config));
  });

  it('changes with variant, purpose, channel, model, facts and previous messages', () => {
    const base = cacheKey(emailInput(), config);
    const variants = [
      cacheKey(emailInput({ variant: 1 }), config),
      cacheKey(emailInput({ purpose: 'followup_1' }), config),
      cacheKey(emailInput({ channel: 'sms' }), config),
      cacheKey(emailInput(), { ...config, model: 'gpt-4.1-mini' }),
      cacheKey(emailInput(), undefined),
      cacheKey(emailInput({ contact: { ...richContact(0), enrichment: { industry: 'Retail' } } }), config),
      cacheKey(emailInput({ previous: [{ channel: 'email', purpose: 'intro', body: 'Hello' }] }), config),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });
});
