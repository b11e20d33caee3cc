// Sequence definitions: steps, conditions, fallbacks and the sending schedule, with validation
// that answers in precise, path-first messages ("steps[3].day (2) is before steps[2].day (5)").
import { z } from 'zod';
import { isValidZone } from './timezone.ts';
import { Channel, CONNECTION_REQUEST, isLinkedinMessage } from './channels.ts';
import { describeValue, formatIssues, type ValidationResult } from './validationErrors.ts';

const stepRef = z.number().int().min(0);

// Names, template names and subjects are one line of valid Unicode: no C0 control (NUL can never
// be stored), no DEL, no line break, no lone UTF-16 surrogate.
const LINE_CONTROL = /[\u0000-\u001F\u007F]/;
const LONE_SURROGATE = /\p{Cs}/u;

function oneLine(text: z.ZodString) {
  return text.superRefine((value, ctx) => {
    const surrogate = LONE_SURROGATE.exec(value);
    if (surrogate) {
      ctx.addIssue({ code: 'custom', message: `contains a lone UTF-16 surrogate (${codePoint(surrogate[0])})` });
      return;
    }
    const control = LINE_CONTROL.exec(value);
    if (control) ctx.addIssue({ code: 'custom', message: `contains a control character (${codePoint(control[0])})` });
  });
}

function codePoint(char: string): string {
  return `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export const StepCondition = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('opened'), step: stepRef }),
  z.strictObject({ type: z.literal('not_opened'), step: stepRef }),
  z.strictObject({ type: z.literal('clicked'), step: stepRef }),
  z.strictObject({ type: z.literal('not_clicked'), step: stepRef }),
  z.strictObject({ type: z.literal('linkedin_connected') }),
  z.strictObject({ type: z.literal('not_linkedin_connected') }),
  z.strictObject({
    type: z.literal('has_field'),
    field: z.string().superRefine((value, ctx) => {
      if (!FIELD_PATH.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a field name like "phone" or "enrichment.techStack" (got ${describeValue(value)})`,
        });
      }
    }),
  }),
]);
export type StepCondition = z.infer<typeof StepCondition>;

/** `'skip'`, or the channels to try in order when the step's own channel cannot reach the contact. */
export const StepFallback = z.union([z.literal('skip'), z.array(Channel).min(1).max(4)], {
  error: 'must be "skip" or a list of channels',
});
export type StepFallback = z.infer<typeof StepFallback>;

/** Sequence-wide fallbacks per primary channel; a step's own `fallback` overrides it. */
export const FallbackPolicy = z.partialRecord(Channel, StepFallback);
export type FallbackPolicy = z.infer<typeof FallbackPolicy>;

export const DEFAULT_FALLBACK_POLICY: Readonly<Record<Channel, StepFallback>> = {
  email: 'skip',
  linkedin: ['email'],
  whatsapp: ['sms', 'email'],
  sms: ['email'],
  call: ['email'],
};

export const Step = z.strictObject({
  day: z.number().int().min(0).max(365),
  channel: Channel,
  template: oneLine(z.string().min(1).max(64)),
  subject: oneLine(z.string().min(1).max(200)).optional(),
  conditions: z.array(StepCondition).max(10).optional(),
  fallback: StepFallback.optional(),
  /** A LinkedIn message after a connection request waits this long for the acceptance, then falls back. */
  acceptanceTimeoutDays: z.number().int().min(1).max(60).optional(),
});
export type Step = z.infer<typeof Step>;

/** How long a LinkedIn message waits for its connection request to be accepted, by default. */
export const DEFAULT_ACCEPTANCE_TIMEOUT_DAYS = 14;

/**
 * A connection request still pending this many days after it went out counts as declined (the
 * engine's `linkedinRequestExpiryDays` sets another): a message step waiting for it stops waiting.
 */
export const DEFAULT_REQUEST_EXPIRY_DAYS = 21;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Minutes after local midnight for "HH:MM"; "24:00" is 1440 (the end of the day). */
export function clockToMinutes(clock: string): number {
  if (clock === '24:00') return 1440;
  const [hours, minutes] = clock.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

const clock = (allow24: boolean) =>
  z.string().superRefine((value, ctx) => {
    if (CLOCK.test(value) || (allow24 && value === '24:00')) return;
    const range = allow24 ? '00:00 and 24:00' : '00:00 and 23:59';
    ctx.addIssue({ code: 'custom', message: `must be HH:MM between ${range} (got ${describeValue(value)})` });
  });

export const Schedule = z
  .strictObject({
    timezone: z
      .string()
      .superRefine((value, ctx) => {
        if (!isValidZone(value)) {
          ctx.addIssue({
            code: 'custom',
            message: `${describeValue(value)} is not a valid IANA timezone (e.g. "Europe/Berlin")`,
          });
        }
      })
      .default('UTC'),
    days: z
      .array(Weekday)
      .min(1)
      .superRefine((days, ctx) => {
        const seen = new Set<Weekday>();
        for (const day of days) {
          if (seen.has(day)) ctx.addIssue({ code: 'custom', message: `lists "${day}" twice` });
          seen.add(day);
        }
      })
      .default(['mon', 'tue', 'wed', 'thu', 'fri']),
    start: clock(false).default('08:00'),
    end: clock(true).default('17:00'),
    jitterSeconds: z.number().int().min(0).max(3600).default(300),
  })
  .superRefine((schedule, ctx) => {
    const readable = CLOCK.test(schedule.start) && (CLOCK.test(schedule.end) || schedule.end === '24:00');
    if (readable && clockToMinutes(schedule.end) <= clockToMinutes(schedule.start)) {
      ctx.addIssue({
        code: 'custom',
        path: ['end'],
        message: `(${schedule.end}) must be after schedule.start (${schedule.start}); windows over midnight are not supported`,
      });
    }
  });
export type Schedule = z.infer<typeof Schedule>;

export const DEFAULT_SCHEDULE: Schedule = Schedule.parse({});

export const SequenceInput = z
  .object({
    name: oneLine(z.string().trim().min(1).max(120)),
    steps: z.array(Step).min(1).max(50),
    schedule: Schedule.prefault({}),
    fallback: FallbackPolicy.default(() => ({ ...DEFAULT_FALLBACK_POLICY })),
    stopOnReply: z.boolean().default(true),
    pauseColleaguesOnReply: z.boolean().default(false),
    /** A/B/C: each contact is assigned one of this many writer variants, deterministically. */
    variants: z.number().int().min(1).max(5).default(1),
    /** Email: open pixel and click redirects in the HTML part (docs/email.md). */
    tracking: z.boolean().default(true),
    /** Email: the first touch goes out as text/plain only, with nothing tracked. */
    plainTextFirstTouch: z.boolean().default(false),
    /** SMS: the most segments one message may take (GSM-7 160/153, UCS-2 70/67 characters each; docs/sms.md). */
    smsMaxSegments: z.number().int().min(1).max(10).default(1),
    /** Calls: who makes this sequence's calls (a workspace user, a rep's phone for click-to-call; docs/calls.md). */
    callOwner: z
      .strictObject({
        userId: z.uuid().optional(),
        phone: z
          .string()
          .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number (+15551234567)')
          .optional(),
        name: z.string().trim().min(1).max(120).optional(),
      })
      .optional(),
    /** Calls: hours a call task waits before the sequence goes on (default: the end of the contact's business day). */
    callTaskDueHours: z.number().int().min(1).max(168).optional(),
  })
  .superRefine((sequence, ctx) => {
    for (const issue of crossStepIssues(sequence.steps, sequence.fallback)) ctx.addIssue({ code: 'custom', ...issue });
  });
export type SequenceInput = z.infer<typeof SequenceInput>;
/** What callers may send: everything with a default is optional. */
export type SequenceInputRaw = z.input<typeof SequenceInput>;

export function validateSequence(input: unknown): ValidationResult<SequenceInput> {
  const result = SequenceInput.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, errors: formatIssues(result.error.issues, input) };
}

type PathIssue = { path: (string | number)[]; message: string };

/** Rules that need several steps at once. Messages are the predicate after the path. */
function crossStepIssues(steps: readonly Step[], policy: FallbackPolicy): PathIssue[] {
  const issues: PathIssue[] = [];
  let connectionRequestSeen = false;
  steps.forEach((step, i) => {
    const previous = steps[i - 1];
    if (previous && step.day < previous.day) {
      issues.push({
        path: ['steps', i, 'day'],
        message: `(${step.day}) is before steps[${i - 1}].day (${previous.day})`,
      });
    }
    step.conditions?.forEach((condition, j) => {
      if (!('step' in condition) || condition.step < i) return;
      const earlier = i === 0 ? ', but steps[0] is the first step' : ` (0..${i - 1})`;
      issues.push({
        path: ['steps', i, 'conditions', j, 'step'],
        message: `(${condition.step}) must refer to an earlier step${earlier}`,
      });
    });
    const linkedinOnly = step.template === CONNECTION_REQUEST || step.template === 'linkedin_dm';
    if (linkedinOnly && step.channel !== 'linkedin') {
      issues.push({
        path: ['steps', i, 'template'],
        message: `"${step.template}" only works on the linkedin channel (got channel "${step.channel}")`,
      });
    } else if (isLinkedinMessage(step.channel, step.template) && !connectionRequestSeen) {
      issues.push({
        path: ['steps', i],
        message: `is a LinkedIn message (template "${step.template}") and needs an earlier linkedin step with template "connection_request"`,
      });
    }
    if (step.channel === 'linkedin' && step.template === CONNECTION_REQUEST) connectionRequestSeen = true;
    if (step.fallback) issues.push(...fallbackIssues(step.fallback, step.channel, ['steps', i, 'fallback']));
  });
  for (const [channel, fallback] of Object.entries(policy)) {
    const parsed = Channel.safeParse(channel);
    if (parsed.success && fallback) issues.push(...fallbackIssues(fallback, parsed.data, ['fallback', channel]));
  }
  return issues;
}

function fallbackIssues(fallback: StepFallback, own: Channel, path: (string | number)[]): PathIssue[] {
  if (fallback === 'skip') return [];
  const issues: PathIssue[] = [];
  if (fallback.includes(own)) issues.push({ path, message: `must not include the step's own channel (${own})` });
  const seen = new Set<Channel>();
  for (const channel of fallback) {
    if (seen.has(channel)) issues.push({ path, message: `lists ${channel} twice` });
    seen.add(channel);
  }
  return issues;
}
