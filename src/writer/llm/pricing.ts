// Cost of a model call in USD, from list prices per million tokens. Prompt-cache and batch
// discounts are ignored: the writer sends short, uncached, synchronous prompts.
//
// Unknown model → cost null. A local or self-hosted model (Ollama, vLLM) has no list price, and a
// guessed number would be worse than none: the engine records `costUsd: null` and shows "unknown".
// Set `price` in the ModelConfig to give such a model a price.
import type { ModelPrice } from './modelConfig.ts';

/**
 * List prices (USD per million input / output tokens) from the providers' pricing pages.
 * Keys are model ids or aliases; a dated snapshot (`claude-haiku-4-5-20251001`,
 * `gpt-4o-mini-2024-07-18`) is priced by its longest matching prefix.
 */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  // Anthropic
  'claude-haiku-5-5': { inputPerMTok: 0.1, outputPerMTok: 0.5 }, // prompts ≤ 100k tokens
  'claude-haiku-4-5': { inputPerMTok: 1, outputPerMTok: 5 },
  'claude-3-5-haiku': { inputPerMTok: 0.8, outputPerMTok: 4 },
  'claude-3-haiku': { inputPerMTok: 0.25, outputPerMTok: 1.25 },
  'claude-sonnet-4': { inputPerMTok: 3, outputPerMTok: 15 },
  'claude-opus-4-5': { inputPerMTok: 5, outputPerMTok: 25 },
  'claude-opus-4-1': { inputPerMTok: 15, outputPerMTok: 75 },
  // OpenAI
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
  'gpt-5-nano': { inputPerMTok: 0.05, outputPerMTok: 0.4 },
  'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2 },
  'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10 },
};

/** The price for a model id: exact match, else the longest key the id starts with, else undefined. */
export function priceFor(model: string): ModelPrice | undefined {
  const exact = MODEL_PRICES[model];
  if (exact !== undefined) return exact;
  let best: string | undefined;
  for (const key of Object.keys(MODEL_PRICES)) {
    if (model.startsWith(`${key}-`) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : MODEL_PRICES[best];
}

export type TokenUsage = { inputTokens: number; outputTokens: number };

/** USD for the tokens, rounded to a millionth of a dollar; null when the model has no known price. */
export function costUsd(model: string, usage: TokenUsage, override?: ModelPrice): number | null {
  const price = override ?? priceFor(model);
  if (price === undefined) return null;
  const dollars = (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
  return Math.round(dollars * 1_000_000) / 1_000_000;
}
