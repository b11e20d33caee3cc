// The sequence builder's editable draft and its conversion to the API's body.
import { list, num, obj, strings, text, type Loose } from '../api/read';

export const CHANNELS = ['email', 'linkedin', 'whatsapp', 'sms', 'call'] as const;
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const CONDITION_TYPES = [
  'opened',
  'not_opened',
  'clicked',
  'not_clicked',
  'linkedin_connected',
  'not_linkedin_connected',
  'has_field',
] as const;
export const PURPOSES = [
  'intro',
  'followup_1',
  'followup_2',
  'value_add',
  'casual_checkin',
  'connection_request',
  'linkedin_dm',
  'discovery_call',
  'breakup',
];

export type DraftCondition = { type: string; step: number; field: string };
export type DraftStep = {
  day: number;
  channel: string;
  template: string;
  subject: string;
  conditions: DraftCondition[];
  /** 'default' (the sequence's policy), 'skip', or channels separated by commas. */
  fallback: string;
};
export type Draft = {
  name: string;
  steps: DraftStep[];
  schedule: { timezone: string; days: string[]; start: string; end: string; jitterSeconds: number };
  variants: number;
  stopOnReply: boolean;
};

export function draftFromPreset(preset: Loose, name: string): Draft {
  const schedule = obj(preset, 'schedule');
  return {
    name,
    steps: list(preset, 'steps').map((s) => ({
      day: num(s, 'day') ?? 0,
      channel: text(s, 'channel') ?? 'email',
      template: text(s, 'template') ?? 'intro',
      subject: text(s, 'subject') ?? '',
      conditions: list(s, 'conditions').map((c) => ({
        type: text(c, 'type') ?? 'opened',
        step: num(c, 'step') ?? 0,
        field: text(c, 'field') ?? '',
      })),
      fallback: Array.isArray(s.fallback) ? strings(s, 'fallback').join(', ') : (text(s, 'fallback') ?? 'default'),
    })),
    schedule: {
      timezone: text(schedule, 'timezone') ?? 'UTC',
      days: strings(schedule, 'days'),
      start: text(schedule, 'start') ?? '08:00',
      end: text(schedule, 'end') ?? '17:00',
      jitterSeconds: num(schedule, 'jitterSeconds') ?? 300,
    },
    variants: 1,
    stopOnReply: true,
  };
}

export function draftToBody(draft: Draft): Record<string, unknown> {
  return {
    name: draft.name.trim(),
    steps: draft.steps.map((s) => ({
      day: s.day,
      channel: s.channel,
      template: s.template.trim(),
      ...(s.subject.trim() ? { subject: s.subject.trim() } : {}),
      ...(s.conditions.length > 0
        ? {
            conditions: s.conditions.map((c) =>
              c.type === 'has_field'
                ? { type: c.type, field: c.field.trim() }
                : c.type.includes('linkedin')
                  ? { type: c.type }
                  : { type: c.type, step: c.step },
            ),
          }
        : {}),
      ...(s.fallback === 'default'
        ? {}
        : {
            fallback:
              s.fallback === 'skip'
                ? 'skip'
                : s.fallback
                    .split(',')
                    .map((c) => c.trim())
                    .filter(Boolean),
          }),
    })),
    schedule: draft.schedule,
    variants: draft.variants,
    stopOnReply: draft.stopOnReply,
  };
}
