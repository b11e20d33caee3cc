import { describe, expect, it } from 'vitest';
import { DEFAULT_FALLBACK_POLICY, clockToMinutes, validateSequence } from '../../src/core/sequence.ts';

const email = (day: number, template = 'intro') => ({ day, channel: 'email', template });

function errorsOf(input: unknown): string[] {
  const result = validateSequence(input);
  if (result.ok) throw new Error('expected validation to fail');
  return result.errors.map((error) => error.message);
}

describe('validateSequence', () => {
  it('fills every default', () => {
    const result = validateSequence({ name: 'Demo', steps: [email(0)] });
    expect(result).toEqual({
      ok: true,
      value: {
        name: 'Demo',
        steps: [{ day: 0, channel: 'email', template: 'intro' }],
        schedule: {
          timezone: 'UTC',
          days: ['mon', 'tue', 'wed', 'thu', 'fri'],
          start: '08:00',
          end: '17:00',
          jitterSeconds: 300,
        },
        fallback: DEFAULT_FALLBACK_POLICY,
        stopOnReply: true,
        pauseColleaguesOnReply: false,
        variants: 1,
        tracking: true,
        plainTextFirstTouch: false,
        smsMaxSegments: 1,
      },
    });
  });

  it('accepts "24:00" as the end of the day and conditions on earlier steps', () => {
    const result = validateSequence({
      name: 'Evening',
      steps: [
        email(0),
        {
          ...email(3, 'followup_1'),
          conditions: [
            { type: 'not_opened', step: 0 },
            { type: 'has_field', field: 'enrichment.techStack' },
          ],
        },
      ],
      schedule: { timezone: 'America/New_York', days: ['sat', 'sun'], start: '18:00', end: '24:00', jitterSeconds: 0 },
    });
    expect(result.ok).toBe(true);
  });

  const cases: { name: string; input: unknown; errors: { path: string; message: string }[] }[] = [
    {
      name: 'days going backwards',
      input: { name: 'x', steps: [email(0), email(2), email(5), email(2)] },
      errors: [{ path: 'steps[3].day', message: 'steps[3].day (2) is before steps[2].day (5)' }],
    },
    {
      name: 'an unknown channel',
      input: { name: 'x', steps: [{ day: 0, channel: 'fax', template: 'intro' }] },
      errors: [
        {
          path: 'steps[0].channel',
          message: 'steps[0].channel must be one of email, linkedin, whatsapp, sms, call (got "fax")',
        },
      ],
    },
    {
      name: 'a condition on the same step',
      input: { name: 'x', steps: [email(0), { ...email(1), conditions: [{ type: 'opened', step: 1 }] }] },
      errors: [
        {
          path: 'steps[1].conditions[0].step',
          message: 'steps[1].conditions[0].step (1) must refer to an earlier step (0..0)',
        },
      ],
    },
    {
      name: 'a condition on a later step',
      input: { name: 'x', steps: [{ ...email(0), conditions: [{ type: 'clicked', step: 2 }] }, email(1), email(2)] },
      errors: [
        {
          path: 'steps[0].conditions[0].step',
          message: 'steps[0].conditions[0].step (2) must refer to an earlier step, but steps[0] is the first step',
        },
      ],
    },
    {
      name: 'a LinkedIn DM without an earlier connection request',
      input: {
        name: 'x',
        steps: [
          email(0),
          { day: 2, channel: 'linkedin', template: 'linkedin_dm' },
          { day: 3, channel: 'linkedin', template: 'connection_request' },
        ],
      },
      errors: [
        {
          path: 'steps[1]',
          message:
            'steps[1] is a LinkedIn message (template "linkedin_dm") and needs an earlier linkedin step with template "connection_request"',
        },
      ],
    },
    {
      name: 'any other LinkedIn template counts as a DM',
      input: { name: 'x', steps: [{ day: 0, channel: 'linkedin', template: 'followup_1' }] },
      errors: [
        {
          path: 'steps[0]',
          message:
            'steps[0] is a LinkedIn message (template "followup_1") and needs an earlier linkedin step with template "connection_request"',
        },
      ],
    },
    {
      name: 'linkedin_dm on another channel',
      input: { name: 'x', steps: [{ day: 0, channel: 'email', template: 'linkedin_dm' }] },
      errors: [
        {
          path: 'steps[0].template',
          message: 'steps[0].template "linkedin_dm" only works on the linkedin channel (got channel "email")',
        },
      ],
    },
    {
      name: 'an invalid timezone',
      input: { name: 'x', steps: [email(0)], schedule: { timezone: 'Mars/Olympus' } },
      errors: [
        {
          path: 'schedule.timezone',
          message: 'schedule.timezone "Mars/Olympus" is not a valid IANA timezone (e.g. "Europe/Berlin")',
        },
      ],
    },
    {
      name: 'bad clock times',
      input: { name: 'x', steps: [email(0)], schedule: { start: '8am', end: '24:30' } },
      errors: [
        { path: 'schedule.start', message: 'schedule.start must be HH:MM between 00:00 and 23:59 (got "8am")' },
        { path: 'schedule.end', message: 'schedule.end must be HH:MM between 00:00 and 24:00 (got "24:30")' },
      ],
    },
    {
      name: '"24:00" as a start',
      input: { name: 'x', steps: [email(0)], schedule: { start: '24:00' } },
      errors: [
        { path: 'schedule.start', message: 'schedule.start must be HH:MM between 00:00 and 23:59 (got "24:00")' },
      ],
    },
    {
      name: 'end not after start',
      input: { name: 'x', steps: [email(0)], schedule: { start: '17:00', end: '17:00' } },
      errors: [
        {
          path: 'schedule.end',
          message: 'schedule.end (17:00) must be after schedule.start (17:00); windows over midnight are not supported',
        },
      ],
    },
    {
      name: 'an unknown weekday',
      input: { name: 'x', steps: [email(0)], schedule: { days: ['mon', 'mon', 'funday'] } },
      errors: [
        {
          path: 'schedule.days[2]',
          message: 'schedule.days[2] must be one of mon, tue, wed, thu, fri, sat, sun (got "funday")',
        },
      ],
    },
    {
      name: 'jitter out of range',
      input: { name: 'x', steps: [email(0)], schedule: { jitterSeconds: 4000 } },
      errors: [{ path: 'schedule.jitterSeconds', message: 'schedule.jitterSeconds must be <= 3600 (got 4000)' }],
    },
    {
      name: 'step shape errors',
      input: {
        name: 'x',
        steps: [
          { day: -1, channel: 'email', template: '', delay: 3 },
          { day: 1.5, channel: 'sms', template: 'x' },
        ],
      },
      errors: [
        { path: 'steps[0].day', message: 'steps[0].day must be >= 0 (got -1)' },
        { path: 'steps[0].template', message: 'steps[0].template must have at least 1 character' },
        { path: 'steps[0]', message: 'steps[0] has unknown key "delay"' },
        { path: 'steps[1].day', message: 'steps[1].day must be an integer (got 1.5)' },
      ],
    },
    {
      name: 'no steps and no name',
      input: { steps: [] },
      errors: [
        { path: 'name', message: 'name is required' },
        { path: 'steps', message: 'steps must have at least 1 item' },
      ],
    },
    {
      name: 'an unknown condition type',
      input: { name: 'x', steps: [email(0), { ...email(1), conditions: [{ type: 'replied' }] }] },
      errors: [
        {
          path: 'steps[1].conditions[0].type',
          message:
            'steps[1].conditions[0].type must be one of opened, not_opened, clicked, not_clicked, linkedin_connected, not_linkedin_connected, has_field (got "replied")',
        },
      ],
    },
    {
      name: 'fallbacks that are not channels, repeat, or include the own channel',
      input: {
        name: 'x',
        steps: [
          { ...email(0), fallback: ['pigeon'] },
          { day: 1, channel: 'whatsapp', template: 'x', fallback: 'never' },
        ],
      },
      errors: [
        {
          path: 'steps[0].fallback[0]',
          message: 'steps[0].fallback[0] must be one of email, linkedin, whatsapp, sms, call (got "pigeon")',
        },
        { path: 'steps[1].fallback', message: 'steps[1].fallback must be "skip" or a list of channels (got "never")' },
      ],
    },
    {
      name: 'semantic fallback errors',
      input: {
        name: 'x',
        steps: [{ day: 0, channel: 'whatsapp', template: 'x', fallback: ['sms', 'whatsapp', 'sms'] }],
        fallback: { sms: ['sms'] },
      },
      errors: [
        { path: 'steps[0].fallback', message: "steps[0].fallback must not include the step's own channel (whatsapp)" },
        { path: 'steps[0].fallback', message: 'steps[0].fallback lists sms twice' },
        { path: 'fallback.sms', message: "fallback.sms must not include the step's own channel (sms)" },
      ],
    },
    {
      name: 'not an object',
      input: 'standard_b2b',
      errors: [{ path: '', message: 'Must be an object (got "standard_b2b")' }],
    },
  ];

  it.each(cases)('rejects $name', ({ input, errors }) => {
    expect(validateSequence(input)).toEqual({ ok: false, errors });
  });

  it('reports repeated days and an inverted window together', () => {
    expect(
      errorsOf({ name: 'x', steps: [email(0)], schedule: { days: ['mon', 'mon'], start: '18:00', end: '09:00' } }),
    ).toEqual([
      'schedule.days lists "mon" twice',
      'schedule.end (09:00) must be after schedule.start (18:00); windows over midnight are not supported',
    ]);
  });

  it('rejects more than 50 steps', () => {
    const steps = Array.from({ length: 51 }, (_, i) => email(i));
    expect(errorsOf({ name: 'x', steps })).toEqual(['steps must have at most 50 items']);
  });
});

describe('clockToMinutes', () => {
  it.each([
    ['00:00', 0],
    ['08:30', 510],
    ['23:59', 1439],
    ['24:00', 1440],
  ])('%s is %i minutes', (clock, minutes) => {
    expect(clockToMinutes(clock)).toBe(minutes);
  });
});
