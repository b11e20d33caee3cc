// Step conditions, evaluated when a step is due against what happened to earlier steps. All of a
// step's conditions must hold. "Not replied" is not a condition here: a reply ends the enrollment
// before any condition is looked at.
import type { Channel } from './channels.ts';
import type { StepCondition } from './sequence.ts';

/** One earlier attempt of a step, as the engine recorded it (opens and clicks from tracking). */
export type StepHistoryEntry = {
  stepIndex: number;
  channel: Channel;
  status: string;
  opened: boolean;
  clicked: boolean;
  /** When it went out (a LinkedIn request's age decides when it counts as declined). */
  sentAt?: Date | null;
};

export type ConditionContext = {
  history: readonly StepHistoryEntry[];
  contact: object;
  linkedinConnected: boolean;
};

export type ConditionResult = { met: true } | { met: false; reason: string };

export function evaluateConditions(
  conditions: readonly StepCondition[] | undefined,
  context: ConditionContext,
): ConditionResult {
  for (const condition of conditions ?? []) {
    const failure = failureOf(condition, context);
    if (failure !== null) return { met: false, reason: `condition not met: ${failure}` };
  }
  return { met: true };
}

/**
 * Why the condition fails, or null when it holds. `not_opened` / `not_clicked` hold when the step
 * was never sent (skipped or fell through): nothing of it was opened.
 */
function failureOf(condition: StepCondition, context: ConditionContext): string | null {
  switch (condition.type) {
    case 'opened':
      return someEntry(context, condition.step, 'opened') ? null : `step ${condition.step} was not opened`;
    case 'not_opened':
      return someEntry(context, condition.step, 'opened') ? `step ${condition.step} was opened` : null;
    case 'clicked':
      return someEntry(context, condition.step, 'clicked') ? null : `step ${condition.step} was not clicked`;
    case 'not_clicked':
      return someEntry(context, condition.step, 'clicked') ? `step ${condition.step} was clicked` : null;
    case 'linkedin_connected':
      return context.linkedinConnected ? null : 'not connected on LinkedIn';
    case 'not_linkedin_connected':
      return context.linkedinConnected ? 'already connected on LinkedIn' : null;
    case 'has_field':
      return hasField(context.contact, condition.field) ? null : `contact has no ${condition.field}`;
  }
}

function someEntry(context: ConditionContext, step: number, flag: 'opened' | 'clicked'): boolean {
  return context.history.some((entry) => entry.stepIndex === step && entry[flag]);
}

/**
 * A dotted path ("enrichment.techStack") has a value: not null or undefined, not an empty or
 * blank string, not an empty list or object, not `false`.
 */
export function hasField(contact: object, field: string): boolean {
  let current: unknown = contact;
  for (const key of field.split('.')) {
    if (current === null || typeof current !== 'object') return false;
    const next: unknown = Reflect.get(current, key);
    current = next;
  }
  if (current === null || current === undefined || current === false) return false;
  if (typeof current === 'string') return current.trim() !== '';
  if (Array.isArray(current)) return current.length > 0;
  if (typeof current === 'object') return Object.keys(current).length > 0;
  return true;
}
