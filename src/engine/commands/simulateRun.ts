// A simulation's run, pure: the real decision (decideNextStep), sending windows, account choice
// and quota rules on a virtual clock, contact after contact in time order (a heap keyed by each
// contact's next run), accounts' usage shared across contacts. Contacts are assumed not to reply,
// open or click (a sequence's worst case for volume).
import type { Channel } from '../../core/channels.ts';
import { decideNextStep } from '../../core/decideNextStep.ts';
import {
  counterWindows,
  DEFAULT_DOMAIN_DAILY_CAP,
  effectiveDailyCap,
  inRollingWeek,
  pickSender,
  quotaDecision,
  recipientDomain,
  warmupDayFor,
} from '../../core/quota.ts';
import { nextAllowedSlot } from '../../core/sendingWindow.ts';
import { resolveContactTimezone } from '../../core/timezone.ts';
import type { SenderRow } from '../../db/senders.ts';
import type { Sequence } from '../../db/sequences.ts';
import type { SimulatedContact } from '../../db/simulation.ts';
import { limitsOf } from '../steps/senderChoice.ts';

/** No account configured for a channel: the step would go to the sandbox. */
export const NO_ACCOUNT = 'sandbox';

export type SimEvent = {
  at: string;
  step: number;
  action: 'send' | 'deferred' | 'skipped' | 'fell_back' | 'completed';
  channel?: Channel;
  template?: string;
  account?: { id: string; name: string } | typeof NO_ACCOUNT;
  reason?: string;
};

export type SimState = {
  contact: SimulatedContact;
  zone: string;
  currentStep: number;
  nextRunAt: Date;
  senders: Record<string, string>;
  done: boolean;
  runs: number;
  events: SimEvent[];
};

type Run = {
  sequence: Sequence;
  senders: SenderRow[];
  /** Each account's send times (starting from its real recent sends). */
  sends: Map<string, Date[]>;
  domainSends: Map<string, Date[]>;
  start: Date;
};

const MAX_RUNS_PER_CONTACT = 500;

export function runSimulation(input: {
  sequence: Sequence;
  contacts: SimulatedContact[];
  senders: SenderRow[];
  usage: Map<string, Date[]>;
  start: Date;
  end: Date;
}): SimState[] {
  const run: Run = { ...input, sends: new Map(input.usage), domainSends: new Map() };
  const states: SimState[] = input.contacts.map((contact) => ({
    contact,
    zone: resolveContactTimezone(contact, input.sequence.schedule.timezone).zone,
    currentStep: 0,
    nextRunAt: input.start,
    senders: {},
    done: false,
    runs: 0,
    events: [],
  }));
  const heap = new RunQueue(states);
  for (let state = heap.pop(); state; state = heap.pop()) {
    if (state.nextRunAt > input.end) continue;
    if (++state.runs > MAX_RUNS_PER_CONTACT) continue;
    runOnce(run, state);
    if (!state.done) heap.push(state);
  }
  return states;
}

/** One decision for one contact at its next run. */
function runOnce(run: Run, state: SimState): void {
  const now = state.nextRunAt;
  const event = (e: Omit<SimEvent, 'at'>) => state.events.push({ at: now.toISOString(), ...e });
  const decision = decideNextStep({
    enrollment: { status: 'active', currentStep: state.currentStep, enrolledAt: run.start },
    sequence: run.sequence,
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
  switch (decision.kind) {
    case 'exit':
      event({ step: state.currentStep, action: 'completed' });
      state.done = true;
      return;
    case 'hold':
      state.done = true;
      return;
    case 'wait':
      if (decision.reason === 'outside_window' || decision.reason === 'jitter')
        event({
          step: decision.stepIndex ?? state.currentStep,
          action: 'deferred',
          reason:
            decision.reason === 'jitter'
              ? `random spacing inside the open sending window (${state.zone}) until ${decision.until.toISOString()}`
              : `outside the sending window (${state.zone}) until ${decision.until.toISOString()}`,
        });
      state.nextRunAt = decision.until;
      return;
    case 'skip':
      event({ step: decision.stepIndex, action: 'skipped', reason: decision.reason });
      state.currentStep = decision.stepIndex + 1;
      return;
    case 'send':
      if (decision.fellBackFrom)
        event({
          step: decision.stepIndex,
          action: 'fell_back',
          channel: decision.channel,
          reason: decision.fallbackReason,
        });
      send(run, state, decision, event);
  }
}

type SendDecision = Extract<ReturnType<typeof decideNextStep>, { kind: 'send' }>;

/** The account that would take the step, within its caps; else the step is deferred to its next slot. */
function send(run: Run, state: SimState, decision: SendDecision, event: (e: Omit<SimEvent, 'at'>) => void): void {
  const now = state.nextRunAt;
  const candidates = run.senders.filter((s) => s.channel === decision.channel);
  let account: SimEvent['account'] = NO_ACCOUNT;
  if (candidates.length > 0) {
    const scored = candidates.map((sender) => {
      const windows = counterWindows(now, sender.timezone);
      const times = run.sends.get(sender.id) ?? [];
      const warmupDay = warmupDayFor({ warmupStartedAt: sender.warmupStartedAt, now, zone: sender.timezone });
      const today = times.filter((t) => t >= windows.dayStart && t <= now).length;
      const remaining = effectiveDailyCap(limitsOf(sender, decision.template), warmupDay) - today;
      return { id: sender.id, sender, windows, times, warmupDay, remaining };
    });
    const picked = pickSender(scored, state.senders[decision.channel]);
    if (!picked) return;
    const count = (from: Date) => picked.times.filter((t) => t >= from && t <= now).length;
    const domain =
      decision.channel === 'email' && state.contact.email ? recipientDomain(state.contact.email) : undefined;
    const limits = limitsOf(picked.sender, decision.template);
    // A rolling week (LinkedIn invitations) counts the last 7 days, as the engine's claim does.
    const week = limits.rollingWeek ? picked.times.filter((t) => inRollingWeek(t, now) && t <= now) : undefined;
    const verdict = quotaDecision({
      limits,
      usage: {
        today: count(picked.windows.dayStart),
        thisHour: count(picked.windows.hourStart),
        thisWeek: week ? week.length : count(picked.windows.weekStart),
        lastSentAt: picked.times.at(-1) ?? null,
        ...(week ? { oldestThisWeek: week.length ? new Date(Math.min(...week.map((t) => t.getTime()))) : null } : {}),
      },
      now,
      zone: picked.sender.timezone,
      warmupDay: picked.warmupDay,
      ...(domain
        ? {
            domain: {
              today: (run.domainSends.get(domain) ?? []).filter((t) => t >= picked.windows.dayStart).length,
              cap: DEFAULT_DOMAIN_DAILY_CAP,
            },
          }
        : {}),
    });
    if (!verdict.ok) {
      const slot = nextAllowedSlot({
        after: verdict.retryAt,
        schedule: run.sequence.schedule,
        zone: state.zone,
        seed: `simulate:${state.contact.id}:${decision.stepIndex}`,
      });
      const name = picked.sender.name ?? picked.sender.fromEmail ?? picked.id;
      event({
        step: decision.stepIndex,
        action: 'deferred',
        channel: decision.channel,
        reason: `${verdict.reason.replace('_', ' ')} of ${name} until ${slot.toISOString()}`,
      });
      state.nextRunAt = slot;
      return;
    }
    picked.times.push(now);
    run.sends.set(picked.id, picked.times);
    if (domain) run.domainSends.set(domain, [...(run.domainSends.get(domain) ?? []), now]);
    state.senders[decision.channel] = picked.id;
    const name = picked.sender.name ?? picked.sender.fromEmail ?? picked.sender.fromPhone ?? picked.id;
    account = { id: picked.id, name };
  }
  event({ step: decision.stepIndex, action: 'send', channel: decision.channel, template: decision.template, account });
  state.currentStep = decision.stepIndex + 1;
}

/** Contacts by next run, earliest first (ties: the order they were given). */
class RunQueue {
  private readonly items: { state: SimState; order: number }[] = [];
  private readonly order = new Map<SimState, number>();

  constructor(states: SimState[]) {
    states.forEach((state, i) => {
      this.order.set(state, i);
      this.push(state);
    });
  }

  push(state: SimState): void {
    const items = this.items;
    items.push({ state, order: this.order.get(state) ?? 0 });
    for (let i = items.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): SimState | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (!top || !last) return undefined;
    if (items.length === 0) return top.state;
    items[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < items.length && this.before(l, best)) best = l;
      if (r < items.length && this.before(r, best)) best = r;
      if (best === i) break;
      this.swap(i, best);
      i = best;
    }
    return top.state;
  }

  private before(a: number, b: number): boolean {
    const x = this.items[a];
    const y = this.items[b];
    if (!x || !y) return false;
    const dt = x.state.nextRunAt.getTime() - y.state.nextRunAt.getTime();
    return dt < 0 || (dt === 0 && x.order < y.order);
  }

  private swap(a: number, b: number): void {
    const x = this.items[a];
    const y = this.items[b];
    if (!x || !y) return;
    this.items[a] = y;
    this.items[b] = x;
  }
}
