// The engine-facing writer. With no model: the offline composer. With a model: the model's draft,
// checked by the same guardrails; a failing draft is regenerated once with the failures spelled
// out, then blocked. When the model call itself fails the composer writes the message instead and
// the outcome says why (`fallback.cause`), so the timeline can show "Message generation failed".
import { createHash } from 'node:crypto';
import { composeMessage } from './composer.ts';
import { checkMessage } from './guardrails.ts';
import { createModelWriter, type ModelWriter } from './llm/modelWriter.ts';
import { PROMPT_VERSION, type RegenerationFeedback } from './llm/prompts.ts';
import type { ModelUsage } from './llm/modelClient.ts';
import type { ModelConfig } from './llm/modelConfig.ts';
import type { GuardrailReport, WriterInput } from './types.ts';

export type WriteOutcome =
  | {
      ok: true;
      subject?: string;
      body: string;
      factsUsed: string[];
      checks: GuardrailReport;
      generator: 'composer' | 'model';
      /** Model id that wrote it (generator 'model'). */
      model?: string;
      /** Tokens and cost of every model call behind this message, the failed first draft included. */
      usage?: ModelUsage;
      /** Set when the model failed and the composer wrote the message: "<kind>: <message>". */
      fallback?: { cause: string };
      /** True when the outcome came from the cache: nothing was paid for this time. */
      cached?: boolean;
    }
  | {
      ok: false;
      blocked: true;
      reason: string;
      checks: GuardrailReport;
      generator?: 'composer' | 'model';
      model?: string;
      usage?: ModelUsage;
      cached?: boolean;
    };

/** Persistent store for outcomes, keyed by cacheKey(); the engine backs it with PostgreSQL. */
export type WriteCache = {
  get(key: string): Promise<WriteOutcome | undefined>;
  set(key: string, outcome: WriteOutcome): Promise<void>;
};

export type WriterOptions = {
  model?: ModelConfig;
  fetch?: typeof globalThis.fetch;
  cache?: WriteCache;
  /** Injected model writer (tests, or one shared by several writers to share its concurrency limit). */
  modelWriter?: ModelWriter;
};

export type Writer = {
  /** `cache` overrides the writer's own cache for this call (the engine passes one bound to its transaction). */
  write(input: WriterInput, options?: { signal?: AbortSignal; cache?: WriteCache }): Promise<WriteOutcome>;
};

/** JSON with sorted object keys, so equal inputs hash equally whatever order their keys arrived in. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Cache key for one message: contact, purpose, channel, variant, generator (provider + model, or
 * "composer") and a hash of every input the text depends on (contact data, sender, workspace
 * offer, previous messages, seed). Editing a contact's enrichment or the offer makes a new key.
 */
export function cacheKey(input: WriterInput, config?: ModelConfig): string {
  const { contact, sender, workspace, previous, seed } = input;
  const facts = sha256(stableJson({ contact, sender, workspace, previous, seed }));
  const generator = config === undefined ? 'composer' : `${config.provider}:${config.model}:${PROMPT_VERSION}`;
  return sha256(stableJson([contact.id, input.purpose, input.channel, input.variant ?? 0, generator, facts]));
}

function addUsage(a: ModelUsage | undefined, b: ModelUsage | undefined): ModelUsage | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  const cost = a.costUsd === null || b.costUsd === null ? null : Math.round((a.costUsd + b.costUsd) * 1e6) / 1e6;
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens, costUsd: cost };
}

function blockedReason(checks: GuardrailReport): string {
  return `Guardrails failed: ${checks.failures.map((failure) => failure.message).join('; ')}`;
}

function composed(input: WriterInput, cause?: string, usage?: ModelUsage): WriteOutcome {
  const message = composeMessage(input);
  const extra = { ...(usage === undefined ? {} : { usage }), ...(cause === undefined ? {} : { fallback: { cause } }) };
  if (!message.checks.passed) {
    return {
      ok: false,
      blocked: true,
      reason: blockedReason(message.checks),
      checks: message.checks,
      generator: 'composer',
      ...extra,
    };
  }
  return { ok: true, ...message, generator: 'composer', ...extra };
}

async function modelWrite(writer: ModelWriter, input: WriterInput, signal?: AbortSignal): Promise<WriteOutcome> {
  let usage: ModelUsage | undefined;
  let feedback: RegenerationFeedback | undefined;
  for (;;) {
    const draft = await writer.generate(input, { signal, feedback });
    usage = addUsage(usage, draft.usage);
    const spent = usage === undefined ? {} : { usage };
    if (!draft.ok) return composed(input, `${draft.error.kind}: ${draft.error.message}`, usage);
    const checks = checkMessage({ ...input, subject: draft.subject, body: draft.body });
    const { ok: _ok, usage: _usage, ...text } = draft;
    if (checks.passed) return { ok: true, ...text, checks, generator: 'model', ...spent };
    if (feedback !== undefined) {
      const reason = `${blockedReason(checks)} (after one regeneration)`;
      return { ok: false, blocked: true, reason, checks, generator: 'model', model: draft.model, ...spent };
    }
    feedback = { failures: checks.failures, draft: { subject: draft.subject, body: draft.body } };
  }
}

export function createWriter(options: WriterOptions = {}): Writer {
  const modelWriter =
    options.modelWriter ??
    (options.model === undefined
      ? undefined
      : createModelWriter(options.model, options.fetch === undefined ? {} : { fetch: options.fetch }));
  const config = modelWriter?.config;
  return {
    async write(input, writeOptions = {}) {
      if (modelWriter === undefined) return composed(input);
      const cache = writeOptions.cache ?? options.cache;
      const key = cacheKey(input, config);
      const hit = await cache?.get(key);
      if (hit !== undefined) return { ...hit, cached: true };
      const outcome = await modelWrite(modelWriter, input, writeOptions.signal);
      // A fallback is not cached: the next attempt should try the model again.
      const paidFor = outcome.generator === 'model';
      if (paidFor) await cache?.set(key, outcome);
      return outcome;
    },
  };
}
