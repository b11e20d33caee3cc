// A call step becomes work for a person: a task with the contact, the best number, the contact's
// local time, why the call is due and the writer's talk track (written like any step, so the
// model, its cache and the content checks apply). The sequence waits on the task until its due
// time (core/callTask.ts), then goes on; an outcome logged earlier moves it at once
// (commands/tasks.ts). No message row and no provider call: a person dials.
import { callTaskDueAt } from '../../core/callTask.ts';
import { addActivity } from '../../db/activities.ts';
import type { Sql } from '../../db/database.ts';
import { updateEnrollment } from '../../db/enrollments.ts';
import type { Sequence } from '../../db/sequences.ts';
import { insertTask } from '../../db/tasks.ts';
import type { EngineDeps } from '../ports.ts';
import type { AfterCommit, Claiming } from './types.ts';

export async function createCallTask(
  tx: Sql,
  deps: EngineDeps,
  input: { claiming: Claiming; sequence: Sequence; zone: string; now: Date; after: AfterCommit },
): Promise<void> {
  const { claiming, sequence, zone, now } = input;
  const r = claiming.reservation;
  const settings = sequence.settings;
  const dueAt = callTaskDueAt({
    now,
    zone,
    schedule: sequence.schedule,
    ...(settings.callTaskDueHours !== undefined ? { dueHours: settings.callTaskDueHours } : {}),
  });
  const reason = `${claiming.template.replace(/_/g, ' ')}: step ${r.step + 1} of ${sequence.steps.length} of "${sequence.name}"`;
  const created = await insertTask(tx, {
    id: r.id,
    workspaceId: r.workspaceId,
    enrollmentId: r.enrollmentId,
    contactId: r.contactId,
    sequenceId: r.sequenceId,
    step: r.step,
    owner: settings.callOwner ?? {},
    phone: r.recipient ?? claiming.contact.phone ?? '',
    timezone: zone,
    reason,
    talkTrack: r.body,
    dueAt,
    senderId: r.senderId,
    createdAt: now,
  });
  await updateEnrollment(tx, r.enrollmentId, {
    currentStep: r.step + 1,
    nextRunAt: dueAt,
    hold: { by: 'task', ref: r.id },
  });
  if (created)
    await addActivity(tx, {
      workspaceId: r.workspaceId,
      contactId: r.contactId,
      type: 'task',
      summary: `Call task for step ${r.step}: call ${r.recipient ?? 'the contact'} by ${dueAt.toISOString()} (${reason})`,
      data: {
        taskId: r.id,
        enrollmentId: r.enrollmentId,
        sequenceId: r.sequenceId,
        step: r.step,
        dueAt: dueAt.toISOString(),
      },
      occurredAt: now,
    });
  const ref = { workspaceId: r.workspaceId, enrollmentId: r.enrollmentId };
  input.after.push(() => deps.schedule([{ ref, at: dueAt }]));
}
