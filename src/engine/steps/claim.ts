// The second move of reserving a step: after the deciding transaction (reserveStep.ts) committed,
// the message row `sending` and the account's quota claim in one statement (claimAndReserve), and
// when the account refused, the deferral in a short transaction.
import { updateEnrollment } from '../../db/enrollments.ts';
import { claimAndReserve } from '../../db/reservations.ts';
import type { EngineDeps } from '../ports.ts';
import type { AfterCommit, Claiming, Reserved } from './types.ts';
import { explainRefusal, withRollingWeek } from './senderChoice.ts';
import { CONNECTION_REQUEST } from '../../core/channels.ts';
import { enrichmentFacts, priorityDelaySeconds, priorityPoints } from '../../core/linkedinPriority.ts';
import { planScore } from '../../writer/plan.ts';
import { toWriterContact } from './writerInput.ts';

/**
 * Reserves a written step (see Claiming): the message row `sending` and the account's quota in one
 * statement, then, when the account refused, the deferral in a short transaction.
 */
export async function claimStep(deps: EngineDeps, claiming: Claiming): Promise<Reserved> {
  const { reservation: r } = claiming;
  const claim = await claimAndReserve(deps.db, r);
  if (claim.kind === 'reserved')
    return {
      kind: 'deliver',
      message: claim.message,
      sender: claiming.sender,
      contact: claiming.contact,
      last: claiming.last,
    };
  if (claim.kind === 'moved') return { kind: 'idle' };
  const after: AfterCommit = [];
  await deps.db.tenant(r.workspaceId, async (sql) => {
    if (claim.kind === 'exists') {
      // The step already has a final message (sent before a crash was recorded): move on.
      await updateEnrollment(sql, r.enrollmentId, { currentStep: r.step + 1, nextRunAt: r.reservedAt });
      const ref = { workspaceId: r.workspaceId, enrollmentId: r.enrollmentId };
      after.push(() => deps.schedule([{ ref, at: r.reservedAt }]));
      return;
    }
    if (!claiming.sender || !r.caps) return;
    const usage = await withRollingWeek(sql, claiming.sender, claiming.template, claim.usage, r.reservedAt);
    const { until, reason } = explainRefusal(claiming.sender, {
      template: claiming.template,
      status: claim.status,
      usage,
      domainToday: claim.domainToday,
      capped: r.caps,
      now: r.reservedAt,
      whatsapp: claim.whatsapp,
    });
    await claiming.defer(sql, after, prioritized(claiming, until), reason, { by: 'quota', ref: claiming.sender.id });
  });
  for (const action of after) await action();
  return { kind: 'idle' };
}

/**
 * A deferred connection request retries later the lower the contact's plan score and the less we
 * know of it (core/linkedinPriority.ts).
 */
function prioritized(claiming: Claiming, until: Date): Date {
  if (claiming.template !== CONNECTION_REQUEST || claiming.sender?.channel !== 'linkedin') return until;
  const points = priorityPoints({
    facts: enrichmentFacts(claiming.contact.enrichment),
    planScore: planScore(toWriterContact(claiming.contact), claiming.offer ?? undefined),
  });
  return new Date(until.getTime() + priorityDelaySeconds(points) * 1000);
}
