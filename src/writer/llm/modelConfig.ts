// Which model writes messages and classifies replies. Parsed once at the edge (config.ts or a
// script); the writer modules only ever receive a complete ModelConfig and never read env.
import { z } from 'zod';

export const MODEL_PROVIDERS = ['anthropic', 'openai', 'openai_compatible'] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

/**
 * Defaults per provider: the fast, cheap class of model, which is plenty for 100-word messages.
 * `claude-haiku-4-5` is the alias of `claude-haiku-4-5-20251001` (platform.claude.com model overview;
 * both ids are in @ai-sdk/anthropic's model list). `claude-haiku-5-5`, the newer Haiku, also works and
 * is priced in pricing.ts. OpenAI-compatible servers (Ollama, vLLM, LM Studio) have no default:
 * their model names are whatever was pulled.
 */
export const DEFAULT_MODELS: Readonly<Record<'anthropic' | 'openai', string>> = {
  anthropic: 'claude-haiku-4-5',
  openai: 'gpt-4o-mini',
};

export const ModelPrice = z.object({
  /** USD per million input tokens. */
  inputPerMTok: z.number().nonnegative(),
  /** USD per million output tokens. */
  outputPerMTok: z.number().nonnegative(),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

export const ModelConfig = z
  .object({
    provider: z.enum(MODEL_PROVIDERS),
    apiKey: z.string().min(1).optional(),
    /** Includes the version segment, as the AI SDK expects: `http://localhost:11434/v1`. */
    baseUrl: z.url().optional(),
    model: z.string().min(1),
    /** Per HTTP attempt. */
    timeoutMs: z.number().int().positive().default(20_000),
    /** Extra attempts after a timeout, 429, 5xx or network error. */
    maxRetries: z.number().int().min(0).max(10).default(2),
    /** Requests in flight at once per writer or classifier instance. */
    concurrency: z.number().int().positive().default(4),
    /** First back-off delay; doubles on each retry (a Retry-After header wins when present). */
    retryBaseMs: z.number().int().nonnegative().default(500),
    /** Overrides the built-in price table (e.g. a hosted open model with its own price list). */
    price: ModelPrice.optional(),
  })
  .superRefine((config, ctx) => {
    if (config.provider === 'openai_compatible' && config.baseUrl === undefined) {
      ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'an OpenAI-compatible provider needs a baseUrl' });
    }
    if (config.provider !== 'openai_compatible' && config.apiKey === undefined) {
      ctx.addIssue({ code: 'custom', path: ['apiKey'], message: `the ${config.provider} provider needs an apiKey` });
    }
  });
export type ModelConfig = z.infer<typeof ModelConfig>;

/** What a caller may leave out: the model (per-provider default) and every tuning knob. */
export type ModelConfigInput = Omit<z.input<typeof ModelConfig>, 'model'> & { model?: string };

const ProviderOnly = z.object({ provider: z.enum(MODEL_PROVIDERS), model: z.string().optional() });

/** Fills defaults and validates; throws a readable error for a config that cannot work. */
export function resolveModelConfig(input: ModelConfigInput): ModelConfig {
  return parseModelConfig(input);
}

/** resolveModelConfig for untrusted input (a JSON env value, a settings row). */
export function parseModelConfig(raw: unknown): ModelConfig {
  const head = ProviderOnly.safeParse(raw);
  const provider = head.success ? head.data.provider : undefined;
  const model =
    head.success && head.data.model === undefined && provider !== undefined && provider !== 'openai_compatible'
      ? { model: DEFAULT_MODELS[provider] }
      : {};
  const parsed = ModelConfig.safeParse(typeof raw === 'object' && raw !== null ? { ...raw, ...model } : raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`);
    throw new Error(`invalid model config: ${issues.join('; ')}`);
  }
  return parsed.data;
}
