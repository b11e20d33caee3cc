// npm run eval:replies — runs the heuristic reply classifier over the labelled set in
// test/fixtures/replies.jsonl and prints accuracy, per-intent precision/recall, return-date
// accuracy and a confusion matrix. `now` is fixed so return dates resolve the same way every run.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { classifyReplyHeuristic, REPLY_INTENTS } from '../src/core/replyHeuristics.ts';
import type { ReplyIntent } from '../src/core/replyHeuristics.ts';

export const EVAL_NOW = new Date('2026-03-02T09:00:00Z');
export const FIXTURE_PATH = fileURLToPath(new URL('../test/fixtures/replies.jsonl', import.meta.url));

export type LabelledReply = {
  body: string;
  subject?: string;
  headers?: Record<string, string>;
  intent: ReplyIntent;
  returnDate?: string;
};

export type ReplyEvaluation = {
  total: number;
  correct: number;
  accuracy: number;
  perIntent: { intent: ReplyIntent; support: number; precision: number; recall: number }[];
  confusion: Record<string, Record<string, number>>;
  returnDates: { labelled: number; correct: number };
  mistakes: { expected: ReplyIntent; got: ReplyIntent; body: string }[];
};

const LabelledReplySchema = z.object({
  body: z.string(),
  subject: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  intent: z.enum(REPLY_INTENTS),
  returnDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
});

export function loadReplies(path: string = FIXTURE_PATH): LabelledReply[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line, index) => {
      const parsed = LabelledReplySchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`replies.jsonl line ${index + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

export function evaluateReplies(replies: readonly LabelledReply[], now: Date = EVAL_NOW): ReplyEvaluation {
  const confusion: Record<string, Record<string, number>> = {};
  for (const expected of REPLY_INTENTS) confusion[expected] = Object.fromEntries(REPLY_INTENTS.map((got) => [got, 0]));
  const mistakes: ReplyEvaluation['mistakes'] = [];
  let correct = 0;
  const returnDates = { labelled: 0, correct: 0 };
  for (const reply of replies) {
    const result = classifyReplyHeuristic({ body: reply.body, subject: reply.subject, headers: reply.headers, now });
    const row = confusion[reply.intent];
    if (row !== undefined) row[result.intent] = (row[result.intent] ?? 0) + 1;
    if (result.intent === reply.intent) correct++;
    else mistakes.push({ expected: reply.intent, got: result.intent, body: reply.body });
    if (reply.returnDate !== undefined) {
      returnDates.labelled++;
      if (result.returnDate === reply.returnDate) returnDates.correct++;
    }
  }
  const perIntent = REPLY_INTENTS.map((intent) => {
    const truePositive = confusion[intent]?.[intent] ?? 0;
    const support = Object.values(confusion[intent] ?? {}).reduce((sum, count) => sum + count, 0);
    const predicted = REPLY_INTENTS.reduce((sum, expected) => sum + (confusion[expected]?.[intent] ?? 0), 0);
    return {
      intent,
      support,
      precision: predicted === 0 ? 0 : truePositive / predicted,
      recall: support === 0 ? 0 : truePositive / support,
    };
  });
  return {
    total: replies.length,
    correct,
    accuracy: replies.length === 0 ? 0 : correct / replies.length,
    perIntent,
    confusion,
    returnDates,
    mistakes,
  };
}

function pct(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

export function formatEvaluation(result: ReplyEvaluation): string {
  const lines = [`replies: ${result.total}   accuracy: ${pct(result.accuracy)} (${result.correct}/${result.total})`];
  const dates = result.returnDates;
  const share = dates.labelled === 0 ? 'n/a' : pct(dates.correct / dates.labelled);
  lines.push(
    `return-date accuracy: ${share} (${dates.correct}/${dates.labelled} exact, out-of-office and not-now replies)`,
    '',
  );
  lines.push(`${'intent'.padEnd(16)}${'n'.padStart(5)}${'precision'.padStart(11)}${'recall'.padStart(9)}`);
  for (const row of result.perIntent) {
    lines.push(
      `${row.intent.padEnd(16)}${String(row.support).padStart(5)}${pct(row.precision).padStart(11)}${pct(row.recall).padStart(9)}`,
    );
  }
  const short = (intent: string): string => intent.slice(0, 6);
  lines.push('', 'confusion (rows = labelled, columns = predicted)');
  lines.push(`${''.padEnd(16)}${REPLY_INTENTS.map((intent) => short(intent).padStart(7)).join('')}`);
  for (const expected of REPLY_INTENTS) {
    lines.push(
      `${expected.padEnd(16)}${REPLY_INTENTS.map((got) => String(result.confusion[expected]?.[got] ?? 0).padStart(7)).join('')}`,
    );
  }
  if (result.mistakes.length > 0) {
    lines.push('', 'misclassified:');
    for (const mistake of result.mistakes)
      lines.push(`  ${mistake.expected} → ${mistake.got}: ${mistake.body.replace(/\s+/g, ' ').slice(0, 90)}`);
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatEvaluation(evaluateReplies(loadReplies())));
}
