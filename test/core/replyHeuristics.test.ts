import { describe, it, expect } from 'vitest';
import { classifyReplyHeuristic, extractReferral } from '../../src/core/replyHeuristics.ts';
import type { ReplyIntent } from '../../src/core/replyHeuristics.ts';
import { parseReturnDate } from '../../src/core/returnDate.ts';
import { replyText } from '../../src/core/replyText.ts';
import { evaluateReplies, loadReplies } from '../../scripts/evalReplies.ts';

const now = new Date('2026-03-02T09:00:00Z');
type Case = { body: string; subject?: string; headers?: Record<string, string>; intent: ReplyIntent };

const cases: Case[] = [
  { body: 'sure', intent: 'interested' },
  { body: 'Yes!', intent: 'interested' },
  { body: 'Sounds promising, tell me more', intent: 'interested' },
  { body: 'Would like to learn more about this.', intent: 'interested' },
  { body: "yes, let's talk", intent: 'meeting_request' },
  { body: 'Can we set up a call on Monday?', intent: 'meeting_request' },
  { body: 'Send me an invite for next Tuesday 10am', intent: 'meeting_request' },
  { body: 'Who is Sam?', intent: 'question' },
  { body: 'What are your prices?', intent: 'question' },
  { body: 'Does it integrate with Pipedrive?', intent: 'question' },
  { body: 'not interested', intent: 'not_interested' },
  { body: 'No.', intent: 'not_interested' },
  { body: "We're all set, thanks.", intent: 'not_interested' },
  { body: 'Kein Interesse.', intent: 'not_interested' },
  { body: 'Not now, try me in Q2.', intent: 'not_now' },
  { body: 'Not interested at the moment, maybe next year.', intent: 'not_now' },
  { body: 'Ahora no, gracias.', intent: 'not_now' },
  { body: 'Talk to my colleague Anna Lopez, anna@lopez.io, she owns this.', intent: 'referral' },
  { body: 'You should reach out to our head of sales instead.', intent: 'referral' },
  { body: 'stop', intent: 'unsubscribe' },
  { body: 'remove me', intent: 'unsubscribe' },
  { body: 'UNSUBSCRIBE', intent: 'unsubscribe' },
  { body: 'Please stop contacting me.', intent: 'unsubscribe' },
  { body: 'Désinscrivez-moi.', intent: 'unsubscribe' },
  { body: "I'm out of the office until Monday 9 March.", intent: 'out_of_office' },
  { body: 'Estoy de vacaciones hasta el 10 de marzo.', intent: 'out_of_office' },
  { body: 'Thanks, your message was received.', headers: { 'Auto-Submitted': 'auto-replied' }, intent: 'auto_reply' },
  { body: 'I am on vacation until 3/20.', headers: { 'auto-submitted': 'auto-replied' }, intent: 'out_of_office' },
  { body: 'Thanks for your message.', headers: { 'Auto-Submitted': 'no' }, intent: 'interested' },
  { body: 'Got it.', headers: { Precedence: 'bulk' }, intent: 'auto_reply' },
  { body: 'Received.', headers: { 'X-Autorespond': 'yes' }, intent: 'auto_reply' },
  { body: 'Noted.', headers: { 'X-Auto-Response-Suppress': 'All' }, intent: 'auto_reply' },
  {
    body: 'see attached',
    headers: { 'Content-Type': 'multipart/report; report-type=delivery-status; boundary=x' },
    intent: 'bounce',
  },
  {
    body: 'This message was created automatically.',
    headers: { From: 'Mail Delivery System <MAILER-DAEMON@mx.example.org>' },
    intent: 'bounce',
  },
  { body: 'failed', headers: { from: 'postmaster@example.org' }, intent: 'bounce' },
  { body: 'The message could not be delivered.', subject: 'Undeliverable: hello', intent: 'bounce' },
  {
    body: 'Sure thing.\n\nOn Mon, Mar 2, 2026 at 9:00 AM Sam <sam@q.dev> wrote:\n> Please unsubscribe here if not interested\n> stop',
    intent: 'interested',
  },
  { body: 'not interested\n\n> Would you like to book a call?\n> Let us talk next week', intent: 'not_interested' },
  { body: 'Happy to chat.\n\nBest,\nDana\nNot interested in spam? Reply stop', intent: 'meeting_request' },
  { body: 'Interesting, how much does it cost?', intent: 'question' },
];

describe('classifyReplyHeuristic', () => {
  for (const testCase of cases) {
    it(`${testCase.intent}: ${testCase.body.replace(/\s+/g, ' ').slice(0, 50)}`, () => {
      const result = classifyReplyHeuristic({ ...testCase, now });
      expect(result.intent).toBe(testCase.intent);
      expect(result.confidence).toBeGreaterThan(0);
      expect(result.confidence).toBeLessThanOrEqual(1);
    });
  }

  it('returns the referred person', () => {
    const result = classifyReplyHeuristic({
      body: "I'm not the right person - please reach out to Jane Doe (jane.doe@acme.io), she runs ops.",
      now,
    });
    expect(result).toMatchObject({ intent: 'referral', referral: { name: 'Jane Doe', email: 'jane.doe@acme.io' } });
    expect(extractReferral('looping in Marcus Lee who handles this')).toEqual({ name: 'Marcus Lee' });
    expect(extractReferral('try sales@acme.io')).toEqual({ email: 'sales@acme.io' });
  });

  it('returns the out-of-office return date', () => {
    const result = classifyReplyHeuristic({
      body: 'Out of office, back on the 14th.',
      subject: 'Automatic reply',
      headers: { 'Auto-Submitted': 'auto-replied' },
      now,
    });
    expect(result).toMatchObject({ intent: 'out_of_office', returnDate: '2026-03-14' });
    expect(classifyReplyHeuristic({ body: 'I am out of the office.', now }).returnDate).toBeUndefined();
  });
});

describe('parseReturnDate (now = Monday 2026-03-02)', () => {
  const dates: [string, string | undefined][] = [
    ['back on Monday 9 March', '2026-03-09'],
    ['returning 12/03', '2026-03-12'],
    ['returning 3/12', '2026-03-12'],
    ['out until January 5th', '2027-01-05'],
    ['back on the 14th', '2026-03-14'],
    ['back on the 1st', '2026-04-01'],
    ['back on Friday', '2026-03-06'],
    ['back Monday', '2026-03-09'],
    ['away through Friday', '2026-03-07'],
    ['from March 2 to March 6', '2026-03-06'],
    ['back March 23, 2026', '2026-03-23'],
    ['returning 2026-04-01', '2026-04-01'],
    ['back on 1 February', '2027-02-01'],
    ['back tomorrow', '2026-03-03'],
    ['back next week', '2026-03-09'],
    ['zurück am 9. März', '2026-03-09'],
    ['bis 13.03.2026 abwesend', '2026-03-13'],
    ["absente jusqu'au 10 mars", '2026-03-10'],
    ['hasta el 16 de marzo', '2026-03-16'],
    ['volto em 20 de março', '2026-03-20'],
    ['I am out with limited access to email', undefined],
    ['back on 31 February', undefined],
  ];
  for (const [text, expected] of dates) {
    it(`${text} → ${expected ?? 'none'}`, () => {
      expect(parseReturnDate(text, now)).toBe(expected);
    });
  }
});

describe('replyText', () => {
  it('drops quoted text, Outlook headers and signatures', () => {
    expect(replyText('Yes please.\n\nOn Tue, 3 Mar 2026, Sam wrote:\n> hi')).toBe('Yes please.');
    expect(replyText('Yes please.\n\nOn Tue, 3 Mar 2026 at 10:00, Sam Rivera <sam@q.dev>\nwrote:\n> hi')).toBe(
      'Yes please.',
    );
    expect(replyText('Ja gerne.\n\nAm 02.03.2026 um 09:00 schrieb Sam <sam@q.dev>:\n> hallo')).toBe('Ja gerne.');
    expect(replyText('Sounds good.\n\nFrom: Sam Rivera\nSent: Monday\nTo: Dana\nSubject: hi')).toBe('Sounds good.');
    expect(replyText('Sure.\n\nThanks,\nDana Okafor\nVP Sales')).toBe('Sure.');
    expect(replyText('Sure.\n--\nDana')).toBe('Sure.');
    expect(replyText('Thanks!')).toBe('Thanks!');
  });
});

describe('eval:replies fixture', () => {
  it('has at least 220 labelled replies and reaches 85% accuracy', () => {
    const replies = loadReplies();
    expect(replies.length).toBeGreaterThanOrEqual(220);
    const result = evaluateReplies(replies);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.85);
    expect(result.returnDates.correct / result.returnDates.labelled).toBeGreaterThanOrEqual(0.85);
  });
});
