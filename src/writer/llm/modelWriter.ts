// Model-backed message generation: one call per message, structured output validated by a zod
// schema, failures returned as values. Guardrails and fallback live in writer.ts; this module
// only turns a WriterInput into the model's draft.
import { z } from 'zod';
import { buildWriterPrompt, type RegenerationFeedback } from './prompts.ts';
import { createModelClient, type ModelClient, type ModelClientDeps, type ModelUsage } from './modelClient.ts';
import type { ModelError } from './modelErrors.ts';
import type { ModelConfig } from './modelConfig.ts';
import type { WriterInput } from '../types.ts';

/**
 * What the model must return. `subject` is required on the wire (empty off email) because OpenAI's
 * strict json_schema mode needs every property listed as required; it is dropped when empty.
 */
export const ModelDraft = z.object({
  subject: z.string().describe('Email subject; an empty string for every other channel'),
  body: z.string().min(1).describe('The message text, plain text'),
  factsUsed: z.array(z.string()).describe('Keys of the listed facts the message relies on'),
});
export type ModelDraft = z.infer<typeof ModelDraft>;

export type ModelResult =
  | {
      ok: true;
      subject?: string;
      body: string;
      factsUsed: string[];
      usage: ModelUsage;
      model: string;
    }
  | { ok: false; error: ModelError; usage?: ModelUsage };

export type GenerateOptions = { signal?: AbortSignal; feedback?: RegenerationFeedback };

export type ModelWriter = {
  readonly config: ModelConfig;
  generate(input: WriterInput, options?: GenerateOptions): Promise<ModelResult>;
};

/** Enough for a long email or a call script; a runaway answer is cut off and fails as malformed. */
const MAX_OUTPUT_TOKENS = 1500;

function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function createModelWriter(
  config: ModelConfig,
  deps: ModelClientDeps & { client?: ModelClient } = {},
): ModelWriter {
  const client = deps.client ?? createModelClient(config, deps);
  return {
    config,
    async generate(input, options = {}) {
      const { system, prompt, facts } = buildWriterPrompt(input, options.feedback);
      const result = await client.call({
        schema: ModelDraft,
        system,
        prompt,
        maxOutputTokens: MAX_OUTPUT_TOKENS,
        temperature: 0.7,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      if (!result.ok) return result;
      const body = tidy(result.value.body);
      if (body.length === 0) {
        return {
          ok: false,
          error: { kind: 'malformed', message: 'the model returned an empty body' },
          usage: result.usage,
        };
      }
      // Only keys we actually offered count; a model citing "enrichment.revenue" made it up.
      const known = new Set(facts.map((fact) => fact.key));
      const factsUsed = [...new Set(result.value.factsUsed.filter((key) => known.has(key)))];
      const subject = input.channel === 'email' ? tidy(result.value.subject) : '';
      const base = { ok: true as const, body, factsUsed, usage: result.usage, model: result.model };
      return subject.length > 0 ? { ...base, subject } : base;
    },
  };
}
