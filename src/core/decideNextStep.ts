// The one decision the engine asks for an enrollment: send step N now on channel X, wait until T,
// skip step N (and why), hold (manually paused) or exit. Pure: the engine carries it out, records
// it on the timeline and asks again (after a skip or a send it advances currentStep first).
// Quotas are not decided here: they depend on the chosen account. On a quota refusal the engine
// defers to nextAllowedSlot({ after: retryAt, … }) and asks again then.
import { CONNECTION_REQUEST, type Channel } from './channels.ts';
import { planChannel, type ReachableContact } from './channelPlanner.ts';
import { evaluateConditions, type StepHistoryEntry } from './conditions.ts';
import { isInsideWindow, nextAllowedSlot } from './sendingWindow.ts';
import {
  DEFAULT_ACCEPTANCE_TIMEOUT_DAYS,
  DEFAULT_REQUEST_EXPIRY_DAYS,
  type FallbackPolicy,
  type Schedule,
  type Step,
} from './sequence.ts';

export type EnrollmentStatus = 'active' | 'paused' | 'completed' | 'stopped';

export type EnrollmentState = {
  status: EnrollmentStatus;
  /** 0-based index of the next step to run. */
  currentStep: number;
  enrolledAt: Date;
  /** For a paused enrollment: resume at this instant (out-of-office); null = until resumed by hand. */
  pausedUntil?: Date | null;
};

/** `jitter`: the window is open and the step waits out its random spacing (schedule.jitterSeconds). */
/** `awaiting_connection`: a LinkedIn message waits for its connection request to be accepted. */
export type WaitReason = 'not_due' | 'paused' | 'outside_window' | 'jitter' | 'awaiting_connection';

export type NextStepDecision =
  | {
      kind: 'send';
      stepIndex: number;
      channel: Channel;
      template: string;
      subject?: string;
      fellBackFrom?: Channel[];
      /** Timeline text when the step fell back ("WhatsApp: no WhatsApp opt-in → SMS"). */
      fallbackReason?: string;
      dueAt: Date;
    }
  | { kind: 'wait'; until: Date; reason: WaitReason; stepIndex?: number }
  | { kind: 'skip'; stepIndex: number; reason: string }
  | { kind: 'hold'; reason: 'paused' }
  | { kind: 'exit'; reason: 'replied' | 'completed' | 'stopped' };

const DAY_MS = 86_400_000;

export type DecideNextStepInput = {
  enrollment: EnrollmentState;
  sequence: { steps: readonly Step[]; schedule?: Schedule; fallback?: FallbackPolicy };
  history: readonly StepHistoryEntry[];
  /** Any contact record: planning reads email/phone/linkedinUrl/opt-ins, has_field any dotted path. */
  contact: ReachableContact;
  replied: boolean;
  linkedinConnected: boolean;
  /** Days after which a pending connection request counts as declined (DEFAULT_REQUEST_EXPIRY_DAYS). */
  linkedinRequestExpiryDays?: number;
  now: Date;
  /** The contact's resolved zone (resolveContactTimezone). Without it no sending window applies. */
  zone?: string;
  /** Stable per enrollment (its id): the jitter of each step is derived from it. */
  seed?: string;
};

/** When a step is due, before window and quotas: enrolledAt + day × 24 h. */
export function stepDueAt(enrolledAt: Date, step: Pick<Step, 'day'>): Date {
  return new Date(enrolledAt.getTime() + step.day * DAY_MS);
}

export function decideNextStep(input: DecideNextStepInput): NextStepDecision {
  const { enrollment, sequence, now } = input;
  if (enrollment.status === 'stopped') return { kind: 'exit', reason: 'stopped' };
  if (enrollment.status === 'completed') return { kind: 'exit', reason: 'completed' };
  if (input.replied) return { kind: 'exit', reason: 'replied' };
  if (enrollment.status === 'paused') {
    if (!enrollment.pausedUntil) return { kind: 'hold', reason: 'paused' };
    if (enrollment.pausedUntil.getTime() > now.getTime()) {
      return { kind: 'wait', until: enrollment.pausedUntil, reason: 'paused' };
    }
    // The pause is over: decide as if active (the engine flips the status back).
  }

  const stepIndex = enrollment.currentStep;
  const step = sequence.steps[stepIndex];
  if (!step) return { kind: 'exit', reason: 'completed' };

  const dueAt = stepDueAt(enrollment.enrolledAt, step);
  const window = windowFor(input, stepIndex);
  if (dueAt.getTime() > now.getTime()) {
    return { kind: 'wait', until: window ? window.slotAfter(dueAt) : dueAt, reason: 'not_due', stepIndex };
  }

  const conditions = evaluateConditions(step.conditions, {
    history: input.history,
    contact: input.contact,
    linkedinConnected: input.linkedinConnected,
  });
  if (!conditions.met) return { kind: 'skip', stepIndex, reason: conditions.reason };

  const acceptance = awaitingAcceptance(input, step, dueAt);
  if (acceptance) return { kind: 'wait', until: acceptance, reason: 'awaiting_connection', stepIndex };

  const plan = planChannel({
    step,
    contact: input.contact,
    ...(sequence.fallback ? { policy: sequence.fallback } : {}),
    linkedinConnected: input.linkedinConnected,
  });
  if (plan.skip) return { kind: 'skip', stepIndex, reason: plan.reason };

  if (window) {
    // The slot is anchored on dueAt so that asking again at the slot does not draw a new jitter.
    const slot = window.slotAfter(dueAt);
    if (slot.getTime() > now.getTime())
      return { kind: 'wait', until: slot, reason: window.inside(now) ? 'jitter' : 'outside_window', stepIndex };
    if (!window.inside(now)) return { kind: 'wait', until: window.slotAfter(now), reason: 'outside_window', stepIndex };
  }

  return {
    kind: 'send',
    stepIndex,
    channel: plan.channel,
    template: step.template,
    ...(step.subject !== undefined ? { subject: step.subject } : {}),
    ...(plan.fellBackFrom ? { fellBackFrom: plan.fellBackFrom } : {}),
    ...(plan.reason !== undefined ? { fallbackReason: plan.reason } : {}),
    dueAt,
  };
}

/**
 * A LinkedIn message whose connection request went out in this enrollment and is not accepted yet
 * waits for the acceptance until the step's timeout (then the planner falls back, as for any
 * contact not connected). The acceptance wakes the enrollment (engine/events/applyEffects.ts).
 */
export function awaitingAcceptance(
  input: Pick<
    DecideNextStepInput,
    'sequence' | 'history' | 'contact' | 'linkedinConnected' | 'now' | 'linkedinRequestExpiryDays'
  >,
  step: Step,
  dueAt: Date,
): Date | undefined {
  if (step.channel !== 'linkedin' || step.template === CONNECTION_REQUEST || input.linkedinConnected) return undefined;
  const requested = input.history.find(
    (h) =>
      h.channel === 'linkedin' &&
      input.sequence.steps[h.stepIndex]?.template === CONNECTION_REQUEST &&
      ['sent', 'delivered'].includes(h.status),
  );
  if (!requested) return undefined;
  const timeout = dueAt.getTime() + (step.acceptanceTimeoutDays ?? DEFAULT_ACCEPTANCE_TIMEOUT_DAYS) * DAY_MS;
  // A request pending past its expiry counts as declined: no longer worth waiting for.
  const expiry = requested.sentAt
    ? requested.sentAt.getTime() + (input.linkedinRequestExpiryDays ?? DEFAULT_REQUEST_EXPIRY_DAYS) * DAY_MS
    : Infinity;
  const until = Math.min(timeout, expiry);
  return until > input.now.getTime() ? new Date(until) : undefined;
}

type Window = { slotAfter: (after: Date) => Date; inside: (instant: Date) => boolean };

function windowFor(input: DecideNextStepInput, stepIndex: number): Window | null {
  const { zone } = input;
  const schedule = input.sequence.schedule;
  if (!zone || !schedule) return null;
  const seed = `${input.seed ?? input.enrollment.enrolledAt.toISOString()}:step:${stepIndex}`;
  return {
    slotAfter: (after) => nextAllowedSlot({ after, schedule, zone, seed }),
    inside: (instant) => isInsideWindow(instant, schedule, zone),
  };
}
