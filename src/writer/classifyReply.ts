// Reply classification as the engine uses it: the heuristic always runs (free, instant, and the
// only judge of header-level facts); the model, when configured, is asked too and wins when it is
// at least as confident. A model failure never loses a reply: the heuristic answer stands.
import { classifyReplyHeuristic, extractReferral } from '../core/replyHeuristics.ts';
import { replyText } from '../core/replyText.ts';
import type { ClassifyReplyInput, ReplyClassification, ReplyIntent } from '../core/replyHeuristics.ts';
import type { ModelClassifier } from './llm/modelClassifier.ts';
import type { ModelUsage } from './llm/modelClient.ts';

export type ClassifiedReply = ReplyClassification & {
  source: 'heuristic' | 'model';
  /** Model id, when the model was asked (whether or not its answer was used). */
  model?: string;
  usage?: ModelUsage;
  /** "<kind>: <message>" when the model was configured but failed. */
  modelError?: string;
};

const HEADER_INTENTS: readonly ReplyIntent[] = ['bounce', 'auto_reply', 'out_of_office'];

/** True when the heuristic's answer rests on the headers: without them it would say something else. */
function decidedByHeaders(input: ClassifyReplyInput, heuristic: ReplyClassification): boolean {
  if (!HEADER_INTENTS.includes(heuristic.intent)) return false;
  if (input.headers === undefined || Object.keys(input.headers).length === 0) return false;
  const withoutHeaders = classifyReplyHeuristic({ ...input, headers: undefined });
  return withoutHeaders.intent !== heuristic.intent;
}

export async function classifyReply(
  input: ClassifyReplyInput,
  options: { model?: ModelClassifier; signal?: AbortSignal } = {},
): Promise<ClassifiedReply> {
  const heuristic = classifyReplyHeuristic(input);
  if (options.model === undefined || decidedByHeaders(input, heuristic)) return { ...heuristic, source: 'heuristic' };

  const answer = await options.model.classify(input, options.signal === undefined ? {} : { signal: options.signal });
  if (!answer.ok) {
    const failed = { modelError: `${answer.error.kind}: ${answer.error.message}`, model: options.model.config.model };
    return {
      ...heuristic,
      source: 'heuristic',
      ...failed,
      ...(answer.usage === undefined ? {} : { usage: answer.usage }),
    };
  }
  const asked = { model: answer.model, usage: answer.usage };
  if (answer.confidence < heuristic.confidence) return { ...heuristic, source: 'heuristic', ...asked };

  const result: ClassifiedReply = { intent: answer.intent, confidence: answer.confidence, source: 'model', ...asked };
  if (answer.intent === 'out_of_office') {
    // The heuristic's date parser is exact about "back on the 14th"; use it when the model gave none.
    const returnDate = answer.returnDate ?? (heuristic.intent === 'out_of_office' ? heuristic.returnDate : undefined);
    if (returnDate !== undefined) result.returnDate = returnDate;
  }
  if (answer.intent === 'referral') {
    const found = extractReferral(replyText(input.body));
    result.referral = { ...found, ...answer.referral };
  }
  return result;
}
