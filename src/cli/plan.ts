// quotahit plan [--workspace W] (--tag T | --contact-ids ID,ID) [--preset P | --sequence S] [--execute] [--json]
import pino from 'pino';
import { PlanBody } from '../api/routes/plans.ts';
import type { PlanRow } from '../db/plans.ts';
import { createPlan, executePlan, type ExecutionResult } from '../engine/commands/plans.ts';
import { wireEngine } from '../engine/wire.ts';
import { idList, printJson, UsageError } from './args.ts';
import type { PlanOptions } from './program.ts';
import { resolveSequence, resolveWorkspace, withDatabase } from './session.ts';

export async function planCommand(values: PlanOptions): Promise<void> {
  if (values.contactIds !== undefined && values.contacts !== undefined)
    throw new UsageError('--contacts is the old name of --contact-ids: give one');
  const ids = values.contactIds ?? values.contacts;
  const contactIds = ids === undefined ? undefined : idList(ids, 'contact-ids', 'contact');
  // The sequence may be a name: it is resolved in the workspace below; a placeholder id checks the rest.
  const placeholder = '00000000-0000-4000-8000-000000000000';
  const parsed = PlanBody.safeParse({
    ...(contactIds === undefined ? {} : { contactIds }),
    ...(values.tag === undefined ? {} : { tag: values.tag }),
    ...(values.sequence === undefined ? {} : { sequenceId: placeholder }),
    ...(values.preset === undefined ? {} : { preset: values.preset }),
  });
  if (!parsed.success) {
    const flags: Record<string, string> = { contactIds: '--contact-ids', sequenceId: '--sequence' };
    const issues = parsed.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? '');
      const message = issue.message
        .replace('"contactIds" or "tag"', '--contact-ids or --tag')
        .replace('"sequenceId" or "preset"', '--sequence or --preset');
      return field === '' ? message : `${flags[field] ?? `--${field}`}: ${message}`;
    });
    throw new UsageError(issues.join('\n'));
  }
  const out = await withDatabase(async (database, cfg) => {
    const workspace = await resolveWorkspace(database, values.workspace);
    const request = { ...parsed.data };
    if (values.sequence !== undefined)
      request.sequenceId = (await resolveSequence(database, workspace.id, values.sequence)).id;
    const workspaceId = workspace.id;
    // Executing queues the later steps for the workers; planning alone needs no queue.
    const { engine, queue } = await wireEngine(database, {
      log: pino({ level: cfg.logLevel }),
      queue: values.execute === true,
      model: cfg.model,
      leaseMs: cfg.leaseMs,
      sendTimeoutMs: cfg.sendTimeoutMs,
      publicUrl: cfg.publicUrl,
      email: cfg.email,
      providers: cfg.providers,
      ...(cfg.dnsServers ? { dnsServers: cfg.dnsServers } : {}),
    });
    try {
      const created = await createPlan(engine, { workspaceId, request });
      if (created.kind === 'contacts_not_found') throw new Error(`contacts not found: ${created.ids.join(', ')}`);
      if (created.kind === 'sequence_not_found') throw new Error(`sequence ${values.sequence} not found`);
      if (created.kind === 'no_leads') throw new Error(created.message);
      let execution: ExecutionResult | undefined;
      if (values.execute) {
        const executed = await executePlan(engine, { workspaceId, planId: created.plan.id });
        if (executed.kind === 'not_found') throw new Error(`plan ${created.plan.id} not found`);
        if (executed.kind === 'conflict') throw new Error(executed.message);
        execution = executed.result;
      }
      return { plan: created.plan, execution };
    } finally {
      await queue?.stop();
    }
  });
  if (values.json) printJson(out.execution === undefined ? { plan: out.plan } : out);
  else printPlan(out.plan, out.execution);
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
