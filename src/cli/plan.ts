// quotahit plan --workspace ID (--tag T | --contacts id,id) [--preset P | --sequence ID] [--execute] [--json]
import pino from 'pino';
import { PlanBody } from '../api/routes/plans.ts';
import { openDatabase } from '../db/open.ts';
import type { PlanRow } from '../db/plans.ts';
import { getWorkspace } from '../db/workspaces.ts';
import { createPlan, executePlan, type ExecutionResult } from '../engine/commands/plans.ts';
import { wireEngine } from '../engine/wire.ts';
import { config, parse, printJson, requireId, UsageError } from './args.ts';

const USAGE =
  'usage: quotahit plan --workspace ID (--tag T | --contacts ID,ID…) [--preset P | --sequence ID] [--execute] [--json]';

export async function planCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, {
    workspace: { type: 'string' },
    tag: { type: 'string' },
    contacts: { type: 'string' },
    preset: { type: 'string' },
    sequence: { type: 'string' },
    execute: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const workspaceId = requireId(values.workspace, 'workspace', 'workspace', USAGE);
  const parsed = PlanBody.safeParse({
    ...(values.contacts === undefined ? {} : { contactIds: values.contacts.split(',').map((id) => id.trim()) }),
    ...(values.tag === undefined ? {} : { tag: values.tag }),
    ...(values.sequence === undefined ? {} : { sequenceId: values.sequence }),
    ...(values.preset === undefined ? {} : { preset: values.preset }),
  });
  if (!parsed.success) {
    const flags: Record<string, string> = { contactIds: '--contacts', sequenceId: '--sequence' };
    const issues = parsed.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? '');
      const message = issue.message
        .replace('"contactIds" or "tag"', '--contacts or --tag')
        .replace('"sequenceId" or "preset"', '--sequence or --preset');
      return field === '' ? message : `${flags[field] ?? `--${field}`}: ${message}`;
    });
    throw new UsageError(`${issues.join('\n')}\n${USAGE}`);
  }
  const cfg = config();
  const database = await openDatabase(cfg);
  try {
    if (!(await database.db.tenant(workspaceId, getWorkspace))) throw new Error(`workspace ${workspaceId} not found`);
    // Executing queues the later steps for the workers; planning alone needs no queue.
    const { engine, queue } = await wireEngine(database, {
      log: pino({ level: cfg.logLevel }),
      queue: values.execute === true,
      model: cfg.model,
      leaseMs: cfg.leaseMs,
      sendTimeoutMs: cfg.sendTimeoutMs,
      publicUrl: cfg.publicUrl,
      email: cfg.email,
    });
    try {
      const created = await createPlan(engine, { workspaceId, request: parsed.data });
      if (created.kind === 'contacts_not_found') throw new Error(`contacts not found: ${created.ids.join(', ')}`);
      if (created.kind === 'sequence_not_found') throw new Error(`sequence ${parsed.data.sequenceId} not found`);
      if (created.kind === 'no_leads') throw new Error(created.message);
      let execution: ExecutionResult | undefined;
      if (values.execute) {
        const executed = await executePlan(engine, { workspaceId, planId: created.plan.id });
        if (executed.kind === 'not_found') throw new Error(`plan ${created.plan.id} not found`);
        if (executed.kind === 'conflict') throw new Error(executed.message);
        execution = executed.result;
      }
      if (values.json) printJson(execution === undefined ? { plan: created.plan } : { plan: created.plan, execution });
      else printPlan(created.plan, execution);
    } finally {
      await queue?.stop();
    }
  } finally {
    await database.close();
  }
}

function printPlan(plan: PlanRow, execution: ExecutionResult | undefined): void {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const { sequence } = plan.summary;
  say(`Plan ${plan.id}: ${plan.leads.length} leads, sequence "${sequence.name}" (${sequence.reason})`);
  for (const lead of plan.leads) {
    if (lead.status === 'excluded') {
      say(`  ✗ ${lead.name}: ${lead.reason}`);
      continue;
    }
    const first = lead.firstTouch === null ? 'no first touch' : `${lead.firstTouch.channel} at ${lead.firstTouch.at}`;
    say(`  ✓ ${lead.name}${lead.company ? ` (${lead.company})` : ''}: ${lead.reachable.join(', ')}; ${first}`);
    say(`    angle: ${lead.angle.kind === 'none' ? lead.angle.text : `${lead.angle.kind}: ${lead.angle.text}`}`);
  }
  if (execution === undefined) {
    say(`Review it, then: quotahit plan … --execute (or POST /v1/plans/${plan.id}/execute)`);
    return;
  }
  const channels = Object.entries(execution.channels_used)
    .map(([channel, n]) => `${channel} ${n}`)
    .join(', ');
  say(`Executed: ${execution.enrolled} enrolled, ${execution.messages_sent} sent${channels ? ` (${channels})` : ''}`);
  say(`  ${execution.scheduled.length} waiting for their sending window or quota`);
  for (const update of execution.lead_updates) say(`  ${update.name}: ${update.previousStatus} → ${update.status}`);
  for (const error of execution.errors) say(`  error ${error.contactId}: ${error.error}`);
}
