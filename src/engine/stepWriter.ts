// The writer and the reply classifier as the engine uses them: the offline composer and the
// heuristic unless a model is configured, the model's cache in PostgreSQL. One model writer and one
// model classifier per process, so their concurrency limits hold across every workspace.
import { transactionWriteCache } from '../db/writerCache.ts';
import type { ClassifyReplyInput } from '../core/replyHeuristics.ts';
import { classifyReply, type ClassifiedReply } from '../writer/classifyReply.ts';
import { createModelClassifier } from '../writer/llm/modelClassifier.ts';
import type { ModelConfig } from '../writer/llm/modelConfig.ts';
import { createModelWriter } from '../writer/llm/modelWriter.ts';
import { createWriter, type Writer } from '../writer/writer.ts';
import type { StepWriter } from './ports.ts';

export function createStepWriter(writer: Writer = createWriter()): StepWriter {
  return {
    write: (sql, input) => writer.write(input, { cache: transactionWriteCache(sql) }),
    writeWithCache: (cache, input) => writer.write(input, { cache }),
  };
}

export type Writing = {
  writer: StepWriter;
  /** Fits the engine's Classifier: the heuristic, and the model when configured. */
  classify: (input: ClassifyReplyInput) => Promise<ClassifiedReply>;
  model: ModelConfig | undefined;
};

export function createWriting(options: { model?: ModelConfig; fetch?: typeof globalThis.fetch } = {}): Writing {
  const { model } = options;
  const deps = options.fetch === undefined ? {} : { fetch: options.fetch };
  const modelWriter = model === undefined ? undefined : createModelWriter(model, deps);
  const modelClassifier = model === undefined ? undefined : createModelClassifier(model, deps);
  return {
    writer: createStepWriter(createWriter(modelWriter === undefined ? {} : { modelWriter })),
    classify: (input) => classifyReply(input, modelClassifier === undefined ? {} : { model: modelClassifier }),
    model,
  };
}
