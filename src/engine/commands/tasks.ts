// Call tasks for the API and the CLI: list and read them (with the contact's local time), dial one
// through the workspace's call account (click-to-call), and log its outcome, which steers the
// sequence: interested hands off (stop + hand-off), not now pauses until the date, not interested
// stops, do-not-call suppresses calls (and SMS when asked), a wrong number clears the phone;
// voicemail and no answer go on at once. Call statuses from the provider land here too.
import { DateTime } from 'luxon';
import { localTimeAt } from '../../core/callTask.ts';
import { addActivity } from '../../db/activities.ts';
import { getContact, setContactStatus, setSmsOptIn } from '../../db/contacts.ts';
import { decodeCursor, encodeCursor } from '../../db/cursor.ts';
import type { Sql } from '../../db/database.ts';
import { getEnrollment, pauseEnrollment, stopEnrollment, updateEnrollment } from '../../db/enrollments.ts';
import { listSenderRows } from '../../db/senders.ts';
import { suppressContact } from '../../db/suppressions.ts';
import {
  clearContactPhone,
  closeTask,
  getTask,
  listTasks,
  recordCallStatus,
  taskOfCall,
  startTaskCall,
  type CallOutcome,
  type Task,
} from '../../db/tasks.ts';
import { openCredentials } from '../accounts/credentials.ts';
import { createHandoff } from '../handoffs.ts';
import type { EngineDeps } from '../ports.ts';
import { paceAccount } from '../steps/pacing.ts';

export type TaskView = ReturnType<typeof taskView>;
export type Refusal = { refused: 400 | 403 | 404 | 409 | 429 | 502; code: string; message: string };

/** Who acts on a task: an API key (the owner's rights) or a signed-in member. */
export type TaskActor = { kind: 'key' } | { kind: 'member'; memberId: string; role: 'owner' | 'member' };

/**
 * A task for a named workspace user (the sequence's callOwner.userId) is theirs to call and to log:
 * another member is refused (403); the workspace owner and API keys (the owner's rights) may act.
 */
export function ownerRefusal(task: Task, actor: TaskActor | undefined, action: string): Refusal | undefined {
  const userId = task.owner.userId;
  if (!userId || !actor || actor.kind === 'key' || actor.role === 'owner' || actor.memberId === userId)
    return undefined;
  const whose = task.owner.name ? `${task.owner.name}'s` : `user ${userId}'s`;
  return refuse(
    403,
    'forbidden',
    `this call task is ${whose} (the sequence's callOwner): only they or the workspace owner can ${action}`,
  );
}

const NOT_NOW_DAYS = 14;
const CONSENT_NOTICE = 'This call may be recorded. By staying on the line you agree to the recording.';

export function taskView(task: Task, contact: { name: string | null; company: string | null } | undefined, now: Date) {
  return {
    id: task.id,
    kind: task.kind,
    status: task.status,
    contactId: task.contactId,
    enrollmentId: task.enrollmentId,
    sequenceId: task.sequenceId,
    step: task.step,
    owner: task.owner,
    contact: { name: contact?.name ?? null, company: contact?.company ?? null },
    phone: task.phone,
    timezone: task.timezone,
    localTime: localTimeAt(now, task.timezone),
    reason: task.reason,
    talkTrack: task.talkTrack,
    dueAt: task.dueAt.toISOString(),
    call: task.callSid ? { sid: task.callSid, status: task.callStatus, history: task.calls } : null,
    outcome: task.outcome,
    note: task.outcomeNote,
    returnDate: task.returnDate,
    outcomeAt: task.outcomeAt ? task.outcomeAt.toISOString() : null,
    createdAt: task.createdAt.toISOString(),
  };
}

async function viewOf(sql: Sql, task: Task, now: Date): Promise<TaskView> {
  const contact = await getContact(sql, task.contactId);
  const name = [contact?.firstName, contact?.lastName].filter(Boolean).join(' ') || null;
  return taskView(task, { name, company: contact?.company ?? null }, now);
}

export async function listTaskViews(
  deps: EngineDeps,
  workspaceId: string,
  input: { status?: Task['status']; contactId?: string; limit: number; cursor?: string },
): Promise<{ data: TaskView[]; nextCursor: string | null } | Refusal> {
  const after = input.cursor ? decodeCursor(input.cursor) : undefined;
  if (input.cursor && !after)
    return { refused: 400, code: 'invalid_request', message: 'cursor: not a cursor we issued' };
  const now = deps.clock.now();
  return deps.db.tenant(workspaceId, async (sql) => {
    const rows = await listTasks(sql, {
      ...(input.status ? { status: input.status } : {}),
      ...(input.contactId ? { contactId: input.contactId } : {}),
      limit: input.limit + 1,
      ...(after ? { afterId: after.id } : {}),
    });
    const page = rows.slice(0, input.limit);
    const last = page.at(-1);
    const data = [];
    for (const task of page) data.push(await viewOf(sql, task, now));
    return {
      data,
      nextCursor:
        rows.length > input.limit && last ? encodeCursor({ at: last.createdAt.toISOString(), id: last.id }) : null,
    };
  });
}

export async function taskById(deps: EngineDeps, workspaceId: string, id: string): Promise<TaskView | undefined> {
  return deps.db.tenant(workspaceId, async (sql) => {
    const task = await getTask(sql, id);
    return task ? viewOf(sql, task, deps.clock.now()) : undefined;
  });
}

/** Rings the rep, then bridges the prospect through the workspace's call account. */
export async function dialTask(
  deps: EngineDeps,
  workspaceId: string,
  input: { taskId: string; repPhone?: string; record?: boolean; actor?: TaskActor },
): Promise<TaskView | Refusal> {
  const plan = await deps.db.tenant(workspaceId, (sql) => dialPlan(sql, deps, input));
  if ('refused' in plan) return plan;
  const paced = await plan.pace();
  if (paced)
    return refuse(
      429,
      'rate_limited',
      `${paced.message.replace(/^pacing: /, 'click-to-call is paced: ')}; try again then`,
    );
  const result = await plan.dial();
  if (!result.ok) {
    const limited = result.failure.kind === 'rate_limited';
    return {
      refused: limited ? 429 : 502,
      code: limited ? 'rate_limited' : 'provider_error',
      message: `${limited ? 'one call per second per account: try again shortly' : 'the call did not start'} (${result.failure.message})`,
    };
  }
  const now = deps.clock.now();
  return deps.db.tenant(workspaceId, async (sql) => {
    await startTaskCall(sql, input.taskId, { callSid: result.callId, senderId: plan.senderId, at: now });
    await addActivity(sql, {
      workspaceId,
      contactId: plan.contactId,
      type: 'call',
      summary: `Click-to-call: ringing ${plan.repPhone}, then bridging ${plan.prospect} (call ${result.callId})`,
      data: { taskId: input.taskId, callSid: result.callId },
      occurredAt: now,
    });
    const task = await getTask(sql, input.taskId);
    if (!task) throw new Error('the task vanished');
    return viewOf(sql, task, now);
  });
}

async function dialPlan(
  sql: Sql,
  deps: EngineDeps,
  input: { taskId: string; repPhone?: string; record?: boolean; actor?: TaskActor },
) {
  const task = await getTask(sql, input.taskId);
  if (!task) return refuse(404, 'not_found', 'task not found');
  const notYours = ownerRefusal(task, input.actor, 'call it');
  if (notYours) return notYours;
  if (task.status === 'done') return refuse(409, 'conflict', `the task is done (${task.outcome ?? 'closed'})`);
  const repPhone = input.repPhone ?? task.owner.phone;
  if (!repPhone)
    return refuse(400, 'invalid_request', 'repPhone: no rep phone given and the sequence names no callOwner.phone');
  const contact = await getContact(sql, task.contactId);
  if (!contact?.phone) return refuse(409, 'conflict', 'the contact has no phone number any more');
  const accounts = (await listSenderRows(sql, { channel: 'call' })).filter(
    (s) => s.status === 'active' && s.fromPhone && deps.adapters[s.provider].dial,
  );
  const account = accounts[0];
  const dial = account ? deps.adapters[account.provider].dial : undefined;
  if (!account?.fromPhone || !dial) {
    const dialers = Object.values(deps.adapters).filter((adapter) => adapter.dial && adapter.channels.includes('call'));
    const provider = dialers[0]?.provider ?? '…';
    return refuse(
      409,
      'conflict',
      `no call account: register one with POST /v1/senders {"channel":"call","provider":"${provider}","fromPhone":…}`,
    );
  }
  const credentials = openCredentials(deps, account);
  const request = {
    repPhone,
    prospectPhone: contact.phone,
    callerId: account.fromPhone,
    statusCallbackUrl: `${deps.links.publicUrl.replace(/\/+$/, '')}/webhooks/${account.provider}`,
    record: input.record === true,
    consentNotice: CONSENT_NOTICE,
  };
  const adapter = deps.adapters[account.provider];
  return {
    senderId: account.id,
    contactId: task.contactId,
    repPhone,
    prospect: contact.phone,
    pace: () => paceAccount(deps, { adapter, sender: account, credentials, work: { kind: 'dial' } }),
    dial: () => dial(request, credentials, { signal: AbortSignal.timeout(deps.sendTimeoutMs) }),
  };
}

const refuse = (refused: Refusal['refused'], code: string, message: string): Refusal => ({ refused, code, message });

/** A call status from the provider: recorded on the task and the timeline once. */
export async function applyCallStatus(
  deps: EngineDeps,
  workspaceId: string,
  input: { callSid: string; status: string; at: Date },
): Promise<string> {
  return deps.db.tenant(workspaceId, async (sql) => {
    const task = await taskOfCall(sql, input.callSid);
    if (!task) return 'no task of ours';
    if (!(await recordCallStatus(sql, task.id, input))) return 'duplicate';
    await addActivity(sql, {
      workspaceId,
      contactId: task.contactId,
      type: 'call',
      summary: `Call ${input.status.replace('-', ' ')} (${input.callSid})`,
      data: { taskId: task.id, callSid: input.callSid, status: input.status },
      occurredAt: input.at,
    });
    return `call ${input.status}`;
  });
}

export type OutcomeInput = {
  taskId: string;
  outcome: CallOutcome;
  note?: string;
  returnDate?: string;
  /** do_not_call: also stop SMS to the number. */
  alsoSms?: boolean;
  actor?: TaskActor;
};

/** Logs the outcome of a call task and steers the sequence by it. */
export async function recordOutcome(
  deps: EngineDeps,
  workspaceId: string,
  input: OutcomeInput,
): Promise<TaskView | Refusal> {
  const now = deps.clock.now();
  const wake: Date[] = [];
  const result = await deps.db.tenant(workspaceId, async (sql) => {
    const task = await getTask(sql, input.taskId, { lock: true });
    if (!task) return refuse(404, 'not_found', 'task not found');
    const notYours = ownerRefusal(task, input.actor, 'log its outcome');
    if (notYours) return notYours;
    if (task.status === 'done') return refuse(409, 'conflict', `the outcome is already logged (${task.outcome ?? ''})`);
    const enrollment = await getEnrollment(sql, task.enrollmentId, { lock: true });
    await closeTask(sql, task.id, {
      outcome: input.outcome,
      note: input.note ?? null,
      returnDate: input.returnDate ?? null,
      at: now,
    });
    const note = (type: string, summary: string, data: Record<string, unknown> = {}) =>
      addActivity(sql, {
        workspaceId,
        contactId: task.contactId,
        type,
        summary,
        data: { taskId: task.id, enrollmentId: task.enrollmentId, step: task.step, ...data },
        occurredAt: now,
      });
    await note(
      'call_outcome',
      `Call outcome: ${input.outcome.replace(/_/g, ' ')}${input.note ? ` — ${input.note}` : ''}`,
      {
        outcome: input.outcome,
        ...(input.returnDate ? { returnDate: input.returnDate } : {}),
      },
    );
    const running = enrollment?.status === 'active' || enrollment?.status === 'paused';
    const goOn = await steer(sql, { task, input, now, note, workspaceId, running, publicUrl: deps.links.publicUrl });
    if (goOn && enrollment?.status === 'active' && enrollment.nextRunAt && enrollment.nextRunAt > now) {
      await updateEnrollment(sql, enrollment.id, { nextRunAt: now });
      wake.push(now);
    }
    if (input.outcome === 'connected_not_now' && running) wake.push(pauseUntil(task, input, now));
    const closed = await getTask(sql, task.id);
    if (!closed) throw new Error('the task vanished');
    return viewOf(sql, closed, now);
  });
  if (!('refused' in result))
    for (const at of wake) await deps.schedule([{ ref: { workspaceId, enrollmentId: result.enrollmentId }, at }]);
  return result;
}

function pauseUntil(task: Task, input: OutcomeInput, now: Date): Date {
  const date = input.returnDate
    ? DateTime.fromISO(input.returnDate, { zone: task.timezone }).startOf('day').toJSDate()
    : undefined;
  return date && date > now ? date : new Date(now.getTime() + NOT_NOW_DAYS * 86_400_000);
}

/** Carries the outcome out; true when the sequence goes on at once. */
async function steer(
  sql: Sql,
  ctx: {
    task: Task;
    input: OutcomeInput;
    now: Date;
    workspaceId: string;
    running: boolean;
    publicUrl: string;
    note: (type: string, summary: string, data?: Record<string, unknown>) => Promise<void>;
  },
): Promise<boolean> {
  const { task, input, now, note, workspaceId } = ctx;
  const phone = { email: null, phone: task.phone, linkedinUrl: null };
  switch (input.outcome) {
    case 'connected_interested':
      await setContactStatus(sql, task.contactId, 'interested');
      if (await stopEnrollment(sql, task.enrollmentId, 'replied'))
        await note('stopped', 'Sequence stopped: interested on the call', { reason: 'replied' });
      await note('handoff', 'Hand-off: interested on the call — follow up personally', { outcome: input.outcome });
      // One hand-off per call task (its id is the cause), like an interested reply's.
      await createHandoff(sql, {
        workspaceId,
        contactId: task.contactId,
        cause: {
          source: 'call',
          sourceRef: task.id,
          intent: 'interested',
          ...(input.note ? { note: input.note } : {}),
        },
        now,
        publicUrl: ctx.publicUrl,
      });
      return false;
    case 'connected_not_now': {
      if (!ctx.running) return false;
      const until = pauseUntil(task, input, now);
      await pauseEnrollment(sql, task.enrollmentId, { reason: 'not_now', until });
      await note('paused', `Paused until ${until.toISOString().slice(0, 10)}: not now on the call`);
      return false;
    }
    case 'connected_not_interested':
      await setContactStatus(sql, task.contactId, 'not_interested');
      if (await stopEnrollment(sql, task.enrollmentId, 'replied'))
        await note('stopped', 'Sequence stopped: not interested on the call', { reason: 'replied' });
      return false;
    case 'do_not_call':
      await suppressContact(sql, workspaceId, phone, 'call', 'do_not_call');
      if (input.alsoSms) {
        await suppressContact(sql, workspaceId, phone, 'sms', 'do_not_call');
        await setSmsOptIn(sql, task.contactId, false);
      }
      await note('suppressed', `Do not call: calls${input.alsoSms ? ' and SMS' : ''} to ${task.phone} suppressed`);
      return true;
    case 'wrong_number':
      await clearContactPhone(sql, task.contactId);
      await note('phone_cleared', `Wrong number: ${task.phone} removed from the contact`);
      return true;
    case 'voicemail':
    case 'no_answer':
      return true;
  }
}
