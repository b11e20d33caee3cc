// Outreach plans (the "Smart Outreach" flow): for each lead, which channels reach it, what the
// messages can lead with, how the sequence's steps land on its channels, and when the first touch
// goes out. Pure and deterministic: the same leads, sequence and `now` give the same plan.
import { CHANNEL_LABELS, CHANNELS, CONNECTION_REQUEST, type Channel } from '../core/channels.ts';
import { planChannel, unreachableReason, type ReachableContact } from '../core/channelPlanner.ts';
import { PRESETS, type PresetId } from '../core/presets.ts';
import type { FallbackPolicy, Schedule, Step } from '../core/sequence.ts';
import { nextAllowedSlot } from '../core/sendingWindow.ts';
import { resolveContactTimezone } from '../core/timezone.ts';
import { collectAngles } from './composerFacts.ts';
import { placeholderReason } from '../core/leadQuality.ts';
import type { WriterContact } from './types.ts';

export type PlanContact = WriterContact & ReachableContact & { status: string };

export type PlanSequence = {
  id: string | null;
  preset: string | null;
  name: string;
  steps: Step[];
  schedule: Schedule;
  fallback: FallbackPolicy;
};

export type PlannedStep = {
  step: number;
  day: number;
  purpose: string;
  /** The channel the step goes out on for this lead (after fallbacks), or null when it is skipped. */
  channel: Channel | null;
  note?: string;
  conditional?: true;
};

export type LeadPlan =
  | {
      contactId: string;
      name: string;
      company: string | null;
      status: 'ready';
      reachable: Channel[];
      unreachable: { channel: Channel; reason: string }[];
      /** What the first message leads with: an enrichment fact, or only name and company. */
      angle: { kind: string; text: string; facts: string[] };
      timezone: string;
      firstTouch: { step: number; channel: Channel; purpose: string; at: string } | null;
      steps: PlannedStep[];
    }
  | { contactId: string; name: string; company: string | null; status: 'excluded'; reason: string };

export type PlanSummary = {
  leads: number;
  ready: number;
  excluded: number;
  /** Messages per channel if every step goes out (conditions aside). */
  channels: Partial<Record<Channel, number>>;
  angles: Record<string, number>;
};

/** The summary as a plan stores it: the counts plus the sequence it will run and why that one. */
export type StoredPlanSummary = PlanSummary & {
  sequence: { id: string | null; preset: string | null; name: string; reason: string; steps: Step[] };
};

const DONE_STATUSES = new Set(['unsubscribed', 'bounced']);
const TOUCHED_STATUSES = new Set(['contacted', 'replied', 'not_interested']);
const HOT_TAGS = new Set(['hot', 'inbound', 'demo_request', 'demo-request', 'trial']);

function displayName(contact: WriterContact): string {
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
  return name || contact.email || contact.linkedinUrl || contact.phone || contact.id;
}

/** The preset for a plan without one: re-engagement for leads mostly contacted before, aggressive for hot ones. */
export function recommendPreset(contacts: readonly PlanContact[]): { preset: PresetId; reason: string } {
  const live = contacts.filter((c) => !DONE_STATUSES.has(c.status));
  const half = live.length / 2;
  const touched = live.filter((c) => TOUCHED_STATUSES.has(c.status)).length;
  if (live.length > 0 && touched > half) {
    return { preset: 're_engagement', reason: `${touched} of ${live.length} leads were contacted before` };
  }
  const hot = live.filter((c) => c.tags.some((tag) => HOT_TAGS.has(tag.toLowerCase()))).length;
  if (live.length > 0 && hot > half) {
    return { preset: 'aggressive', reason: `${hot} of ${live.length} leads are tagged as hot or inbound` };
  }
  return { preset: 'standard_b2b', reason: 'new outbound leads: the standard multi-channel B2B sequence' };
}

export function presetSequence(id: PresetId): PlanSequence {
  const preset = PRESETS[id];
  return {
    id: null,
    preset: id,
    name: preset.name,
    steps: preset.steps,
    schedule: preset.schedule,
    fallback: preset.fallback,
  };
}

/**
 * A lead's plan score: how much the offer bears on the best angle its data supports (the relevance
 * of that fact to the offer: 1 per shared word, 0.5 per shared concept; 0 without an offer or
 * facts). It ranks who gets the scarce steps first (LinkedIn connection requests).
 */
export function planScore(contact: WriterContact, offer: string | undefined): number {
  return Math.max(0, ...collectAngles(contact, offer).map((angle) => angle.score));
}

function planLead(contact: PlanContact, sequence: PlanSequence, now: Date): LeadPlan {
  const base = { contactId: contact.id, name: displayName(contact), company: contact.company ?? null };
  if (DONE_STATUSES.has(contact.status)) return { ...base, status: 'excluded', reason: `contact is ${contact.status}` };
  const placeholder = placeholderReason(contact);
  if (placeholder !== undefined) return { ...base, status: 'excluded', reason: placeholder };

  const reachable: Channel[] = [];
  const unreachable: { channel: Channel; reason: string }[] = [];
  for (const channel of CHANNELS) {
    // LinkedIn reachability means "can be invited"; messages need the accepted connection.
    const reason = unreachableReason(channel, channel === 'linkedin' ? CONNECTION_REQUEST : 'intro', contact, false);
    if (reason === null) reachable.push(channel);
    else unreachable.push({ channel, reason });
  }
  const steps: PlannedStep[] = sequence.steps.map((step, index) => {
    const planned = planChannel({ step, contact, policy: sequence.fallback });
    const conditional =
      step.conditions !== undefined && step.conditions.length > 0 ? { conditional: true as const } : {};
    if (planned.skip)
      return { step: index, day: step.day, purpose: step.template, channel: null, note: planned.reason };
    return {
      step: index,
      day: step.day,
      purpose: step.template,
      channel: planned.channel,
      ...(planned.reason === undefined ? {} : { note: planned.reason }),
      ...conditional,
    };
  });
  const sending = steps.filter((s) => s.channel !== null);
  if (sending.length === 0) {
    const why = unreachable.map((u) => `${CHANNEL_LABELS[u.channel]}: ${u.reason}`).join('; ');
    return { ...base, status: 'excluded', reason: `no step of the sequence can reach the contact (${why})` };
  }
  // Plans do not see the offer: the order is the intro's preferred kinds (pain, news, tools …).
  const kinds = ['pain', 'news', 'tech', 'starter', 'role'];
  const lead = [...collectAngles(contact, undefined)].sort((a, b) => kinds.indexOf(a.kind) - kinds.indexOf(b.kind))[0];
  const angle =
    lead === undefined
      ? { kind: 'none', text: 'no enrichment: the messages use name, company and the offer only', facts: [] }
      : { kind: lead.kind, text: lead.text, facts: lead.keys };
  const zone = resolveContactTimezone(contact, sequence.schedule.timezone).zone;
  const first = sending[0];
  const firstTouch =
    first === undefined || first.channel === null
      ? null
      : {
          step: first.step,
          channel: first.channel,
          purpose: first.purpose,
          at: nextAllowedSlot({
            after: new Date(now.getTime() + first.day * 86_400_000),
            schedule: sequence.schedule,
            zone,
            seed: `plan:${contact.id}:${first.step}`,
          }).toISOString(),
        };
  return { ...base, status: 'ready', reachable, unreachable, angle, timezone: zone, firstTouch, steps };
}

export function planLeads(input: { contacts: readonly PlanContact[]; sequence: PlanSequence; now: Date }): {
  leads: LeadPlan[];
  summary: PlanSummary;
} {
  const leads = input.contacts.map((contact) => planLead(contact, input.sequence, input.now));
  const channels: Partial<Record<Channel, number>> = {};
  const angles: Record<string, number> = {};
  for (const lead of leads) {
    if (lead.status !== 'ready') continue;
    for (const step of lead.steps) if (step.channel) channels[step.channel] = (channels[step.channel] ?? 0) + 1;
    angles[lead.angle.kind] = (angles[lead.angle.kind] ?? 0) + 1;
  }
  const ready = leads.filter((lead) => lead.status === 'ready').length;
  return {
    leads,
    summary: { leads: leads.length, ready, excluded: leads.length - ready, channels, angles },
  };
}
