// simulate: the real decision, window and quota logic on a virtual clock. Nothing is written and
// nothing is sent. Contacts are assumed not to reply, open or click (a sequence's worst case for
// volume); accounts start from today's real usage.
import type { Channel } from '../../core/channels.ts';
import { decideNextStep } from '../../core/decideNextStep.ts';
import {
  counterWindows,
  DEFAULT_DOMAIN_DAILY_CAP,
  effectiveDailyCap,
  pickSender,
  quotaDecision,
  recipientDomain,
  warmupDayFor,
} from '../../core/quota.ts';
import { nextAllowedSlot } from '../../core/sendingWindow.ts';
import { resolveContactTimezone } from '../../core/timezone.ts';
import type { Sql } from '../../db/database.ts';
import { getSequence, type Sequence } from '../../db/sequences.ts';
import { listSenderRows, type SenderRow } from '../../db/senders.ts';
import { limitsOf } from '../steps/senderChoice.ts';

export type SimContact = {
  id: string;
  email?: string | null;
  phone?: string | null;
  linkedinUrl?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  timezone?: string | null;
  country?: string | null;
  city?: string | null;
  whatsappOptIn?: boolean | null;
  smsOptIn?: boolean | null;
  [field: string]: unknown;
};

export type SimEvent = {
  at: string;
  step: number;
  action: 'send' | 'deferred' | 'skipped' | 'fell_back' | 'completed';
  channel?: Channel;
  template?: string;
  account?: { id: string; name: string } | 'sandbox';
  reason?: string;
};

export type Simulation = {
  sequenceId: string;
  start: string;
  end: string;
  contacts: { contactId: string; timezone: string; events: SimEvent[] }[];
  totals: { sends: number; deferrals: number; skipped: number; completed: number; byChannel: Record<string, number> };
};

const MAX_RUNS_PER_CONTACT = 500;

export async function simulateSequence(
  sql: Sql,
  input: {
    sequenceId: string;
    contactIds?: string[];
    tag?: string;
    contacts?: SimContact[];
    days: number;
    start: Date;
  },
): Promise<Simulation | undefined> {
  const sequence = await getSequence(sql, input.sequenceId);
  if (!sequence) return undefined;
  const contacts = input.contacts ?? (await loadContacts(sql, input.contactIds, input.tag));
  const senders = (await listSenderRows(sql)).filter((s) => s.status === 'active');
  const usage = await startingUsage(sql, senders, input.start);
  return runSimulation({ sequence, contacts, senders, usage, start: input.start, days: input.days });
}

async function loadContacts(sql: Sql, ids: string[] | undefined, tag: string | undefined): Promise<SimContact[]> {
  const { rows } = await sql.query<SimContact>(
    `SELECT id, email, phone, linkedin_url AS "linkedinUrl", first_name AS "firstName", last_name AS "lastName", timezone,
            country, city, whatsapp_opt_in AS "whatsappOptIn", sms_opt_in AS "smsOptIn", company, title, tags, enrichment, custom,
            linkedin_connected_at AS "linkedinConnectedAt"
       FROM contacts WHERE ($1::uuid[] IS NULL OR id = ANY ($1::uuid[])) AND ($2::text IS NULL OR $2 = ANY (tags))
       ORDER BY id LIMIT 1000`,
    [ids ?? null, tag ?? null],
  );
  return rows;
}

async function startingUsage(sql: Sql, senders: SenderRow[], start: Date): Promise<Map<string, Date[]>> {
  const usage = new Map<string, Date[]>();
  for (const sender of senders) {
    const { rows } = await sql.query<{ at: Date }>(
      `SELECT reserved_at AS at FROM messages WHERE sender_id = $1 AND reserved_at >= $2
          AND status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown') ORDER BY reserved_at`,
      [sender.id, new Date(start.getTime() - 8 * 86_400_000)],
    );
    usage.set(
      sender.id,
      rows.map((r) => r.at),
    );
  }
  return usage;
}

type State = {
  contact: SimContact;
  zone: string;
  currentStep: number;
  nextRunAt: Date;
  senders: Record<string, string>;
  done: boolean;
  runs: number;
  events: SimEvent[];
};

export function runSimulation(input: {
  sequence: Sequence;
  contacts: SimContact[];
  senders: SenderRow[];
  usage: Map<string, Date[]>;
  start: Date;
  days: number;
}): Simulation {
  const { sequence, start } = input;
  const end = new Date(start.getTime() + input.days * 86_400_000);
  const sends = new Map(input.usage);
  const domainSends = new Map<string, Date[]>();
  const states: State[] = input.contacts.map((contact) => ({
    contact,
    zone: resolveContactTimezone(contact, sequence.schedule.timezone).zone,
    currentStep: 0,
    nextRunAt: start,
    senders: {},
    done: false,
    runs: 0,
    events: [],
  }));

  for (;;) {
    let state: State | undefined;
    for (const s of states) if (!s.done && s.nextRunAt <= end && (!state || s.nextRunAt < state.nextRunAt)) state = s;
    if (!state) break;
    const now = state.nextRunAt;
    if (++state.runs > MAX_RUNS_PER_CONTACT) {
      state.done = true;
      continue;
    }
    const event = (e: Omit<SimEvent, 'at'>) => state.events.push({ at: now.toISOString(), ...e });
    const decision = decideNextStep({
      enrollment: { status: 'active', currentStep: state.currentStep, enrolledAt: start },
      sequence,
      history: state.events
        .filter((e) => e.action === 'send')
        .map((e) => ({
          stepIndex: e.step,
          channel: e.channel as Channel,
          status: 'sent',
          opened: false,
          clicked: false,
        })),
      contact: state.contact,
      replied: false,
      linkedinConnected: Boolean(state.contact.linkedinConnectedAt),
      now,
      zone: state.zone,
      seed: `simulate:${state.contact.id}`,
    });
    if (decision.kind === 'exit' || decision.kind === 'hold') {
      if (decision.kind === 'exit') event({ step: state.currentStep, action: 'completed' });
      state.done = true;
    } else if (decision.kind === 'wait') {
      if (decision.reason === 'outside_window')
        event({
          step: decision.stepIndex ?? state.currentStep,
          action: 'deferred',
          reason: `outside the sending window (${state.zone}) until ${decision.until.toISOString()}`,
        });
      state.nextRunAt = decision.until;
    } else if (decision.kind === 'skip') {
      event({ step: decision.stepIndex, action: 'skipped', reason: decision.reason });
      state.currentStep = decision.stepIndex + 1;
    } else {
      if (decision.fellBackFrom)
        event({
          step: decision.stepIndex,
          action: 'fell_back',
          channel: decision.channel,
          reason: decision.fallbackReason,
        });
      const candidates = input.senders.filter((s) => s.channel === decision.channel);
      let account: SimEvent['account'] = 'sandbox';
      if (candidates.length > 0) {
        const scored = candidates.map((sender) => {
          const windows = counterWindows(now, sender.timezone);
          const times = sends.get(sender.id) ?? [];
          const warmupDay = warmupDayFor({ warmupStartedAt: sender.warmupStartedAt, now, zone: sender.timezone });
          const today = times.filter((t) => t >= windows.dayStart && t <= now).length;
          return {
            id: sender.id,
            sender,
            windows,
            times,
            warmupDay,
            remaining: effectiveDailyCap(limitsOf(sender, decision.template), warmupDay) - today,
          };
        });
        const picked = pickSender(scored, state.senders[decision.channel]);
        if (!picked) continue;
        const count = (from: Date) => picked.times.filter((t) => t >= from && t <= now).length;
        const domain =
          decision.channel === 'email' && state.contact.email ? recipientDomain(state.contact.email) : undefined;
        const verdict = quotaDecision({
          limits: limitsOf(picked.sender, decision.template),
          usage: {
            today: count(picked.windows.dayStart),
            thisHour: count(picked.windows.hourStart),
            thisWeek: count(picked.windows.weekStart),
            lastSentAt: picked.times.at(-1) ?? null,
          },
          now,
          zone: picked.sender.timezone,
          warmupDay: picked.warmupDay,
          ...(domain
            ? {
                domain: {
                  today: (domainSends.get(domain) ?? []).filter((t) => t >= picked.windows.dayStart).length,
                  cap: DEFAULT_DOMAIN_DAILY_CAP,
                },
              }
            : {}),
        });
        if (!verdict.ok) {
          const slot = nextAllowedSlot({
            after: verdict.retryAt,
            schedule: sequence.schedule,
            zone: state.zone,
            seed: `simulate:${state.contact.id}:${decision.stepIndex}`,
          });
          event({
            step: decision.stepIndex,
            action: 'deferred',
            channel: decision.channel,
            reason: `${verdict.reason.replace('_', ' ')} of ${picked.sender.name ?? picked.sender.fromEmail ?? picked.id} until ${slot.toISOString()}`,
          });
          state.nextRunAt = slot;
          continue;
        }
        picked.times.push(now);
        sends.set(picked.id, picked.times);
        if (domain) domainSends.set(domain, [...(domainSends.get(domain) ?? []), now]);
        state.senders[decision.channel] = picked.id;
        account = {
          id: picked.id,
          name: picked.sender.name ?? picked.sender.fromEmail ?? picked.sender.fromPhone ?? picked.id,
        };
      }
      event({
        step: decision.stepIndex,
        action: 'send',
        channel: decision.channel,
        template: decision.template,
        account,
      });
      state.currentStep = decision.stepIndex + 1;
    }
  }

  const all = states.flatMap((s) => s.events);
  const byChannel: Record<string, number> = {};
  for (const e of all) if (e.action === 'send' && e.channel) byChannel[e.channel] = (byChannel[e.channel] ?? 0) + 1;
  return {
    sequenceId: sequence.id,
    start: start.toISOString(),
    end: end.toISOString(),
    contacts: states.map((s) => ({ contactId: s.contact.id, timezone: s.zone, events: s.events })),
    totals: {
      sends: all.filter((e) => e.action === 'send').length,
      deferrals: all.filter((e) => e.action === 'deferred').length,
      skipped: all.filter((e) => e.action === 'skipped').length,
      completed: all.filter((e) => e.action === 'completed').length,
      byChannel,
    },
  };
}
