// decideOnEvent, decideOnReply and decideOnRefusal as tables: an event (and the state it meets) in,
// the effects out. Pure: no database, no clock.
import { describe, expect, it } from 'vitest';
import { decideOnEvent, decideOnRefusal, decideOnReply, type Effect } from '../../src/core/decideOnEvent.ts';
import type { InboundEvent } from '../../src/core/events.ts';
import type { ReplyClassification } from '../../src/core/replyHeuristics.ts';

const now = new Date('2026-03-02T09:00:00Z');
const state = (channel: 'email' | 'sms' = 'email', openedAt: Date | null = null, running = true) => ({
  message: { id: 'm1', step: 2, channel, openedAt },
  running,
  now,
});
const ref = { messageId: 'm1' };
const kinds = (effects: Effect[]) => effects.map((e) => e.kind);

describe('decideOnEvent', () => {
  it.each<[string, Exclude<InboundEvent, { type: 'replied' }>, string[]]>([
    ['delivered', { type: 'delivered', ref, via: 'resend' }, ['record', 'message_status']],
    ['read', { type: 'read', ref, via: 'meta' }, ['record', 'message_status', 'read']],
    ['a person opens', { type: 'opened', ref, via: 'tracking', machine: false }, ['record', 'seen', 'note']],
    ['a machine opens', { type: 'opened', ref, via: 'tracking', machine: true }, ['record']],
    [
      'a person clicks',
      { type: 'clicked', ref, via: 'tracking', machine: false, url: 'https://x' },
      ['record', 'seen', 'note'],
    ],
    ['a soft bounce', { type: 'bounced', ref, via: 'imap', bounceType: 'soft' }, ['record', 'note']],
    [
      'a hard bounce',
      { type: 'bounced', ref, via: 'imap', bounceType: 'hard', reason: '5.1.1' },
      ['record', 'message_status', 'suppress', 'contact_status', 'note', 'stop', 'check_health'],
    ],
    [
      'a complaint',
      { type: 'complained', ref, via: 'resend' },
      ['record', 'suppress', 'contact_status', 'note', 'stop', 'check_health'],
    ],
    [
      'an unsubscribe',
      { type: 'opted_out', ref, via: 'one_click', everywhere: false },
      ['record', 'suppress', 'contact_status', 'note', 'stop'],
    ],
    [
      'a failure reported later',
      { type: 'failed', ref, via: 'meta', reason: '131026' },
      ['record', 'message_status', 'note'],
    ],
    ['an opt-in', { type: 'opted_in', ref, via: 'twilio' }, ['record']],
    [
      'an accepted connection',
      { type: 'connection', ref, via: 'phantombuster', state: 'accepted' },
      ['record', 'linkedin_connected'],
    ],
    ['a pending connection', { type: 'connection', ref, via: 'phantombuster', state: 'pending' }, ['record']],
    ['a call outcome', { type: 'call', ref, via: 'twilio', outcome: 'voicemail' }, ['record']],
  ])('%s', (_name, event, expected) => {
    const effects = decideOnEvent(event, state());
    expect(kinds(effects)).toEqual(expected);
    // The record comes first: it is the dedupe gate.
    expect(effects[0]?.kind).toBe('record');
  });

  it('a hard bounce suppresses the channel, marks the contact bounced and stops with the reason', () => {
    const effects = decideOnEvent({ type: 'bounced', ref, via: 'imap', bounceType: 'hard' }, state());
    expect(effects).toContainEqual({ kind: 'suppress', scope: 'channel', reason: 'hard_bounce' });
    expect(effects).toContainEqual({ kind: 'contact_status', status: 'bounced' });
    expect(effects).toContainEqual({
      kind: 'stop',
      reason: 'bounced',
      summary: 'Sequence stopped: the email address bounced',
    });
    expect(effects).toContainEqual({
      kind: 'message_status',
      status: 'bounced',
      from: ['sent', 'delivered', 'unknown'],
    });
  });

  it('on another channel the words follow the channel', () => {
    const bounce = decideOnEvent({ type: 'bounced', ref, via: 'twilio', bounceType: 'hard' }, state('sms'));
    expect(bounce).toContainEqual({
      kind: 'stop',
      reason: 'bounced',
      summary: 'Sequence stopped: the phone number bounced',
    });
    const stop = decideOnEvent({ type: 'opted_out', ref, via: 'twilio', everywhere: false }, state('sms'));
    expect(stop).toContainEqual(
      expect.objectContaining({ kind: 'note', summary: 'Opted out of SMS (STOP): SMS suppressed for this number' }),
    );
    expect(stop).toContainEqual({ kind: 'suppress', scope: 'channel', reason: 'opted_out' });
  });

  it('an SMS STOP withdraws SMS consent and stops the enrollment without unsubscribing everywhere; START lifts it', () => {
    const stop = decideOnEvent({ type: 'opted_out', ref, via: 'twilio', everywhere: false }, state('sms'));
    expect(kinds(stop)).toEqual(['record', 'suppress', 'sms_consent', 'note', 'stop']);
    expect(stop).toContainEqual({ kind: 'sms_consent', optIn: false });
    const start = decideOnEvent({ type: 'opted_in', ref, via: 'twilio' }, state('sms'));
    expect(start).toEqual([
      expect.objectContaining({ kind: 'record', type: 'opted_in' }),
      { kind: 'lift_suppression', reasons: ['opted_out'] },
      { kind: 'sms_consent', optIn: true },
      expect.objectContaining({ kind: 'note', type: 'opted_in' }),
    ]);
  });

  it.each([
    ['30003', true],
    ['30005', true],
    ['30006', true],
    ['30004', false],
    ['30007', false],
    [undefined, false],
  ])('an SMS undelivered with error %s marks the number unreachable for SMS: %s', (code, unreachable) => {
    const effects = decideOnEvent(
      { type: 'failed', ref, via: 'twilio', reason: 'undelivered', ...(code ? { code } : {}) },
      state('sms'),
    );
    expect(effects).toContainEqual(expect.objectContaining({ kind: 'message_status', status: 'failed' }));
    expect(effects.some((e) => e.kind === 'suppress' && e.reason === 'unreachable')).toBe(unreachable);
  });

  it('an unsubscribe from everything suppresses every identity; its key names the message and scope', () => {
    const effects = decideOnEvent({ type: 'opted_out', ref, via: 'page', everywhere: true }, state());
    expect(effects[0]).toMatchObject({ kind: 'record', type: 'unsubscribed', key: 'unsubscribe:m1:true' });
    expect(effects).toContainEqual({ kind: 'suppress', scope: 'everywhere', reason: 'unsubscribe_link' });
  });

  it('a second human open adds no timeline entry; the first one does', () => {
    const first = decideOnEvent({ type: 'opened', ref, via: 'tracking', machine: false }, state('email', null));
    const again = decideOnEvent({ type: 'opened', ref, via: 'tracking', machine: false }, state('email', now));
    expect(kinds(first)).toContain('note');
    expect(kinds(again)).not.toContain('note');
  });
});

describe('decideOnReply', () => {
  const verdict = (intent: ReplyClassification['intent'], returnDate?: string): ReplyClassification => ({
    intent,
    confidence: 0.9,
    ...(returnDate ? { returnDate } : {}),
  });
  const reply = (text = 'Sounds good') => ({ type: 'replied' as const, ref, via: 'api', text });
  const replyState = (v: ReplyClassification, running = true) => ({
    ...state('email', null, running),
    verdict: v,
    zone: 'America/New_York',
    source: 'api',
    receivedAt: now,
  });

  it.each<[ReplyClassification['intent'], string, string[]]>([
    ['interested', 'stopped', ['record_reply', 'note', 'record', 'contact_status', 'stop']],
    ['not_interested', 'stopped', ['record_reply', 'note', 'record', 'contact_status', 'stop']],
    ['auto_reply', 'noted', ['record_reply', 'note']],
    [
      'bounce',
      'bounced',
      ['record_reply', 'note', 'record', 'message_status', 'suppress', 'contact_status', 'stop', 'note'],
    ],
    ['unsubscribe', 'unsubscribed', ['record_reply', 'note', 'record', 'suppress', 'contact_status', 'stop', 'note']],
  ])('%s → %s', (intent, action, expected) => {
    const decided = decideOnReply(reply(), replyState(verdict(intent)));
    expect(decided.action).toBe(action);
    expect(kinds(decided.effects)).toEqual(expected);
  });

  it('a person who answers is interested, not interested or just replied; the stop is noted only while running', () => {
    const status = (intent: ReplyClassification['intent']) =>
      decideOnReply(reply(), replyState(verdict(intent))).effects.find((e) => e.kind === 'contact_status');
    expect(status('interested')).toEqual({ kind: 'contact_status', status: 'interested' });
    expect(status('not_interested')).toEqual({ kind: 'contact_status', status: 'not_interested' });
    expect(status('question')).toEqual({ kind: 'contact_status', status: 'interested' });
    expect(status('not_now')).toEqual({ kind: 'contact_status', status: 'replied' });
  });

  it('out of office pauses until the start of the return day in the contact zone, or 7 days', () => {
    const dated = decideOnReply(reply(), replyState(verdict('out_of_office', '2026-03-10')));
    expect(dated.action).toBe('paused');
    expect(dated.effects).toContainEqual(
      expect.objectContaining({ kind: 'pause', until: new Date('2026-03-10T04:00:00Z'), reason: 'out_of_office' }),
    );
    const undated = decideOnReply(reply(), replyState(verdict('out_of_office')));
    expect(undated.returnDate).toBe('2026-03-09');
    const past = decideOnReply(reply(), replyState(verdict('out_of_office', '2026-02-01')));
    expect(past.returnDate).toBe('2026-03-09');
    const stopped = decideOnReply(reply(), replyState(verdict('out_of_office'), false));
    expect(stopped.action).toBe('noted');
    expect(kinds(stopped.effects)).not.toContain('pause');
  });

  it('the replied note carries the text, the intent and where it came from', () => {
    const decided = decideOnReply(reply('Call me Tuesday'), replyState(verdict('meeting_request')));
    expect(decided.effects[1]).toMatchObject({
      kind: 'note',
      type: 'replied',
      summary: 'Reply (meeting_request, 90%): Call me Tuesday',
      data: { intent: 'meeting_request', text: 'Call me Tuesday', source: 'api' },
    });
  });
});

describe('decideOnRefusal', () => {
  it('a bounce at send time marks the message bounced, suppresses, stops, and judges health only when asked', () => {
    const bounce = decideOnRefusal('bounce', { step: 1, channel: 'email', message: '550 no user', checkHealth: true });
    expect(kinds(bounce)).toEqual([
      'record',
      'message_status',
      'suppress',
      'contact_status',
      'stop',
      'note',
      'check_health',
    ]);
    expect(bounce[1]).toEqual({ kind: 'message_status', status: 'bounced', from: ['sending'], error: '550 no user' });
    const noHealth = decideOnRefusal('bounce', { step: 1, channel: 'sms', message: 'bad number', checkHealth: false });
    expect(kinds(noHealth)).not.toContain('check_health');
  });

  it('an opt-out at the provider fails the message, suppresses the channel and lets the sequence go on', () => {
    const effects = decideOnRefusal('suppress', { step: 3, channel: 'sms', message: '21610', checkHealth: false });
    expect(kinds(effects)).toEqual(['record', 'message_status', 'suppress', 'sms_consent', 'note']);
    expect(kinds(effects)).not.toContain('stop');
    expect(effects).toContainEqual({ kind: 'suppress', scope: 'channel', reason: 'opted_out' });
  });
});
