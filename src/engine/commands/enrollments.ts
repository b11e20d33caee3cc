// An enrollment as the API shows it, and the messages list.
import { listTimeline } from '../../db/activities.ts';
import { getEnrollment } from '../../db/enrollments.ts';
import { listMessages, messagesOfEnrollment, type MessageFilter } from '../../db/messages.ts';
import type { EngineDeps } from '../ports.ts';

type Deps = Pick<EngineDeps, 'db'>;

/** Status, current step, next run, its messages and its history; undefined when unknown. */
export async function enrollmentView(deps: Deps, workspaceId: string, id: string) {
  return deps.db.tenant(workspaceId, async (sql) => {
    const enrollment = await getEnrollment(sql, id);
    if (!enrollment) return undefined;
    const messages = await messagesOfEnrollment(sql, enrollment.id);
    const timeline = await listTimeline(sql, enrollment.contactId, { limit: 200 });
    return {
      id: enrollment.id,
      sequenceId: enrollment.sequenceId,
      contactId: enrollment.contactId,
      status: enrollment.status,
      stopReason: enrollment.stopReason,
      pauseReason: enrollment.pauseReason,
      pausedUntil: enrollment.pausedUntil?.toISOString() ?? null,
      currentStep: enrollment.currentStep,
      nextRunAt: enrollment.nextRunAt?.toISOString() ?? null,
      enrolledAt: enrollment.enrolledAt.toISOString(),
      variant: enrollment.variant,
      messages: messages.map((m) => ({
        id: m.id,
        step: m.step,
        channel: m.channel,
        status: m.status,
        sentAt: m.sentAt?.toISOString() ?? null,
      })),
      history: timeline.data.filter((a) => a.data.enrollmentId === enrollment.id),
    };
  });
}

export const messagesPage = (deps: Deps, workspaceId: string, filter: MessageFilter) =>
  deps.db.tenant(workspaceId, (sql) => listMessages(sql, filter));
