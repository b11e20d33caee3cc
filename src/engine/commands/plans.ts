// Outreach plans, the IO shell around writer/plan.ts. create: load the leads, analyse them against
// the chosen sequence (or a recommended preset), store the plan for review. execute: create the
// sequence if the plan has none, enroll the ready leads through the engine, then run each new
// enrollment's first due step at once — the same runEnrollment a worker runs, under the same
// locks, sending windows and quotas — so `messages_sent` counts messages that really went out by
// the time of the answer. Steps outside the window or over a quota wait and are listed as scheduled.
import { isPresetId, PRESETS, presetToSequence, type PresetId } from '../../core/presets.ts';
import { getContact, listContacts, type Contact } from '../../db/contacts.ts';
import type { Sql } from '../../db/database.ts';
import {
  claimPlan,
  contactStatuses,
  executionFacts,
  finishPlan,
  getPlan,
  insertPlan,
  releasePlan,
  type PlanRow,
} from '../../db/plans.ts';
import { getSequence, insertSequence } from '../../db/sequences.ts';
import { planLeads, presetSequence, recommendPreset, type PlanSequence } from '../../writer/plan.ts';
import type { Engine } from '../engine.ts';
import { toWriterContact } from '../steps/writerInput.ts';

export const MAX_PLAN_LEADS = 1000;
/** First steps run at once, this many at a time. */
const EXECUTE_CONCURRENCY = 4;
const SENT_STATUSES = new Set(['sent', 'delivered']);

export type PlanRequest = { contactIds?: string[]; tag?: string; sequenceId?: string; preset?: PresetId };

export type CreatePlanResult =
  | { kind: 'ok'; plan: PlanRow }
  | { kind: 'contacts_not_found'; ids: string[] }
  | { kind: 'sequence_not_found' }
  | { kind: 'no_leads'; message: string };

type LoadedLeads = { kind: 'ok'; contacts: Contact[] } | Exclude<CreatePlanResult, { kind: 'ok' }>;

async function loadLeads(sql: Sql, request: PlanRequest): Promise<LoadedLeads> {
  if (request.contactIds !== undefined) {
    const ids = [...new Set(request.contactIds)];
    const contacts: Contact[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const contact = await getContact(sql, id);
      if (contact) contacts.push(contact);
      else missing.push(id);
    }
    return missing.length > 0 ? { kind: 'contacts_not_found', ids: missing } : { kind: 'ok', contacts };
  }
  const tag = request.tag ?? '';
  const page = await listContacts(sql, { tag, limit: MAX_PLAN_LEADS });
  if (page.data.length === 0) return { kind: 'no_leads', message: `no contact has the tag "${tag}"` };
  if (page.nextCursor !== null) {
    const message = `more than ${MAX_PLAN_LEADS} contacts have the tag "${tag}": plan them in groups (contactIds)`;
    return { kind: 'no_leads', message };
  }
  return { kind: 'ok', contacts: page.data };
}

export async function createPlan(
  engine: Engine,
  input: { workspaceId: string; request: PlanRequest },
): Promise<CreatePlanResult> {
  const { db, clock } = engine.deps;
  const { request, workspaceId } = input;
  return db.tenant(workspaceId, async (sql): Promise<CreatePlanResult> => {
    const stored = request.sequenceId === undefined ? undefined : await getSequence(sql, request.sequenceId);
    if (request.sequenceId !== undefined && !stored) return { kind: 'sequence_not_found' };
    const loaded = await loadLeads(sql, request);
    if (loaded.kind !== 'ok') return loaded;
    const leads = loaded.contacts.map((contact) => ({
      ...toWriterContact(contact),
      whatsappOptIn: contact.whatsappOptIn,
      smsOptIn: contact.smsOptIn,
      status: contact.status,
    }));

    let sequence: PlanSequence;
    let reason: string;
    if (stored) {
      sequence = stored;
      reason = 'the sequence given';
    } else if (request.preset !== undefined) {
      sequence = presetSequence(request.preset);
      reason = 'the preset given';
    } else {
      const recommended = recommendPreset(leads);
      sequence = presetSequence(recommended.preset);
      reason = recommended.reason;
    }
    const { leads: planned, summary } = planLeads({ contacts: leads, sequence, now: clock.now() });
    const plan = await insertPlan(sql, {
      workspaceId,
      request,
      sequenceId: sequence.id,
      preset: sequence.preset,
      leads: planned,
      summary: {
        ...summary,
        sequence: { id: sequence.id, preset: sequence.preset, name: sequence.name, reason, steps: sequence.steps },
      },
    });
    return { kind: 'ok', plan };
  });
}

export type ExecutionResult = {
  planId: string;
  sequenceId: string;
  messages_sent: number;
  channels_used: Record<string, number>;
  errors: { contactId: string; error: string }[];
  lead_updates: { contactId: string; name: string; previousStatus: string; status: string }[];
  enrolled: number;
  scheduled: { contactId: string; enrollmentId: string; nextRunAt: string | null }[];
};

export type ExecutePlanResult =
  { kind: 'ok'; result: ExecutionResult } | { kind: 'not_found' } | { kind: 'conflict'; message: string };

async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let index = 0; index < items.length; index += size) {
    await Promise.all(items.slice(index, index + size).map(run));
  }
}

export async function executePlan(
  engine: Engine,
  input: { workspaceId: string; planId: string },
): Promise<ExecutePlanResult> {
  const { db, clock } = engine.deps;
  const { workspaceId, planId } = input;
  const plan = await db.tenant(workspaceId, async (sql) => {
    const claimed = await claimPlan(sql, planId);
    return claimed ?? (await getPlan(sql, planId)) ?? null;
  });
  if (!plan) return { kind: 'not_found' };
  if (plan.status !== 'executing') {
    const message =
      plan.status === 'executed' ? 'the plan was already executed' : 'the plan is being executed right now';
    return { kind: 'conflict', message };
  }
  try {
    const leads = plan.leads;
    const ready = leads.filter((lead) => lead.status === 'ready');
    const sequenceId = await db.tenant(workspaceId, async (sql) => {
      if (plan.sequenceId !== null) return (await getSequence(sql, plan.sequenceId))?.id;
      const preset = plan.preset !== null && isPresetId(plan.preset) ? plan.preset : 'standard_b2b';
      const name = `${PRESETS[preset].name} · plan ${clock.now().toISOString().slice(0, 10)}`;
      return (await insertSequence(sql, workspaceId, presetToSequence(preset, name), preset)).id;
    });
    if (sequenceId === undefined) {
      await db.tenant(workspaceId, (sql) => releasePlan(sql, planId));
      return { kind: 'conflict', message: "the plan's sequence was deleted; create a new plan" };
    }

    const readyIds = ready.map((lead) => lead.contactId);
    const before = await db.tenant(workspaceId, (sql) => contactStatuses(sql, readyIds));
    const enrollment =
      readyIds.length === 0
        ? { enrolled: [], skipped: [] }
        : await engine.enroll({ workspaceId, sequenceId, contactIds: readyIds });

    const errors: ExecutionResult['errors'] = [];
    for (const lead of leads)
      if (lead.status === 'excluded') errors.push({ contactId: lead.contactId, error: lead.reason });
    for (const skipped of enrollment.skipped) errors.push({ contactId: skipped.contactId, error: skipped.reason });
    await inBatches(enrollment.enrolled, EXECUTE_CONCURRENCY, async (e) => {
      try {
        await engine.runEnrollment({ workspaceId, enrollmentId: e.enrollmentId });
      } catch (error) {
        errors.push({ contactId: e.contactId, error: error instanceof Error ? error.message : String(error) });
      }
    });

    const { facts, after } = await db.tenant(workspaceId, async (sql) => ({
      facts: await executionFacts(sql, enrollment.enrolled),
      after: await contactStatuses(sql, readyIds),
    }));
    const channels: Record<string, number> = {};
    let sent = 0;
    for (const message of facts.messages) {
      if (SENT_STATUSES.has(message.status)) {
        sent++;
        channels[message.channel] = (channels[message.channel] ?? 0) + 1;
      } else if (message.status === 'failed' || message.status === 'bounced') {
        errors.push({
          contactId: message.contactId,
          error: `${message.channel} ${message.status}: ${message.error ?? ''}`.trim(),
        });
      }
    }
    for (const note of facts.notes) errors.push({ contactId: note.contactId, error: note.summary });
    const names = new Map(leads.map((lead) => [lead.contactId, lead.name]));
    const leadUpdates = readyIds.flatMap((id) => {
      const previousStatus = before.get(id);
      const status = after.get(id);
      return previousStatus !== undefined && status !== undefined && previousStatus !== status
        ? [{ contactId: id, name: names.get(id) ?? id, previousStatus, status }]
        : [];
    });
    const sentEnrollments = new Set(
      facts.messages.filter((m) => SENT_STATUSES.has(m.status)).map((m) => m.enrollmentId),
    );
    const scheduled = facts.enrollments
      .filter((e) => !sentEnrollments.has(e.id) && (e.status === 'active' || e.status === 'paused'))
      .map((e) => ({ contactId: e.contactId, enrollmentId: e.id, nextRunAt: e.nextRunAt }));

    const result: ExecutionResult = {
      planId,
      sequenceId,
      messages_sent: sent,
      channels_used: channels,
      errors,
      lead_updates: leadUpdates,
      enrolled: enrollment.enrolled.length,
      scheduled,
    };
    await db.tenant(workspaceId, (sql) => finishPlan(sql, planId, { sequenceId, result, at: clock.now() }));
    return { kind: 'ok', result };
  } catch (error) {
    await db.tenant(workspaceId, (sql) => releasePlan(sql, planId));
    throw error;
  }
}
