import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createModelWriter } from '../../src/writer/llm/modelWriter.ts';
import { startAnthropicFake } from '../fakes/anthropic.ts';
import { startOpenAIFake } from '../fakes/openai.ts';
import type { ModelFake } from '../fakes/modelFakeServer.ts';
import { ANTHROPIC_KEY, GOOD_DRAFT, OPENAI_KEY, emailInput, testConfig } from './llmFixtures.ts';

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

describe('model writer per provider', () => {
  it('writes through Anthropic Messages with structured output, and records tokens and cost', async () => {
    anthropic.enqueue({ kind: 'json', value: GOOD_DRAFT, usage: { input: 1000, output: 200 } });
    const result = await createModelWriter(anthropicConfig()).generate(emailInput());
    expect(result).toMatchObject({
      ok: true,
      subject: GOOD_DRAFT.subject,
      body: GOOD_DRAFT.body,
      model: 'claude-haiku-4-5',
    });
    if (!result.ok) throw new Error('expected ok');
    // Haiku 4.5: $1 / $5 per million tokens.
    expect(result.usage).toEqual({ inputTokens: 1000, outputTokens: 200, costUsd: 0.002 });
    // Only keys that were offered survive; "enrichment.revenue" was not.
    expect(result.factsUsed).toEqual(['firstName', 'company', 'enrichment.painPoints[0]']);

    const [request] = anthropic.requests;
    expect(request?.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(request?.headers['anthropic-version']).toBe('2023-06-01');
    expect(request?.body).toMatchObject({
      model: 'claude-haiku-4-5',
      output_config: { format: { type: 'json_schema' } },
    });
    expect(request?.prompt).toContain('enrichment.painPoints[0]: Manual lead research eats SDR time');
    expect(request?.prompt).toContain('enrichment.recentNews: Northwind Logistics raised a $40M Series B in January');
    expect(request?.prompt).toContain('offer: We write and send multi-channel outreach');
    expect(request?.prompt).toContain('name: Sam Rivera');
    expect(request?.prompt).toContain('hard limit 5000 characters');
    expect(request?.prompt).toMatch(/Never invent a name, company/);
  });

  it('uses the forced "json" tool on Anthropic models without native structured output', async () => {
    anthropic.enqueue({ kind: 'json', value: GOOD_DRAFT });
    const config = { ...anthropicConfig(), model: 'claude-3-5-haiku-latest' };
    const result = await createModelWriter(config).generate(emailInput());
    expect(result).toMatchObject({ ok: true, body: GOOD_DRAFT.body });
    expect(anthropic.requests[0]?.body).toMatchObject({ tools: [{ name: 'json' }] });
  });

  it('writes through OpenAI Chat Completions with a strict json_schema', async () => {
    openai.enqueue({ kind: 'json', value: GOOD_DRAFT, usage: { input: 1000, output: 200 } });
    const result = await createModelWriter(openaiConfig()).generate(emailInput());
    expect(result).toMatchObject({ ok: true, model: 'gpt-4o-mini', usage: { costUsd: 0.00027 } });
    const [request] = openai.requests;
    expect(request?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(request?.body).toMatchObject({
      model: 'gpt-4o-mini',
      response_format: { type: 'json_schema', json_schema: { strict: true } },
    });
  });

  it('writes through an OpenAI-compatible server by base URL; an unpriced model costs null', async () => {
    openai.enqueue({ kind: 'json', value: { ...GOOD_DRAFT, subject: '' }, usage: { input: 800, output: 90 } });
    const config = testConfig({
      provider: 'openai_compatible',
      apiKey: OPENAI_KEY,
      baseUrl: openai.url,
      model: 'llama3.1:8b',
    });
    const result = await createModelWriter(config).generate(
      emailInput({ channel: 'whatsapp', purpose: 'casual_checkin' }),
    );
    expect(result).toMatchObject({
      ok: true,
      model: 'llama3.1:8b',
      usage: { inputTokens: 800, outputTokens: 90, costUsd: null },
    });
    expect(result.ok && result.subject).toBe(undefined);
    expect(openai.requests[0]?.path).toBe('/v1/chat/completions');
    expect(openai.requests[0]?.prompt).toContain('WhatsApp message: 25-70 words');
  });

  it('tells the model what was already sent, and the variant', async () => {
    openai.enqueue({ kind: 'json', value: GOOD_DRAFT });
    const previous = [
      { channel: 'email' as const, purpose: 'intro', subject: 'Series B at Northwind', body: 'Congrats on the raise.' },
    ];
    await createModelWriter(openaiConfig()).generate(emailInput({ purpose: 'followup_1', previous, variant: 2 }));
    const prompt = openai.requests[0]?.prompt ?? '';
    expect(prompt).toContain('Already sent to this contact, oldest first (do not repeat their angle or facts)');
    expect(prompt).toContain('email / intro subject "Series B at Northwind"');
    expect(prompt).toContain('Congrats on the raise.');
    expect(prompt).toContain('Variant 2 of an A/B test');
  });
});

describe('model writer failures', () => {
  it('reports a wrong key as auth and does not retry', async () => {
    const config = { ...openaiConfig(), apiKey: 'wrong' };
    const result = await createModelWriter(config).generate(emailInput());
    expect(result).toMatchObject({ ok: false, error: { kind: 'auth' } });
    const anthropicResult = await createModelWriter({ ...anthropicConfig(), apiKey: 'wrong' }).generate(emailInput());
    expect(anthropicResult).toMatchObject({ ok: false, error: { kind: 'auth' } });
  });

  it('retries a 429 after the Retry-After delay', async () => {
    const delays: number[] = [];
    const sleep = async (ms: number) => void delays.push(ms);
    anthropic.enqueue({ kind: 'status', status: 429, retryAfter: '2' }, { kind: 'json', value: GOOD_DRAFT });
    const result = await createModelWriter(anthropicConfig(), { sleep }).generate(emailInput());
    expect(result.ok).toBe(true);
    expect(delays).toEqual([2000]);
    expect(anthropic.requests).toHaveLength(2);
  });

  it('backs off exponentially on 5xx and gives up after maxRetries', async () => {
    const delays: number[] = [];
    const sleep = async (ms: number) => void delays.push(ms);
    openai.setDefault({ kind: 'status', status: 500 });
    const config = { ...openaiConfig(), maxRetries: 3, retryBaseMs: 100 };
    const result = await createModelWriter(config, { sleep }).generate(emailInput());
    expect(result).toMatchObject({ ok: false, error: { kind: 'provider_error' } });
    expect(delays).toEqual([100, 200, 400]);
    expect(openai.requests).toHaveLength(4);
  });

  it('times out a slow answer and retries it', async () => {
    // The first attempt never answers; the timeout leaves each attempt time to arrive on a busy machine.
    anthropic.enqueue({ kind: 'hang' }, { kind: 'json', value: GOOD_DRAFT });
    const config = { ...anthropicConfig(), timeoutMs: 1500 };
    const result = await createModelWriter(config).generate(emailInput());
    expect(result.ok).toBe(true);
    expect(anthropic.requests).toHaveLength(2);
  });

  it('stops at once when the caller aborts', async () => {
    // The abort comes once the request is at the provider, however slow the machine is.
    anthropic.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    const pending = createModelWriter(anthropicConfig()).generate(emailInput(), { signal: controller.signal });
    await anthropic.received(1);
    controller.abort();
    const result = await pending;
    expect(result).toMatchObject({ ok: false, error: { kind: 'timeout', message: 'the request was cancelled' } });
    expect(anthropic.requests).toHaveLength(1);
  });

  it('reports malformed JSON and schema mismatches as malformed, with the tokens spent', async () => {
    openai.enqueue({ kind: 'text', text: 'Subject: hi\n\nHere is your email', usage: { input: 500, output: 20 } });
    const writer = createModelWriter(openaiConfig());
    expect(await writer.generate(emailInput())).toMatchObject({
      ok: false,
      error: { kind: 'malformed' },
      usage: { inputTokens: 500, outputTokens: 20 },
    });
    openai.enqueue({ kind: 'json', value: { subject: 'x', factsUsed: [] } });
    expect(await writer.generate(emailInput())).toMatchObject({ ok: false, error: { kind: 'malformed' } });
    expect(openai.requests).toHaveLength(2); // malformed output is not retried
  });

  it('reports refusals from both providers', async () => {
    anthropic.enqueue({ kind: 'refusal' }, { kind: 'refusal', text: 'I cannot help with this request.' });
    const claude = createModelWriter(anthropicConfig());
    expect(await claude.generate(emailInput())).toMatchObject({ ok: false, error: { kind: 'refused' } });
    expect(await claude.generate(emailInput())).toMatchObject({ ok: false, error: { kind: 'refused' } });

    openai.enqueue(
      { kind: 'refusal', text: "I'm sorry, I can't assist with that." },
      { kind: 'text', text: "I'm sorry, but I won't write that." },
    );
    const gpt = createModelWriter(openaiConfig());
    expect(await gpt.generate(emailInput())).toMatchObject({
      ok: false,
      error: { kind: 'refused', message: "I'm sorry, I can't assist with that." },
    });
    expect(await gpt.generate(emailInput())).toMatchObject({ ok: false, error: { kind: 'refused' } });
  });

  it('keeps no more than `concurrency` requests in flight', async () => {
    // Each answer takes long enough that a second request is always waiting, however busy the machine.
    openai.setDefault({ kind: 'delay', ms: 400, then: { kind: 'json', value: GOOD_DRAFT } });
    const writer = createModelWriter({ ...openaiConfig(), concurrency: 2 });
    const results = await Promise.all(Array.from({ length: 7 }, () => writer.generate(emailInput())));
    expect(results.every((result) => result.ok)).toBe(true);
    expect(openai.requests).toHaveLength(7);
    expect(openai.maxInFlight).toBe(2);
  });
});
