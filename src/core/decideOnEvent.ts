// What an inbound event does, as data: decideOnEvent(event, state) → Effect[]. The engine carries
// the effects out in order (src/engine/events/applyEffects.ts); the first effect of every list is
// the record that deduplicates the event, so a redelivery changes nothing. Effects are written to
// be order-independent across events: statuses only move forward, first opens keep the earliest
// time, suppressions are unique, a stop only stops a running enrollment.
import { DateTime } from 'luxon';
import { CHANNEL_LABELS, type Channel } from './channels.ts';
import type { ContactStatus } from './contact.ts';
import type { InboundEvent } from './events.ts';
import { POSITIVE_INTENTS, type ReplyClassification } from './replyHeuristics.ts';
import { isUnreachableSmsCode } from './smsKeywords.ts';

export type StopReason = 'replied' | 'unsubscribed' | 'bounced' | 'manual' | 'failed' | 'erased';
export type SuppressionReason =
  'hard_bounce' | 'complaint' | 'unsubscribe_link' | 'unsubscribe_reply' | 'opted_out' | 'manual' | 'unreachable';

/** Message event types as stored (message_events.event_type). */
export type RecordedType =
  | 'delivered'
  | 'read'
  | 'opened'
  | 'clicked'
  | 'replied'
  | 'bounced'
  | 'unsubscribed'
  | 'complained'
  | 'failed'
  | 'opted_in'
  | 'connection'
  | 'call';

export type Effect =
  /** Stores the event on the message; a duplicate key ends the list (nothing else happens). */
  | { kind: 'record'; type: RecordedType; machine: boolean; metadata: Record<string, unknown>; key?: string }
  /** Stores a reply (its own table); a duplicate key ends the list. */
  | { kind: 'record_reply' }
  | { kind: 'message_status'; status: 'delivered' | 'bounced' | 'failed'; from: readonly string[]; error?: string }
  /** The person read the message (WhatsApp read receipts): the earliest time is kept. */
  | { kind: 'read' }
  /** A person opened (and, clicking, also clicked): the earliest time is kept. */
  | { kind: 'seen'; clicked: boolean }
  /** Suppresses the message's channel (its identity there) or every identity everywhere. */
  | { kind: 'suppress'; scope: 'channel' | 'everywhere'; reason: SuppressionReason }
  | { kind: 'contact_status'; status: ContactStatus }
  | { kind: 'linkedin_connected' }
  /** Stops a running enrollment (and cancels its deferred messages); the summary is noted only then. */
  | { kind: 'stop'; reason: StopReason; summary?: string }
  | { kind: 'pause'; until: Date; reason: string; summary: string }
  | { kind: 'note'; type: string; summary: string; data?: Record<string, unknown>; whenRunning?: boolean }
  /** Judges the account's and the sequence's bounce and complaint rates. */
  | { kind: 'check_health' }
  /** The contact's SMS consent (an SMS STOP or START says it). */
  | { kind: 'sms_consent'; optIn: boolean }
  /** Lifts the message's channel's suppressions of these reasons (an SMS START lifts a STOP). */
  | { kind: 'lift_suppression'; reasons: SuppressionReason[] };

export type EventState = {
  message: { id: string; step: number; channel: Channel; openedAt: Date | null };
  /** The enrollment is active or paused (it can still send). */
  running: boolean;
  now: Date;
};

/** What a reply adds to the state: how it was read and where the contact lives. */
export type ReplyState = EventState & {
  verdict: ReplyClassification;
  /** The contact's zone (a return date is the start of that day there). */
  zone: string;
  source: string;
  receivedAt: Date;
};

const OOO_DEFAULT_DAYS = 7;

const IDENTITY: Record<Channel, string> = {
  email: 'email address',
  linkedin: 'LinkedIn profile',
  whatsapp: 'phone number',
  sms: 'phone number',
  call: 'phone number',
};

export function decideOnEvent(event: Exclude<InboundEvent, { type: 'replied' }>, state: EventState): Effect[] {
  const { message } = state;
  const step = message.step;
  const via = event.via;
  switch (event.type) {
    case 'delivered':
      return [record('delivered', {}), { kind: 'message_status', status: 'delivered', from: ['sent'] }];
    case 'read':
      // A read receipt implies delivery (statuses arrive out of order: `read` without `delivered`).
      return [record('read', {}), { kind: 'message_status', status: 'delivered', from: ['sent'] }, { kind: 'read' }];
    case 'opened':
    case 'clicked': {
      const machine = event.machine === true;
      const effects: Effect[] = [
        {
          kind: 'record',
          type: event.type,
          machine,
          metadata: {
            ...(event.machineReason ? { machineReason: event.machineReason } : {}),
            ...(event.type === 'clicked' && event.url ? { url: event.url } : {}),
            ...(event.userAgent ? { userAgent: event.userAgent.slice(0, 300) } : {}),
          },
        },
      ];
      if (machine) return effects;
      effects.push({ kind: 'seen', clicked: event.type === 'clicked' });
      if (event.type === 'clicked')
        effects.push({ kind: 'note', type: 'clicked', summary: `Clicked ${event.url ?? 'a link'} in step ${step}` });
      else if (message.openedAt === null)
        effects.push({ kind: 'note', type: 'opened', summary: `Opened step ${step}` });
      return effects;
    }
    case 'bounced': {
      const metadata = { type: event.bounceType, via, ...(event.reason ? { reason: event.reason.slice(0, 500) } : {}) };
      if (event.bounceType === 'soft')
        return [
          record('bounced', metadata),
          {
            kind: 'note',
            type: 'bounced',
            summary: `Step ${step} bounced softly (${event.reason ?? 'temporary'}); nothing suppressed`,
            data: { bounceType: 'soft' },
          },
        ];
      return [
        record('bounced', metadata),
        { kind: 'message_status', status: 'bounced', from: ['sent', 'delivered', 'unknown'] },
        { kind: 'suppress', scope: 'channel', reason: 'hard_bounce' },
        { kind: 'contact_status', status: 'bounced' },
        {
          kind: 'note',
          type: 'bounced',
          summary: `Step ${step} bounced (${event.reason ?? 'hard bounce'}): the address is suppressed`,
          data: { bounceType: 'hard', via },
        },
        { kind: 'stop', reason: 'bounced', summary: `Sequence stopped: the ${IDENTITY[message.channel]} bounced` },
        { kind: 'check_health' },
      ];
    }
    case 'complained':
      return [
        record('complained', { via }),
        { kind: 'suppress', scope: 'channel', reason: 'complaint' },
        { kind: 'contact_status', status: 'unsubscribed' },
        {
          kind: 'note',
          type: 'complained',
          summary: `Marked step ${step} as spam: suppressed for ${CHANNEL_LABELS[message.channel]}`,
          data: { via },
        },
        { kind: 'stop', reason: 'unsubscribed', summary: 'Sequence stopped: the contact complained' },
        { kind: 'check_health' },
      ];
    case 'opted_out': {
      if (message.channel === 'sms' && !event.everywhere) return smsOptOut(message.id, via);
      const link = via === 'one_click' || via === 'page';
      return [
        {
          kind: 'record',
          type: 'unsubscribed',
          machine: false,
          metadata: { via, everywhere: event.everywhere },
          key: `unsubscribe:${message.id}:${event.everywhere}`,
        },
        {
          kind: 'suppress',
          scope: event.everywhere ? 'everywhere' : 'channel',
          reason: link ? 'unsubscribe_link' : 'opted_out',
        },
        { kind: 'contact_status', status: 'unsubscribed' },
        {
          kind: 'note',
          type: 'unsubscribed',
          summary: event.everywhere
            ? 'Unsubscribed from everything: suppressed on every channel'
            : `Unsubscribed from ${CHANNEL_LABELS[message.channel]}`,
          data: { via, everywhere: event.everywhere },
        },
        { kind: 'stop', reason: 'unsubscribed', summary: 'Sequence stopped: the contact unsubscribed' },
      ];
    }
    case 'failed':
      return [
        ...failed(event, step),
        ...(message.channel === 'sms' && isUnreachableSmsCode(event.code)
          ? ([
              { kind: 'suppress', scope: 'channel', reason: 'unreachable' },
              {
                kind: 'note',
                type: 'unreachable',
                summary: `The number cannot receive SMS (error ${event.code}): later SMS steps take their fallback`,
                data: { code: event.code, via },
              },
            ] as const)
          : []),
      ];
    case 'opted_in':
      if (message.channel !== 'sms') return [record('opted_in', { via })];
      return [
        record('opted_in', { via }),
        { kind: 'lift_suppression', reasons: ['opted_out'] },
        { kind: 'sms_consent', optIn: true },
        { kind: 'note', type: 'opted_in', summary: 'Opted back in to SMS (START)', data: { via } },
      ];
    case 'connection':
      return [
        record('connection', { state: event.state, via }),
        ...(event.state === 'accepted' ? [{ kind: 'linkedin_connected' } as const] : []),
        ...(event.state === 'declined'
          ? [
              {
                kind: 'note',
                type: 'connection',
                summary: `LinkedIn connection request declined (${via ?? 'declined'}); not withdrawn`,
                data: { state: 'declined', via },
              } as const,
            ]
          : []),
      ];
    case 'call':
      return [record('call', { outcome: event.outcome, via, ...(event.note ? { note: event.note } : {}) })];
  }
}

function failed(event: Extract<InboundEvent, { type: 'failed' }>, step: number): Effect[] {
  const via = event.via;
  return [
    record('failed', { reason: event.reason.slice(0, 500), ...(event.code ? { code: event.code } : {}) }),
    {
      kind: 'message_status',
      status: 'failed',
      from: ['sending', 'sent', 'delivered', 'unknown'],
      error: event.reason,
    },
    { kind: 'note', type: 'failed', summary: `Step ${step} failed: ${event.reason}`, data: { via } },
  ];
}

/**
 * An SMS STOP: SMS is suppressed for the number at once, the contact's SMS consent is withdrawn
 * and the enrollment stops (a person who says stop is not chased on other channels); other
 * channels stay open to later sequences (the contact is not unsubscribed everywhere).
 */
function smsOptOut(messageId: string, via: string): Effect[] {
  return [
    {
      kind: 'record',
      type: 'unsubscribed',
      machine: false,
      metadata: { via, everywhere: false, channel: 'sms' },
      key: `unsubscribe:${messageId}:sms`,
    },
    { kind: 'suppress', scope: 'channel', reason: 'opted_out' },
    { kind: 'sms_consent', optIn: false },
    {
      kind: 'note',
      type: 'unsubscribed',
      summary: 'Opted out of SMS (STOP): SMS suppressed for this number',
      data: { via, everywhere: false },
    },
    { kind: 'stop', reason: 'unsubscribed', summary: 'Sequence stopped: the contact texted STOP' },
  ];
}

/**
 * A provider's refusal at send time, for a message still `sending`: the address cannot receive on
 * this channel (a bounce: suppressed there, the enrollment stops), or the person opted out of this
 * channel at the provider (suppressed there; the sequence goes on elsewhere).
 */
export function decideOnRefusal(
  action: 'bounce' | 'suppress',
  input: { step: number; channel: Channel; message: string; checkHealth: boolean },
): Effect[] {
  const { step, message } = input;
  if (action === 'suppress')
    return [
      record('unsubscribed', { via: 'provider', reason: message.slice(0, 500) }),
      { kind: 'message_status', status: 'failed', from: ['sending'], error: `opted_out: ${message}` },
      { kind: 'suppress', scope: 'channel', reason: 'opted_out' },
      ...(input.channel === 'sms' ? [{ kind: 'sms_consent', optIn: false } as const] : []),
      {
        kind: 'note',
        type: 'skipped',
        summary: `Step ${step} not sent: the person opted out of ${CHANNEL_LABELS[input.channel]} (${message})`,
        data: { reason: 'opted_out' },
      },
    ];
  return [
    record('bounced', { type: 'hard', reason: message.slice(0, 500) }),
    { kind: 'message_status', status: 'bounced', from: ['sending'], error: message },
    { kind: 'suppress', scope: 'channel', reason: 'hard_bounce' },
    { kind: 'contact_status', status: 'bounced' },
    { kind: 'stop', reason: 'bounced' },
    { kind: 'note', type: 'bounced', summary: `Step ${step} bounced: ${message}` },
    ...(input.checkHealth ? [{ kind: 'check_health' } as const] : []),
  ];
}

function record(type: RecordedType, metadata: Record<string, unknown>): Effect {
  return { kind: 'record', type, machine: false, metadata };
}

/**
 * A reply, classified: a person's answer stops the sequence; out-of-office pauses it until the
 * return date (7 days without one); an automatic reply is noted; a bounce suppresses the address;
 * an unsubscribe wish suppresses the contact everywhere.
 */
export function decideOnReply(
  event: Extract<InboundEvent, { type: 'replied' }>,
  state: ReplyState,
): { effects: Effect[]; action: 'stopped' | 'paused' | 'unsubscribed' | 'bounced' | 'noted'; returnDate?: string } {
  const { verdict, now } = state;
  const excerpt = event.text.trim().slice(0, 2000);
  const effects: Effect[] = [
    { kind: 'record_reply' },
    {
      kind: 'note',
      type: 'replied',
      summary: `Reply (${verdict.intent}, ${Math.round(verdict.confidence * 100)}%): ${excerpt.slice(0, 200)}`,
      data: {
        intent: verdict.intent,
        confidence: verdict.confidence,
        subject: event.subject,
        text: excerpt,
        source: state.source,
      },
    },
  ];
  switch (verdict.intent) {
    case 'out_of_office': {
      effects.push(record('replied', { intent: verdict.intent, automatic: true }));
      if (!state.running) return { effects, action: 'noted' };
      const until = verdict.returnDate
        ? DateTime.fromISO(verdict.returnDate, { zone: state.zone }).startOf('day').toJSDate()
        : new Date(now.getTime() + OOO_DEFAULT_DAYS * 86_400_000);
      const resumeAt =
        until.getTime() > now.getTime() ? until : new Date(now.getTime() + OOO_DEFAULT_DAYS * 86_400_000);
      effects.push({
        kind: 'pause',
        until: resumeAt,
        reason: 'out_of_office',
        summary: `Paused until ${resumeAt.toISOString().slice(0, 10)}: out of office${verdict.returnDate ? '' : ' (no return date given: 7 days)'}`,
      });
      return { effects, action: 'paused', returnDate: resumeAt.toISOString().slice(0, 10) };
    }
    case 'auto_reply':
      return { effects, action: 'noted' };
    case 'bounce':
      effects.push(
        record('bounced', { via: 'reply' }),
        { kind: 'message_status', status: 'bounced', from: ['sending', 'sent', 'delivered', 'unknown', 'failed'] },
        { kind: 'suppress', scope: 'channel', reason: 'hard_bounce' },
        { kind: 'contact_status', status: 'bounced' },
        { kind: 'stop', reason: 'bounced' },
        { kind: 'note', type: 'bounced', summary: 'The message bounced; the address is suppressed' },
      );
      return { effects, action: 'bounced' };
    case 'unsubscribe':
      effects.push(
        record('unsubscribed', { via: 'reply' }),
        { kind: 'suppress', scope: 'everywhere', reason: 'unsubscribe_reply' },
        { kind: 'contact_status', status: 'unsubscribed' },
        { kind: 'stop', reason: 'unsubscribed' },
        {
          kind: 'note',
          type: 'unsubscribed',
          summary: 'Asked not to be contacted again: suppressed on every channel',
        },
      );
      return { effects, action: 'unsubscribed' };
    default:
      effects.push(
        record('replied', { intent: verdict.intent }),
        {
          kind: 'contact_status',
          status: POSITIVE_INTENTS.includes(verdict.intent)
            ? 'interested'
            : verdict.intent === 'not_interested'
              ? 'not_interested'
              : 'replied',
        },
        { kind: 'stop', reason: 'replied', summary: 'Sequence stopped: the contact replied' },
      );
      return { effects, action: 'stopped' };
  }
}
