// When an event happened, as recorded: the source's time, never later than now.
import { describe, expect, it } from 'vitest';
import { occurredAt } from '../../src/core/events.ts';

const now = new Date('2027-03-01T12:00:00.000Z');

describe('occurredAt', () => {
  it('keeps a past time the source gave, as text or as a Date', () => {
    expect(occurredAt('2027-03-01T11:59:58.250Z', now)).toEqual(new Date('2027-03-01T11:59:58.250Z'));
    expect(occurredAt(new Date('2026-12-31T00:00:00Z'), now)).toEqual(new Date('2026-12-31T00:00:00Z'));
  });

  it('takes now for a time ahead of ours, however far', () => {
    expect(occurredAt('2027-03-01T12:00:01.000Z', now)).toEqual(now);
    expect(occurredAt('2099-01-01T00:00:00Z', now)).toEqual(now);
    expect(occurredAt(new Date('2099-01-01T00:00:00Z'), now)).toEqual(now);
  });

  it('takes now when there is no time, or none that reads', () => {
    expect(occurredAt(undefined, now)).toEqual(now);
    expect(occurredAt('not a date', now)).toEqual(now);
    expect(occurredAt(new Date(NaN), now)).toEqual(now);
  });

  it('never hands back the caller’s own Date object to mutate', () => {
    const given = new Date('2027-01-01T00:00:00Z');
    expect(occurredAt(given, now)).not.toBe(given);
  });
});
