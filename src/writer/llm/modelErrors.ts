// Every way a model call can fail, as a value, and which failures are worth another attempt.
// Classified once here from what the AI SDK throws, so the writer and the classifier agree.
import { APICallError, LoadAPIKeyError, NoObjectGeneratedError, NoOutputGeneratedError } from 'ai';
import { z } from 'zod';

export type ModelErrorKind = 'timeout' | 'rate_limited' | 'refused' | 'malformed' | 'provider_error' | 'auth';
export type ModelError = { kind: ModelErrorKind; message: string };

/** A classified failure plus what the retry loop needs to know about it. */
export type ClassifiedError = ModelError & { retryable: boolean; retryAfterMs?: number };

// OpenAI Chat Completions puts a structured-output refusal in `choices[0].message.refusal`
// (platform.openai.com structured-outputs guide); the AI SDK turns it into plain text, so the raw
// response body is the only place to tell a refusal from malformed output.
const OpenAIRefusalBody = z.object({
  body: z.object({
    choices: z.array(z.object({ message: z.object({ refusal: z.string().nullish() }) })).min(1),
  }),
});

// A model that declines in prose instead of JSON ("I'm sorry, but I can't help with that.").
const REFUSAL_TEXT =
  /^\s*(?:I['’]m sorry|I am sorry|Sorry,? (?:but )?I|I (?:can(?:no|['’])t|won['’]t|will not|am (?:not able|unable)|['’]m (?:not able|unable))|As an AI)/i;

/** Milliseconds from `retry-after-ms` or `retry-after` (seconds or an HTTP date), if present. */
export function retryAfterMs(headers: Record<string, string> | undefined, nowMs: number): number | undefined {
  if (headers === undefined) return undefined;
  const ms = Number.parseFloat(headers['retry-after-ms'] ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function refusalIn(response: unknown, text: string | undefined): string | undefined {
  const parsed = OpenAIRefusalBody.safeParse(response);
  const refusal = parsed.success ? parsed.data.body.choices[0]?.message.refusal : undefined;
  if (refusal !== undefined && refusal !== null && refusal.length > 0) return refusal;
  if (text !== undefined && REFUSAL_TEXT.test(text)) return text;
  return undefined;
}

function shorten(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function fromApiCall(error: APICallError, nowMs: number): ClassifiedError {
  const status = error.statusCode;
  const detail = shorten(error.message);
  if (status === 401 || status === 403) return { kind: 'auth', message: `HTTP ${status}: ${detail}`, retryable: false };
  if (status === 429) {
    const after = retryAfterMs(error.responseHeaders, nowMs);
    return {
      kind: 'rate_limited',
      message: `HTTP 429: ${detail}`,
      retryable: true,
      ...(after === undefined ? {} : { retryAfterMs: after }),
    };
  }
  if (status === undefined) return { kind: 'provider_error', message: detail, retryable: true }; // network
  const retryable = status === 408 || status === 409 || status >= 500;
  return { kind: 'provider_error', message: `HTTP ${status}: ${detail}`, retryable };
}

/**
 * Classifies anything a `generateText` call threw. `timedOut` is true when our own per-attempt
 * timer fired (the SDK then rethrows the fetch's AbortError/TimeoutError).
 */
export function classifyModelError(error: unknown, context: { timedOut: boolean; nowMs: number }): ClassifiedError {
  if (context.timedOut) return { kind: 'timeout', message: 'the model did not answer in time', retryable: true };
  if (APICallError.isInstance(error)) return fromApiCall(error, context.nowMs);
  if (NoObjectGeneratedError.isInstance(error)) {
    const refusal =
      error.finishReason === 'content-filter'
        ? error.text || 'the model refused'
        : refusalIn(error.response, error.text);
    if (refusal !== undefined) return { kind: 'refused', message: shorten(refusal), retryable: false };
    const cause = error.cause instanceof Error ? shorten(error.cause.message, 160) : error.message;
    return { kind: 'malformed', message: `${error.message} ${cause}`.trim(), retryable: false };
  }
  if (NoOutputGeneratedError.isInstance(error)) {
    return { kind: 'malformed', message: 'the model returned no output', retryable: false };
  }
  if (LoadAPIKeyError.isInstance(error)) return { kind: 'auth', message: error.message, retryable: false };
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return { kind: 'timeout', message: 'the request was cancelled', retryable: false };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'provider_error', message: shorten(message), retryable: false };
}
