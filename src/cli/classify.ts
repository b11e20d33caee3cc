// quotahit classify --body TEXT [--subject S] [--json]   (the reply on stdin when --body is omitted)
// Needs no database: the heuristic always runs, the model too when one is configured.
import { createWriting } from '../engine/stepWriter.ts';
import { printJson, UsageError } from './args.ts';
import { config } from './session.ts';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

export async function classifyCommand(values: { body?: string; subject?: string; json?: boolean }): Promise<void> {
  const body = (values.body ?? (await readStdin())).trim();
  if (body === '') throw new UsageError('classify needs the reply: --body TEXT or on stdin');
  if (body.length > 50_000) throw new UsageError('the reply is longer than 50,000 characters');
  const { classify } = createWriting({ model: config().model });
  const result = await classify({
    body,
    ...(values.subject === undefined ? {} : { subject: values.subject }),
    now: new Date(),
  });
  if (values.json) {
    printJson(result);
    return;
  }
  const by = result.model === undefined ? result.source : `${result.source}, model ${result.model}`;
  process.stdout.write(`${result.intent} (confidence ${result.confidence}, ${by})\n`);
  if (result.modelError !== undefined) process.stdout.write(`the model failed: ${result.modelError}\n`);
  if (result.returnDate !== undefined) process.stdout.write(`back on ${result.returnDate}\n`);
  if (result.referral !== undefined) {
    const who = [result.referral.name, result.referral.email].filter(Boolean).join(' ');
    process.stdout.write(`referred to ${who || 'someone else (no name given)'}\n`);
  }
}
