// Ready-made sequences. `standard_b2b` is the spec's sequence verbatim; the others vary the
// cadence for a different kind of list. Each says why it is shaped the way it is.
import {
  DEFAULT_FALLBACK_POLICY,
  DEFAULT_SCHEDULE,
  SequenceInput,
  type FallbackPolicy,
  type Schedule,
  type Step,
} from './sequence.ts';

export const PRESET_IDS = ['standard_b2b', 'aggressive', 'nurture', 're_engagement'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

export type Preset = {
  id: PresetId;
  name: string;
  description: string;
  reasoning: string;
  steps: Step[];
  schedule: Schedule;
  fallback: FallbackPolicy;
};

const fallback: FallbackPolicy = { ...DEFAULT_FALLBACK_POLICY };

export const PRESETS: Readonly<Record<PresetId, Preset>> = {
  standard_b2b: {
    id: 'standard_b2b',
    name: 'Standard B2B Outreach',
    description: 'Seven touches over three weeks: email, LinkedIn, WhatsApp, a call, and a polite breakup.',
    reasoning:
      'Email opens because it is the least intrusive first touch. The LinkedIn invitation on day 2 puts a face to the ' +
      'name while the email is fresh. Follow-ups widen from 2-3 to 7 days so interest has time to surface without ' +
      'nagging; WhatsApp on day 7 is a short, human check-in (falling back to SMS, then email, without an opt-in); ' +
      'day 10 gives something useful instead of asking; the day-14 call comes once the name is familiar; the day-21 ' +
      'breakup closes the loop, and breakups draw a noticeable share of replies.',
    steps: [
      { day: 0, channel: 'email', template: 'intro' },
      { day: 2, channel: 'linkedin', template: 'connection_request' },
      { day: 5, channel: 'email', template: 'followup_1' },
      { day: 7, channel: 'whatsapp', template: 'casual_checkin' },
      { day: 10, channel: 'email', template: 'value_add' },
      { day: 14, channel: 'call', template: 'discovery_call' },
      { day: 21, channel: 'email', template: 'breakup' },
    ],
    schedule: DEFAULT_SCHEDULE,
    fallback,
  },
  aggressive: {
    id: 'aggressive',
    name: 'Aggressive (hot leads)',
    description: 'Eight touches in ten days across every channel, for inbound or time-sensitive leads.',
    reasoning:
      'For leads that raised their hand (a demo request, a pricing page visit, an event conversation) speed beats ' +
      'politeness: response rates fall sharply after the first days. Touches come every one or two days and switch ' +
      'channels so no single inbox is flooded. The LinkedIn message only goes out once the invitation was accepted ' +
      '(else it falls back to email). Use it on small, qualified lists only: it spends account quota fast.',
    steps: [
      { day: 0, channel: 'email', template: 'intro' },
      { day: 1, channel: 'linkedin', template: 'connection_request' },
      { day: 2, channel: 'email', template: 'followup_1' },
      { day: 3, channel: 'whatsapp', template: 'casual_checkin' },
      { day: 4, channel: 'call', template: 'discovery_call' },
      { day: 6, channel: 'linkedin', template: 'linkedin_dm' },
      { day: 7, channel: 'email', template: 'followup_2' },
      { day: 10, channel: 'email', template: 'breakup' },
    ],
    schedule: DEFAULT_SCHEDULE,
    fallback,
  },
  nurture: {
    id: 'nurture',
    name: 'Nurture (long cycle)',
    description: 'Seven low-pressure, value-first touches over three months.',
    reasoning:
      'For good-fit accounts that are not buying now. Every touch gives something (an insight, a case study) rather ' +
      'than asking for time, and touches are weeks apart so the sender stays familiar without becoming noise. ' +
      'The day-45 nudge only goes to people who never opened the case study, and the LinkedIn message only to those ' +
      'who accepted the invitation; the others are skipped rather than pushed onto another channel.',
    steps: [
      { day: 0, channel: 'email', template: 'intro' },
      { day: 7, channel: 'linkedin', template: 'connection_request' },
      { day: 14, channel: 'email', template: 'value_add' },
      { day: 30, channel: 'email', template: 'case_study' },
      { day: 45, channel: 'email', template: 'followup_1', conditions: [{ type: 'not_opened', step: 3 }] },
      {
        day: 60,
        channel: 'linkedin',
        template: 'linkedin_dm',
        conditions: [{ type: 'linkedin_connected' }],
        fallback: 'skip',
      },
      { day: 90, channel: 'email', template: 'breakup' },
    ],
    schedule: { ...DEFAULT_SCHEDULE, days: ['tue', 'wed', 'thu'] },
    fallback,
  },
  re_engagement: {
    id: 're_engagement',
    name: 'Re-engagement (gone quiet)',
    description: 'Five touches over two weeks for past conversations, old trials and closed-lost deals.',
    reasoning:
      'These people already know you, so the sequence opens by referring to the earlier conversation and offering ' +
      'something new, not by introducing you again. LinkedIn is used only if you are not connected yet; WhatsApp only ' +
      'with an opt-in (else SMS, else email). A short sequence with a clear breakup respects that they went quiet once.',
    steps: [
      { day: 0, channel: 'email', template: 'reengage' },
      {
        day: 3,
        channel: 'linkedin',
        template: 'connection_request',
        conditions: [{ type: 'not_linkedin_connected' }],
        fallback: 'skip',
      },
      { day: 5, channel: 'whatsapp', template: 'casual_checkin', conditions: [{ type: 'has_field', field: 'phone' }] },
      { day: 9, channel: 'email', template: 'value_add' },
      { day: 14, channel: 'email', template: 'breakup' },
    ],
    schedule: DEFAULT_SCHEDULE,
    fallback,
  },
};

/** A validated sequence built from a preset, optionally renamed (for `{"name","preset"}` requests). */
export function presetToSequence(id: PresetId, name?: string): SequenceInput {
  const preset = PRESETS[id];
  return SequenceInput.parse({
    name: name ?? preset.name,
    steps: preset.steps,
    schedule: preset.schedule,
    fallback: preset.fallback,
  });
}

export function isPresetId(value: string): value is PresetId {
  return PRESET_IDS.some((id) => id === value);
}
