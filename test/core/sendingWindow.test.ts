import { describe, expect, it } from 'vitest';
import { isInsideWindow, nextAllowedSlot } from '../../src/core/sendingWindow.ts';
import type { Schedule } from '../../src/core/sequence.ts';

const WEEKDAYS: Schedule['days'] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const EVERY_DAY: Schedule['days'] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function schedule(overrides: Partial<Schedule> = {}): Schedule {
  return { timezone: 'UTC', days: WEEKDAYS, start: '08:00', end: '17:00', jitterSeconds: 0, ...overrides };
}

function slot(after: string, zone: string, overrides: Partial<Schedule> = {}, seed = 'seed'): string {
  return nextAllowedSlot({ after: new Date(after), schedule: schedule(overrides), zone, seed }).toISOString();
}

describe('nextAllowedSlot without jitter', () => {
  const cases: { name: string; after: string; zone: string; schedule?: Partial<Schedule>; expected: string }[] = [
    // 2025-06-06 is a Friday.
    {
      name: 'Friday 16:59 is still inside',
      after: '2025-06-06T16:59:00Z',
      zone: 'UTC',
      expected: '2025-06-06T16:59:00.000Z',
    },
    {
      name: 'Friday 17:00 waits for Monday 08:00',
      after: '2025-06-06T17:00:00Z',
      zone: 'UTC',
      expected: '2025-06-09T08:00:00.000Z',
    },
    {
      name: 'Saturday waits for Monday',
      after: '2025-06-07T10:00:00Z',
      zone: 'UTC',
      expected: '2025-06-09T08:00:00.000Z',
    },
    {
      name: 'before the window opens',
      after: '2025-06-04T05:12:00Z',
      zone: 'UTC',
      expected: '2025-06-04T08:00:00.000Z',
    },
    {
      name: 'the window start is inclusive',
      after: '2025-06-04T08:00:00Z',
      zone: 'UTC',
      expected: '2025-06-04T08:00:00.000Z',
    },
    {
      name: 'in the contact zone (New York, EDT)',
      after: '2025-06-06T20:59:00Z',
      zone: 'America/New_York',
      expected: '2025-06-06T20:59:00.000Z',
    },
    {
      name: 'New York Friday 17:00 EDT → Monday 08:00 EDT',
      after: '2025-06-06T21:00:00Z',
      zone: 'America/New_York',
      expected: '2025-06-09T12:00:00.000Z',
    },
    {
      name: 'a half-hour zone (Kolkata)',
      after: '2025-06-04T01:00:00Z',
      zone: 'Asia/Kolkata',
      expected: '2025-06-04T02:30:00.000Z',
    },
    // Midnight and "24:00".
    {
      name: '"24:00": 23:59:59 is inside',
      after: '2025-06-04T23:59:59Z',
      zone: 'UTC',
      schedule: { start: '20:00', end: '24:00' },
      expected: '2025-06-04T23:59:59.000Z',
    },
    {
      name: '"24:00": midnight belongs to the next day',
      after: '2025-06-05T00:00:00Z',
      zone: 'UTC',
      schedule: { start: '20:00', end: '24:00' },
      expected: '2025-06-05T20:00:00.000Z',
    },
    {
      name: '00:00 start: Friday midnight end → Monday 00:00',
      after: '2025-06-07T00:00:00Z',
      zone: 'UTC',
      schedule: { start: '00:00', end: '24:00' },
      expected: '2025-06-09T00:00:00.000Z',
    },
    {
      name: 'whole-day window on a Sunday-only schedule',
      after: '2025-06-04T12:00:00Z',
      zone: 'UTC',
      schedule: { days: ['sun'], start: '00:00', end: '24:00' },
      expected: '2025-06-08T00:00:00.000Z',
    },
    // DST in New York 2025: spring forward Sun 9 Mar 02:00 EST → 03:00 EDT; fall back Sun 2 Nov 02:00 EDT → 01:00 EST.
    {
      name: 'NY spring forward: Friday EST → Monday 08:00 EDT',
      after: '2025-03-07T22:00:00Z',
      zone: 'America/New_York',
      expected: '2025-03-10T12:00:00.000Z',
    },
    {
      name: 'NY spring forward day: Sunday 08:00 is already EDT',
      after: '2025-03-09T04:00:00Z',
      zone: 'America/New_York',
      schedule: { days: EVERY_DAY },
      expected: '2025-03-09T12:00:00.000Z',
    },
    {
      name: 'NY window opening inside the gap opens when the gap ends (03:00 EDT)',
      after: '2025-03-09T05:00:00Z',
      zone: 'America/New_York',
      schedule: { days: EVERY_DAY, start: '02:30', end: '05:00' },
      expected: '2025-03-09T07:00:00.000Z',
    },
    {
      name: 'NY fall back: Saturday evening EDT → Sunday 08:00 EST',
      after: '2025-11-01T21:00:00Z',
      zone: 'America/New_York',
      schedule: { days: EVERY_DAY },
      expected: '2025-11-02T13:00:00.000Z',
    },
    {
      name: 'NY fall back: an ambiguous start opens at its first occurrence (EDT)',
      after: '2025-11-02T04:00:00Z',
      zone: 'America/New_York',
      schedule: { days: EVERY_DAY, start: '01:30', end: '04:00' },
      expected: '2025-11-02T05:30:00.000Z',
    },
    {
      name: 'NY fall back: after the first 01:30 → inside already',
      after: '2025-11-02T05:45:00Z',
      zone: 'America/New_York',
      schedule: { days: EVERY_DAY, start: '01:30', end: '04:00' },
      expected: '2025-11-02T05:45:00.000Z',
    },
    // DST in Berlin 2025: spring forward Sun 30 Mar 02:00 CET → 03:00 CEST; fall back Sun 26 Oct 03:00 CEST → 02:00 CET.
    {
      name: 'Berlin spring forward: Friday CET → Monday 08:00 CEST',
      after: '2025-03-28T16:00:00Z',
      zone: 'Europe/Berlin',
      expected: '2025-03-31T06:00:00.000Z',
    },
    {
      name: 'Berlin: a 02:00 start on the spring-forward day opens at 03:00 CEST',
      after: '2025-03-29T23:00:00Z',
      zone: 'Europe/Berlin',
      schedule: { days: EVERY_DAY, start: '02:00', end: '04:00' },
      expected: '2025-03-30T01:00:00.000Z',
    },
    {
      name: 'Berlin fall back: Friday CEST → Monday 08:00 CET',
      after: '2025-10-24T15:00:00Z',
      zone: 'Europe/Berlin',
      expected: '2025-10-27T07:00:00.000Z',
    },
    {
      name: 'Berlin fall back day: Sunday 08:00 CET',
      after: '2025-10-25T20:00:00Z',
      zone: 'Europe/Berlin',
      schedule: { days: EVERY_DAY },
      expected: '2025-10-26T07:00:00.000Z',
    },
  ];

  it.each(cases)('$name', ({ after, zone, schedule: overrides, expected }) => {
    expect(slot(after, zone, overrides)).toBe(expected);
  });

  it('throws on a window that never opens (a bug upstream, not a user error)', () => {
    expect(() => slot('2025-06-04T00:00:00Z', 'UTC', { days: [] })).toThrow(/never opens/);
  });
});

describe('isInsideWindow', () => {
  const cases: [string, string, Partial<Schedule>, boolean][] = [
    ['2025-06-06T16:59:59Z', 'UTC', {}, true],
    ['2025-06-06T17:00:00Z', 'UTC', {}, false],
    ['2025-06-07T12:00:00Z', 'UTC', {}, false],
    ['2025-06-04T07:59:59Z', 'UTC', {}, false],
    ['2025-06-04T23:59:00Z', 'UTC', { start: '20:00', end: '24:00' }, true],
    ['2025-06-05T00:00:00Z', 'UTC', { start: '20:00', end: '24:00' }, false],
    ['2025-06-06T21:30:00Z', 'Europe/Berlin', { start: '20:00', end: '24:00' }, true],
    // 01:10 on 2 Nov 2025 happens twice in New York; both are inside a 00:00–01:30 window.
    ['2025-11-02T05:10:00Z', 'America/New_York', { days: EVERY_DAY, start: '00:00', end: '01:30' }, true],
    ['2025-11-02T06:10:00Z', 'America/New_York', { days: EVERY_DAY, start: '00:00', end: '01:30' }, true],
  ];
  it.each(cases)('%s in %s %j → %s', (instant, zone, overrides, inside) => {
    expect(isInsideWindow(new Date(instant), schedule(overrides), zone)).toBe(inside);
  });
});

describe('jitter', () => {
  const base = { schedule: schedule({ jitterSeconds: 300 }), zone: 'Europe/Berlin' };

  it('is deterministic for a seed and varies across seeds', () => {
    const after = new Date('2025-06-07T12:00:00Z');
    const first = nextAllowedSlot({ ...base, after, seed: 'enrollment-1:step:0' });
    expect(nextAllowedSlot({ ...base, after, seed: 'enrollment-1:step:0' })).toEqual(first);
    const distinct = new Set(
      Array.from({ length: 50 }, (_, i) => nextAllowedSlot({ ...base, after, seed: `e${i}` }).getTime()),
    );
    expect(distinct.size).toBeGreaterThan(25);
  });

  it('stays within [open, open + jitterSeconds]', () => {
    const open = Date.parse('2025-06-09T06:00:00Z'); // Monday 08:00 CEST
    for (let i = 0; i < 200; i++) {
      const at = nextAllowedSlot({ ...base, after: new Date('2025-06-07T12:00:00Z'), seed: `s${i}` }).getTime();
      expect(at).toBeGreaterThanOrEqual(open);
      expect(at).toBeLessThanOrEqual(open + 300_000);
    }
  });

  it('applies when `after` is already inside, and never leaves the window', () => {
    const after = new Date('2025-06-06T14:59:00Z'); // Friday 16:59 CEST, one minute before closing
    for (let i = 0; i < 200; i++) {
      const at = nextAllowedSlot({ ...base, after, jitterSeconds: 3600, seed: `s${i}` });
      expect(at.getTime()).toBeGreaterThanOrEqual(after.getTime());
      expect(at.getTime()).toBeLessThan(Date.parse('2025-06-06T15:00:00Z'));
      expect(isInsideWindow(at, base.schedule, base.zone)).toBe(true);
    }
  });

  it('stays inside the second pass of a fall-back hour', () => {
    const sched = schedule({ days: EVERY_DAY, start: '00:00', end: '01:30', jitterSeconds: 3600 });
    const after = new Date('2025-11-02T06:10:00Z'); // 01:10 EST, the second 01:10 of the night
    for (let i = 0; i < 100; i++) {
      const at = nextAllowedSlot({ after, schedule: sched, zone: 'America/New_York', seed: `s${i}` });
      expect(at.getTime()).toBeGreaterThanOrEqual(after.getTime());
      expect(at.getTime()).toBeLessThan(Date.parse('2025-11-02T06:30:00Z'));
    }
  });

  it('the jitterSeconds argument overrides the schedule', () => {
    const after = new Date('2025-06-04T10:00:00Z');
    expect(nextAllowedSlot({ ...base, after, jitterSeconds: 0, seed: 'x' })).toEqual(after);
  });
});
