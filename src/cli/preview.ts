// quotahit preview --workspace ID --contact ID --channel C --purpose P [--variant N] [--json]
import pino from 'pino';
import { GenerateBody } from '../api/routes/writer.ts';
import { openDatabase } from '../db/open.ts';
import { getWorkspace } from '../db/workspaces.ts';
import { previewMessage, previewWarnings } from '../engine/commands/preview.ts';
import { wireEngine } from '../engine/wire.ts';
import { config, parse, printJson, requireId, UsageError } from './args.ts';

const USAGE =
  'usage: quotahit preview --workspace ID --contact ID --channel email|linkedin|whatsapp|sms|call --purpose P [--variant N] [--json]';

export async function previewCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    workspace: { type: 'string' },
    contact: { type: 'string' },
    channel: { type: 'string' },
    purpose: { type: 'string' },
    variant: { type: 'string' },
    json: { type: 'boolean' },
  });
  const workspaceId = requireId(values.workspace, 'workspace', 'workspace', USAGE);
  const variant = values.variant === undefined ? undefined : Number(values.variant);
  const parsed = GenerateBody.safeParse({
    contactId: values.contact,
    channel: values.channel,
    purpose: values.purpose,
    ...(variant === undefined ? {} : { variant }),
  });
  if (!parsed.success) {
    const flags: Record<string, string> = { contactId: '--contact', channel: '--channel', purpose: '--purpose' };
    const issues = parsed.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? '');
      return `${flags[field] ?? `--${field}`}: ${issue.message}`;
    });
    throw new UsageError(`${issues.join('\n')}\n${USAGE}`);
  }
  const cfg = config();
  const database = await openDatabase(cfg);
  try {
    if (!(await database.db.tenant(workspaceId, getWorkspace))) throw new Error(`workspace ${workspaceId} not found`);
    const { engine } = await wireEngine(database, {
      log: pino({ level: cfg.logLevel }),
      queue: false,
      model: cfg.model,
    });
    const outcome = await previewMessage(
      { db: database.db, writer: engine.deps.writer },
      { workspaceId, ...parsed.data },
    );
    if (outcome === 'contact_not_found')
      throw new Error(`contact ${parsed.data.contactId} not found in workspace ${workspaceId}`);
    const warnings = await previewWarnings({ db: database.db }, workspaceId);
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
    const say = (line: string) => process.stdout.write(`${line}\n`);
    for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
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
  } finally {
    await database.close();
  }
}
