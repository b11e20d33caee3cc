// quotahit preview [--workspace W] --contact C --channel CH --purpose P [--variant N] [--json]
import pino from 'pino';
import { GenerateBody } from '../api/routes/writer.ts';
import { previewMessage, previewWarnings } from '../engine/commands/preview.ts';
import { wireEngine } from '../engine/wire.ts';
import { printJson, UsageError, wholeNumber } from './args.ts';
import type { PreviewOptions } from './program.ts';
import { resolveContact, resolveWorkspace, withDatabase } from './session.ts';

export async function previewCommand(values: PreviewOptions): Promise<void> {
  const variant = values.variant === undefined ? undefined : wholeNumber(values.variant, 'variant', 0, 9);
  // The contact is named by id or email; it is checked against the workspace below.
  const parsed = GenerateBody.safeParse({
    contactId: '00000000-0000-4000-8000-000000000000',
    channel: values.channel,
    purpose: values.purpose,
    ...(variant === undefined ? {} : { variant }),
  });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `--${String(issue.path[0] ?? '')}: ${issue.message}`);
    throw new UsageError(issues.join('\n'));
  }
  const { outcome, warnings } = await withDatabase(async (database, cfg) => {
    const workspace = await resolveWorkspace(database, values.workspace);
    const contactId = await resolveContact(database, workspace.id, values.contact);
    const { engine } = await wireEngine(database, {
      log: pino({ level: cfg.logLevel }),
      queue: false,
      model: cfg.model,
      providers: cfg.providers,
    });
    const previewed = await previewMessage(
      { db: database.db, writer: engine.deps.writer },
      { workspaceId: workspace.id, ...parsed.data, contactId },
    );
    if (previewed === 'contact_not_found')
      throw new UsageError(`contact "${values.contact}" not found in workspace "${workspace.name}"`);
    // A draft is shown either way; real sends wait while the workspace lacks its identity.
    return {
      outcome: previewed,
      warnings: await previewWarnings({ db: database.db }, workspace.id, parsed.data.channel),
    };
  });
  if (values.json) {
    const { ok, ...rest } = outcome;
    printJson({
      ...rest,
      blocked: !ok,
      cached: outcome.cached === true,
      ...(warnings.length === 0 ? {} : { warnings }),
    });
    return;
  }
  for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const by =
    outcome.model === undefined ? (outcome.generator ?? 'composer') : `${outcome.generator} (${outcome.model})`;
  if (!outcome.ok) {
    say(`BLOCKED: ${outcome.reason}`);
    say(`generator: ${by}`);
    return;
  }
  if (outcome.subject !== undefined) say(`Subject: ${outcome.subject}\n`);
  say(outcome.body);
  say('');
  say(`facts used: ${outcome.factsUsed.length > 0 ? outcome.factsUsed.join(', ') : 'none'}`);
  const spam =
    outcome.checks.spam === null ? '' : ` (spam score ${outcome.checks.spam.score}/${outcome.checks.spam.threshold})`;
  say(`checks: ${outcome.checks.passed ? 'passed' : 'failed'}${spam}`);
  say(`generator: ${by}${outcome.cached === true ? ', from the cache' : ''}`);
  if (outcome.usage !== undefined) {
    const cost = outcome.usage.costUsd === null ? 'unknown cost' : `$${outcome.usage.costUsd}`;
    say(`usage: ${outcome.usage.inputTokens} input + ${outcome.usage.outputTokens} output tokens, ${cost}`);
  }
  if (outcome.fallback !== undefined) say(`model failed, the offline composer wrote it: ${outcome.fallback.cause}`);
}
