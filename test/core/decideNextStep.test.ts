import { describe, expect, it } from 'vitest';
import { decideNextStep, type DecideNextStepInput } from '../../src/core/decideNextStep.ts';
import type { StepHistoryEntry } from '../../src/core/conditions.ts';
import { PRESETS } from '../../src/core/presets.ts';
import type { Schedule, Step } from '../../src/core/sequence.ts';

const enrolledAt = new Date('2025-06-02T09:00:00Z'); // Monday
const DAY = 86_400_000;
const at = (days: number, extraMs = 0) => new Date(enrolledAt.getTime() + days * DAY + extraMs);

const contact = {
  email: 'jane@acme.com',
  phone: '+14155550100',
  linkedinUrl: 'https://www.linkedin.com/in/jane',
  whatsappOptIn: true,
  enrichment: { techStack: ['postgres'], painPoints: [] },
};

const standard = PRESETS.standard_b2b;

function input(overrides: Partial<DecideNextStepInput> & { currentStep?: number }): DecideNextStepInput {
  const { currentStep = 0, ...rest } = overrides;
  return {
    enrollment: { status: 'active', currentStep, enrolledAt },
    sequence: { steps: standard.steps, fallback: standard.fallback },
    history: [],
    contact,
    replied: false,
    linkedinConnected: false,
    now: enrolledAt,
    ...rest,
  };
}

const sent = (stepIndex: number, opened = false, clicked = false): StepHistoryEntry => ({
  stepIndex,
  channel: 'email',
  status: 'sent',
  opened,
  clicked,
});

describe('decideNextStep: lifecycle', () => {
  it('sends a due step without a window', () => {
    expect(decideNextStep(input({}))).toEqual({
      kind: 'send',
      stepIndex: 0,
      channel: 'email',
      template: 'intro',
      dueAt: enrolledAt,
    });
  });

  it('waits for a step that is not due yet (day × 24 h)', () => {
    expect(decideNextStep(input({ currentStep: 1, now: at(1) }))).toEqual({
      kind: 'wait',
      until: at(2),
      reason: 'not_due',
      stepIndex: 1,
    });
  });

  it.each([
    ['replied always exits', { replied: true }, { kind: 'exit', reason: 'replied' }],
    [
      'a reply on a paused enrollment exits',
      { replied: true, enrollment: { status: 'paused', currentStep: 1, enrolledAt } },
      { kind: 'exit', reason: 'replied' },
    ],
    ['stopped', { enrollment: { status: 'stopped', currentStep: 1, enrolledAt } }, { kind: 'exit', reason: 'stopped' }],
    [
      'completed',
      { enrollment: { status: 'completed', currentStep: 7, enrolledAt } },
      { kind: 'exit', reason: 'completed' },
    ],
    [
      'past the last step',
      { enrollment: { status: 'active', currentStep: 7, enrolledAt }, now: at(30) },
      { kind: 'exit', reason: 'completed' },
    ],
    [
      'manual pause holds',
      { enrollment: { status: 'paused', currentStep: 1, enrolledAt, pausedUntil: null } },
      { kind: 'hold', reason: 'paused' },
    ],
    [
      'out-of-office pause waits',
      { enrollment: { status: 'paused', currentStep: 1, enrolledAt, pausedUntil: at(9) } },
      { kind: 'wait', until: at(9), reason: 'paused' },
    ],
  ] as const)('%s', (_name, overrides, expected) => {
    expect(decideNextStep(input(overrides))).toEqual(expected);
  });

  it('an elapsed pause proceeds as active', () => {
    const decision = decideNextStep(
      input({ enrollment: { status: 'paused', currentStep: 1, enrolledAt, pausedUntil: at(3) }, now: at(3) }),
    );
    expect(decision).toMatchObject({ kind: 'send', stepIndex: 1, channel: 'linkedin', template: 'connection_request' });
  });
});

describe('decideNextStep: channels', () => {
  it('falls back and says why', () => {
    const decision = decideNextStep(
      input({ currentStep: 3, now: at(7), contact: { ...contact, whatsappOptIn: false, smsOptIn: true } }),
    );
    expect(decision).toEqual({
      kind: 'send',
      stepIndex: 3,
      channel: 'sms',
      template: 'casual_checkin',
      fellBackFrom: ['whatsapp'],
      fallbackReason: 'WhatsApp: no WhatsApp opt-in → SMS',
      dueAt: at(7),
    });
  });

  it('skips when no channel can reach the contact', () => {
    const decision = decideNextStep(input({ currentStep: 0, contact: { phone: '+14155550100' } }));
    expect(decision).toEqual({ kind: 'skip', stepIndex: 0, reason: 'email: no email address; no fallback' });
  });

  it('skips an invitation to someone already connected', () => {
    expect(decideNextStep(input({ currentStep: 1, now: at(2), linkedinConnected: true }))).toEqual({
      kind: 'skip',
      stepIndex: 1,
      reason: 'already connected on LinkedIn',
    });
  });

  it('passes the subject on', () => {
    const steps: Step[] = [{ day: 0, channel: 'email', template: 'intro', subject: 'Quick question' }];
    expect(decideNextStep(input({ sequence: { steps } }))).toMatchObject({ kind: 'send', subject: 'Quick question' });
  });
});

describe('decideNextStep: conditions', () => {
  const steps: Step[] = [
    { day: 0, channel: 'email', template: 'intro' },
    { day: 0, channel: 'linkedin', template: 'connection_request' },
    { day: 3, channel: 'email', template: 'x', conditions: [{ type: 'opened', step: 0 }] },
    { day: 3, channel: 'email', template: 'x', conditions: [{ type: 'not_opened', step: 0 }] },
    { day: 3, channel: 'email', template: 'x', conditions: [{ type: 'clicked', step: 0 }] },
    { day: 3, channel: 'email', template: 'x', conditions: [{ type: 'not_clicked', step: 0 }] },
    { day: 3, channel: 'linkedin', template: 'linkedin_dm', conditions: [{ type: 'linkedin_connected' }] },
    { day: 3, channel: 'linkedin', template: 'connection_request', conditions: [{ type: 'not_linkedin_connected' }] },
    { day: 3, channel: 'email', template: 'x', conditions: [{ type: 'has_field', field: 'enrichment.techStack' }] },
    { day: 3, channel: 'email', template: 'x', conditions: [{ type: 'has_field', field: 'enrichment.painPoints' }] },
    {
      day: 3,
      channel: 'email',
      template: 'x',
      conditions: [
        { type: 'has_field', field: 'phone' },
        { type: 'opened', step: 2 },
      ],
    },
  ];
  const opened = [sent(0, true)];
  const clicked = [sent(0, true, true)];
  const cases: [number, StepHistoryEntry[], boolean, string | null][] = [
    [2, opened, false, null],
    [2, [sent(0)], false, 'condition not met: step 0 was not opened'],
    [2, [], false, 'condition not met: step 0 was not opened'],
    [3, [sent(0)], false, null],
    [3, [], false, null],
    [3, opened, false, 'condition not met: step 0 was opened'],
    [4, clicked, false, null],
    [4, opened, false, 'condition not met: step 0 was not clicked'],
    [5, opened, false, null],
    [5, clicked, false, 'condition not met: step 0 was clicked'],
    [6, [], true, null],
    [6, [], false, 'condition not met: not connected on LinkedIn'],
    [7, [], false, null],
    [7, [], true, 'condition not met: already connected on LinkedIn'],
    [8, [], false, null],
    [9, [], false, 'condition not met: contact has no enrichment.painPoints'],
    [10, opened, false, 'condition not met: step 2 was not opened'],
  ];
  it.each(cases)(
    'step %i with history %j, connected %s → %s',
    (currentStep, history, linkedinConnected, skipReason) => {
      const decision = decideNextStep(
        input({ currentStep, history, linkedinConnected, now: at(3), sequence: { steps } }),
      );
      if (skipReason === null) expect(decision).toMatchObject({ kind: 'send', stepIndex: currentStep });
      else expect(decision).toEqual({ kind: 'skip', stepIndex: currentStep, reason: skipReason });
    },
  );
});

describe('decideNextStep: sending window', () => {
  const schedule: Schedule = {
    timezone: 'UTC',
    days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    start: '08:00',
    end: '17:00',
    jitterSeconds: 0,
  };
  const steps: Step[] = [
    { day: 0, channel: 'email', template: 'intro' },
    { day: 4, channel: 'email', template: 'followup_1' },
    { day: 5, channel: 'email', template: 'value_add' },
  ];
  const windowed = (overrides: Partial<DecideNextStepInput> & { currentStep?: number }) =>
    input({ sequence: { steps, schedule }, zone: 'America/New_York', seed: 'enrollment-1', ...overrides });

  it('a not-yet-due step waits for its first slot in the contact zone', () => {
    // Due Saturday 09:00 UTC → Monday 08:00 in New York (12:00 UTC).
    expect(decideNextStep(windowed({ currentStep: 2, now: at(1) }))).toEqual({
      kind: 'wait',
      until: new Date('2025-06-09T12:00:00Z'),
      reason: 'not_due',
      stepIndex: 2,
    });
  });

  it('a due step outside the window waits', () => {
    // Enrolled Monday 09:00 UTC = 05:00 in New York.
    expect(decideNextStep(windowed({}))).toEqual({
      kind: 'wait',
      until: new Date('2025-06-02T12:00:00Z'),
      reason: 'outside_window',
      stepIndex: 0,
    });
  });

  it('sends once the slot has come', () => {
    expect(decideNextStep(windowed({ now: new Date('2025-06-02T12:00:00Z') }))).toMatchObject({
      kind: 'send',
      stepIndex: 0,
      dueAt: enrolledAt,
    });
  });

  it('an overdue step found outside the window (e.g. after a quota deferral) waits for the next opening', () => {
    // Step 1 was due Friday 09:00 UTC; it is now Friday 21:30 UTC = 17:30 in New York.
    expect(decideNextStep(windowed({ currentStep: 1, now: new Date('2025-06-06T21:30:00Z') }))).toEqual({
      kind: 'wait',
      until: new Date('2025-06-09T12:00:00Z'),
      reason: 'outside_window',
      stepIndex: 1,
    });
  });

  it('with jitter: asking again at the slot sends instead of drawing a new delay', () => {
    const jittered = { ...schedule, jitterSeconds: 600 };
    const first = decideNextStep(windowed({ sequence: { steps, schedule: jittered } }));
    if (first.kind !== 'wait') throw new Error(`expected wait, got ${first.kind}`);
    expect(first.until.getTime()).toBeGreaterThanOrEqual(Date.parse('2025-06-02T12:00:00Z'));
    expect(first.until.getTime()).toBeLessThanOrEqual(Date.parse('2025-06-02T12:10:00Z'));
    expect(decideNextStep(windowed({ sequence: { steps, schedule: jittered }, now: first.until }))).toMatchObject({
      kind: 'send',
      stepIndex: 0,
    });
    expect(decideNextStep(windowed({ sequence: { steps, schedule: jittered }, now: first.until }))).toEqual(
      decideNextStep(windowed({ sequence: { steps, schedule: jittered }, now: first.until })),
    );
  });

  it('a reply beats a due step at the same moment', () => {
    expect(decideNextStep(windowed({ now: new Date('2025-06-02T12:00:00Z'), replied: true }))).toEqual({
      kind: 'exit',
      reason: 'replied',
    });
  });
});

describe('decideNextStep: a LinkedIn message waits for the acceptance', () => {
  const steps: Step[] = [
    { day: 0, channel: 'linkedin', template: 'connection_request' },
    { day: 2, channel: 'linkedin', template: 'linkedin_dm' },
  ];
  const requested = (status: string): StepHistoryEntry => ({
    stepIndex: 0,
    channel: 'linkedin',
    status,
    opened: false,
    clicked: false,
  });
  const dm = (over: Partial<DecideNextStepInput>, step1: Partial<Step> = {}) =>
    decideNextStep(
      input({ currentStep: 1, sequence: { steps: [steps[0] as Step, { ...(steps[1] as Step), ...step1 }] }, ...over }),
    );

  it.each([
    [
      'the request went out, not accepted yet: waits until the 14-day timeout',
      { history: [requested('delivered')], now: at(3) },
      { kind: 'wait', reason: 'awaiting_connection', until: at(16) },
    ],
    [
      'accepted: sends',
      { history: [requested('sent')], now: at(3), linkedinConnected: true },
      { kind: 'send', channel: 'linkedin' },
    ],
    [
      'timed out: falls back',
      { history: [requested('sent')], now: at(16) },
      { kind: 'send', channel: 'email', fellBackFrom: ['linkedin'] },
    ],
    [
      'the request failed: falls back at once',
      { history: [requested('failed')], now: at(3) },
      { kind: 'send', channel: 'email' },
    ],
    [
      'no request in this enrollment: falls back at once',
      { history: [], now: at(3) },
      { kind: 'send', channel: 'email' },
    ],
  ] as const)('%s', (_name, over, expected) => {
    expect(dm(over)).toMatchObject(expected);
  });

  it('a request pending 21 days (or the configured expiry) counts as declined: the wait ends there', () => {
    const sent = { ...requested('delivered'), sentAt: at(0) };
    // The step would wait 30 days; the request expires at day 21, to the millisecond.
    expect(dm({ history: [sent], now: at(3) }, { acceptanceTimeoutDays: 30 })).toMatchObject({
      kind: 'wait',
      until: at(21),
    });
    expect(dm({ history: [sent], now: at(21, -1) }, { acceptanceTimeoutDays: 30 })).toMatchObject({ kind: 'wait' });
    expect(dm({ history: [sent], now: at(21) }, { acceptanceTimeoutDays: 30 })).toMatchObject({
      kind: 'send',
      channel: 'email',
      fellBackFrom: ['linkedin'],
    });
    expect(
      dm({ history: [sent], now: at(3), linkedinRequestExpiryDays: 10 }, { acceptanceTimeoutDays: 30 }),
    ).toMatchObject({ until: at(10) });
    // The step's own shorter timeout still wins.
    expect(dm({ history: [sent], now: at(3) })).toMatchObject({ until: at(16) });
  });

  it('the timeout is settable per step', () => {
    expect(dm({ history: [requested('sent')], now: at(3) }, { acceptanceTimeoutDays: 3 })).toMatchObject({
      until: at(5),
    });
    expect(dm({ history: [requested('sent')], now: at(5) }, { acceptanceTimeoutDays: 3 })).toMatchObject({
      channel: 'email',
    });
  });
});
