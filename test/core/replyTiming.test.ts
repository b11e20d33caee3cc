// Issue 18, the replies side: short refusals are not "interested", and relative dates in replies
// ("not before May", "ping me again in Q3", "after the 15th", "back on Monday") give a return date,
// read by chrono-node with `now` and the contact's time zone injected.
import { describe, expect, it } from 'vitest';
import { classifyReplyHeuristic } from '../../src/core/replyHeuristics.ts';
import { parseReturnDate } from '../../src/core/returnDate.ts';

const now = new Date('2026-03-02T09:00:00Z'); // a Monday

describe('short refusals', () => {
  for (const body of [
    'lol no',
    'nope',
    'pass',
    'not for us',
    'Hard pass, thanks.',
    'haha no',
    'no thx',
    'Nah. We built our own.',
  ])
    it(`"${body}" is not_interested`, () => {
      expect(classifyReplyHeuristic({ body, now }).intent).toBe('not_interested');
    });

  it('does not read a question or a yes as a refusal', () => {
    expect(classifyReplyHeuristic({ body: 'No idea yet, how much does it cost?', now }).intent).toBe('question');
    expect(classifyReplyHeuristic({ body: 'Sure, send it over', now }).intent).toBe('interested');
    expect(classifyReplyHeuristic({ body: 'Can you pass this to our CFO?', now }).intent).not.toBe('not_interested');
  });
});

describe('relative return dates (now = Monday 2026-03-02)', () => {
  const cases: [string, string | undefined][] = [
    ['not before May', '2026-05-01'],
    ['ping me again in Q3', '2026-07-01'],
    ['try me in Q1 2027', '2027-01-01'],
    ['after the 15th', '2026-03-16'],
    ['back on Monday', '2026-03-09'],
    ['contact me again in 2 weeks', '2026-03-16'],
    ['Budget is frozen until next quarter. Try me again in July.', '2026-07-01'],
    ['call me after 10am', undefined],
  ];
  for (const [text, expected] of cases)
    it(`${text} → ${expected ?? 'none'}`, () => {
      expect(parseReturnDate(text, now)).toBe(expected);
    });

  it('reads "tomorrow" and weekdays in the contact\'s zone, not the server\'s', () => {
    // 23:30 on Monday in New York is already Tuesday in UTC.
    const lateMonday = new Date('2026-03-03T04:30:00Z');
    expect(parseReturnDate('back tomorrow', lateMonday, 'America/New_York')).toBe('2026-03-03');
    expect(parseReturnDate('back tomorrow', lateMonday, 'UTC')).toBe('2026-03-04');
    expect(parseReturnDate('back on Monday', lateMonday, 'America/New_York')).toBe('2026-03-09');
  });

  it('falls back to UTC for a zone it does not know', () => {
    expect(parseReturnDate('back tomorrow', now, 'Mars/Olympus')).toBe('2026-03-03');
  });

  it('a not_now reply carries the date, as an out-of-office does', () => {
    expect(classifyReplyHeuristic({ body: 'Not right now. Ping me again in Q3.', now })).toMatchObject({
      intent: 'not_now',
      returnDate: '2026-07-01',
    });
    expect(classifyReplyHeuristic({ body: 'Not right now, too busy.', now }).returnDate).toBeUndefined();
  });
});
