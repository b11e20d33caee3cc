import { describe, expect, it } from 'vitest';
import { memo } from '../../src/core/memo.ts';
import { shapeOffer } from '../../src/core/offerShape.ts';

describe('memo', () => {
  it('computes once per argument, undefined results included', () => {
    const calls: string[] = [];
    const lengthOrNothing = memo((text: string) => {
      calls.push(text);
      return text.length > 2 ? text.length : undefined;
    });
    expect([lengthOrNothing('abcd'), lengthOrNothing('ab'), lengthOrNothing('abcd'), lengthOrNothing('ab')]).toEqual([
      4,
      undefined,
      4,
      undefined,
    ]);
    expect(calls).toEqual(['abcd', 'ab']);
  });

  it('stays bounded: a full cache starts over', () => {
    const calls: string[] = [];
    const upper = memo((text: string) => {
      calls.push(text);
      return text.toUpperCase();
    }, 2);
    for (const text of ['a', 'b', 'c', 'a']) upper(text);
    // 'c' found the cache full (a, b) and cleared it, so 'a' is computed again.
    expect(calls).toEqual(['a', 'b', 'c', 'a']);
  });
});

describe('shapeOffer, remembered per offer and workspace name', () => {
  it('gives the same shape for the same offer and a different one for another name', () => {
    const offer = 'Ledgerly helps finance teams close the month in two days.';
    const first = shapeOffer(offer, 'Ledgerly');
    expect(shapeOffer(offer, 'Ledgerly')).toEqual(first);
    expect(shapeOffer(offer)).not.toEqual(first);
  });

  it('cannot be changed by a caller', () => {
    const shaped = shapeOffer('We automate month-end reporting. Used by 40 finance teams.');
    expect(shaped?.proof).toEqual(['Used by 40 finance teams']);
    expect(() => shaped?.proof.push('invented')).toThrow(TypeError);
    expect(shapeOffer('We automate month-end reporting. Used by 40 finance teams.')?.proof).toHaveLength(1);
  });
});
