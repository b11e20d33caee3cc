// One structured-output call to a model through the AI SDK (`generateText` + `Output.object`),
// with what production needs around it: a per-attempt timeout, retries with exponential back-off
// on timeouts, 429s (honouring Retry-After), 5xx and network errors, a concurrency limit, refusal
// detection, and tokens and cost per call. Stateless apart from the limiter; never reads env.
import { generateText, NoObjectGeneratedError, Output, type LanguageModel } from 'ai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import type { z } from 'zod';
import { createLimiter, type Limiter } from './limiter.ts';
import { costUsd } from './pricing.ts';
import { classifyModelError, type ClassifiedError, type ModelError } from './modelErrors.ts';
import type { ModelConfig } from './modelConfig.ts';

export type ModelUsage = { inputTokens: number; outputTokens: number; costUsd: number | null };

export type StructuredResult<T> =
  { ok: true; value: T; usage: ModelUsage; model: string } | { ok: false; error: ModelError; usage?: ModelUsage };

export type StructuredRequest<T> = {
  schema: z.ZodType<T>;
  system: string;
  prompt: string;
  maxOutputTokens: number;
  temperature?: number;
  signal?: AbortSignal;
};

export type ModelClientDeps = {
  /** Replaces global fetch (an undici-backed fetch, a test spy). */
  fetch?: typeof globalThis.fetch;
  /** Back-off sleep; tests pass one that records the delays. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

export type ModelClient = {
  readonly config: ModelConfig;
  readonly limiter: Limiter;
  call<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>>;
};

/** A Retry-After longer than this is not waited out: the call fails as rate_limited instead. */
const MAX_RETRY_AFTER_MS = 60_000;

export function createLanguageModel(config: ModelConfig, fetch?: typeof globalThis.fetch): LanguageModel {
  // apiKey is always passed as a string so the SDK never falls back to reading process.env.
  const apiKey = config.apiKey ?? '';
  const common = { apiKey, ...(config.baseUrl === undefined ? {} : { baseURL: config.baseUrl }), fetch };
  switch (config.provider) {
    case 'anthropic':
      return createAnthropic(common)(config.model);
    case 'openai':
      // Chat Completions (not the Responses API): the one shape OpenAI-compatible servers share.
      return createOpenAI(common).chat(config.model);
    case 'openai_compatible':
      return createOpenAI({ ...common, name: 'openai-compatible' }).chat(config.model);
  }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function usageOf(config: ModelConfig, tokens: { inputTokens?: number; outputTokens?: number } | undefined): ModelUsage {
  const counts = { inputTokens: tokens?.inputTokens ?? 0, outputTokens: tokens?.outputTokens ?? 0 };
  return { ...counts, costUsd: costUsd(config.model, counts, config.price) };
}

export function createModelClient(config: ModelConfig, deps: ModelClientDeps = {}): ModelClient {
  const model = createLanguageModel(config, deps.fetch);
  const limiter = createLimiter(config.concurrency);
  const sleep = deps.sleep ?? abortableSleep;

  async function attempt<T>(
    request: StructuredRequest<T>,
  ): Promise<StructuredResult<T> & { failure?: ClassifiedError }> {
    const timer = AbortSignal.timeout(config.timeoutMs);
    const signal = request.signal === undefined ? timer : AbortSignal.any([timer, request.signal]);
    try {
      const result = await generateText({
        model,
        system: request.system,
        prompt: request.prompt,
        output: Output.object({ schema: request.schema }),
        maxOutputTokens: request.maxOutputTokens,
        ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
        maxRetries: 0, // retries are ours: the SDK neither retries timeouts nor reports why it gave up
        abortSignal: signal,
      });
      const usage = usageOf(config, result.usage);
      if (result.finishReason === 'content-filter') {
        return { ok: false, error: { kind: 'refused', message: result.text || 'the model refused' }, usage };
      }
      return { ok: true, value: result.output, usage, model: result.response.modelId || config.model };
    } catch (error) {
      const failure = classifyModelError(error, { timedOut: timer.aborted, nowMs: Date.now() });
      // Malformed output was still generated, and billed.
      const tokens = NoObjectGeneratedError.isInstance(error) ? error.usage : undefined;
      const { retryable: _retryable, retryAfterMs: _after, ...modelError } = failure;
      return {
        ok: false,
        error: modelError,
        failure,
        ...(tokens === undefined ? {} : { usage: usageOf(config, tokens) }),
      };
    }
  }

  return {
    config,
    limiter,
    async call<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>> {
      for (let retry = 0; ; retry++) {
        // The slot is held for one HTTP attempt only, never while backing off.
        const { failure, ...result } = await limiter.run(() => attempt(request));
        if (result.ok || failure === undefined || !failure.retryable || retry >= config.maxRetries) return result;
        if (isAborted(request.signal)) return result;
        if (failure.retryAfterMs !== undefined && failure.retryAfterMs > MAX_RETRY_AFTER_MS) return result;
        const backoff = config.retryBaseMs * 2 ** retry; // the server's Retry-After wins when given
        await sleep(failure.retryAfterMs ?? backoff, request.signal);
        if (isAborted(request.signal)) return result;
      }
    },
  };
}
