import { describe, expect, it } from 'vitest';
import { costUsd, priceFor } from '../../src/writer/llm/pricing.ts';
import { createLimiter } from '../../src/writer/llm/limiter.ts';
import { resolveModelConfig } from '../../src/writer/llm/modelConfig.ts';
import { retryAfterMs } from '../../src/writer/llm/modelErrors.ts';

describe('pricing', () => {
  it.each([
    ['claude-haiku-4-5', 1, 5],
    ['claude-haiku-4-5-20251001', 1, 5],
    ['claude-3-5-haiku-latest', 0.8, 4],
    ['gpt-4o-mini', 0.15, 0.6],
    ['gpt-4o-mini-2024-07-18', 0.15, 0.6],
    ['gpt-4o-2024-08-06', 2.5, 10],
    ['gpt-4.1-mini-2025-04-14', 0.4, 1.6],
  ])('prices %s at $%s / $%s per million tokens', (model, input, output) => {
    expect(priceFor(model)).toEqual({ inputPerMTok: input, outputPerMTok: output });
  });

  it('returns null cost for an unknown model, and uses an override when given', () => {
    expect(priceFor('llama3.1:8b')).toBeUndefined();
    expect(costUsd('llama3.1:8b', { inputTokens: 1000, outputTokens: 1000 })).toBeNull();
    expect(
      costUsd('llama3.1:8b', { inputTokens: 1_000_000, outputTokens: 0 }, { inputPerMTok: 0.2, outputPerMTok: 0.2 }),
    ).toBe(0.2);
    expect(costUsd('gpt-4o-mini', { inputTokens: 2000, outputTokens: 500 })).toBe(0.0006);
  });
});

describe('createLimiter', () => {
  it('never runs more than the limit and starts waiting tasks in order', async () => {
    const limiter = createLimiter(3);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const task = (id: number) => async () => {
      started.push(id);
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return id;
    };
    const results = await Promise.all(Array.from({ length: 10 }, (_, id) => limiter.run(task(id))));
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
    expect(limiter.active).toBe(0);
  });

  it('releases the slot when a task throws', async () => {
    const limiter = createLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'next')).toBe('next');
  });
});

describe('resolveModelConfig', () => {
  it('fills the default model and tuning per provider', () => {
    expect(resolveModelConfig({ provider: 'anthropic', apiKey: 'k' })).toMatchObject({
      model: 'claude-haiku-4-5',
      timeoutMs: 20_000,
      maxRetries: 2,
      concurrency: 4,
    });
    expect(resolveModelConfig({ provider: 'openai', apiKey: 'k' }).model).toBe('gpt-4o-mini');
  });

  it('refuses configs that cannot work', () => {
    expect(() => resolveModelConfig({ provider: 'openai_compatible', baseUrl: 'http://localhost:11434/v1' })).toThrow(
      /model/,
    );
    expect(() => resolveModelConfig({ provider: 'openai_compatible', model: 'llama3' })).toThrow(/baseUrl/);
    expect(() => resolveModelConfig({ provider: 'anthropic' })).toThrow(/apiKey/);
  });
});

describe('retryAfterMs', () => {
  it('reads retry-after-ms, seconds and HTTP dates', () => {
    const now = Date.parse('2026-03-02T09:00:00Z');
    expect(retryAfterMs({ 'retry-after-ms': '250' }, now)).toBe(250);
    expect(retryAfterMs({ 'retry-after': '3' }, now)).toBe(3000);
    expect(retryAfterMs({ 'retry-after': 'Mon, 02 Mar 2026 09:00:10 GMT' }, now)).toBe(10_000);
    expect(retryAfterMs({}, now)).toBeUndefined();
  });
});
