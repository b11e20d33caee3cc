import { describe, expect, it } from 'vitest';
import { coalescer, ItemFailed } from '../../src/db/coalesce.ts';

/** A batch runner that records its batches and answers when told to. */
function recorder(answer: (items: number[]) => (number | ItemFailed)[] | Error = (items) => items.map((i) => i * 10)) {
  const batches: number[][] = [];
  const open: (() => void)[] = [];
  let held = false;
  const run = async (_key: string, items: number[]) => {
    batches.push(items);
    if (held) await new Promise<void>((resolve) => open.push(resolve));
    const result = answer(items);
    if (result instanceof Error) throw result;
    return result;
  };
  return {
    run,
    batches,
    hold: () => (held = true),
    release: () => {
      held = false;
      for (const resolve of open.splice(0)) resolve();
    },
  };
}

/**
 * Lets the coalescer's pending setImmediate (queued before this one, so run first: Node runs the
 * immediates of one turn in order) and the promise callbacks it starts run. A setTimeout(0) here
 * would race it: when the event loop enters its timers phase a millisecond late, the timer fires
 * before the immediate, and the batch has not gone yet.
 */
const settle = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

describe('coalescer', () => {
  it('sends the calls of one turn together, and each caller gets its own result', async () => {
    const r = recorder();
    const call = coalescer(r.run);
    const results = await Promise.all([1, 2, 3].map((i) => call('ws', i)));
    expect(results).toEqual([10, 20, 30]);
    expect(r.batches).toEqual([[1, 2, 3]]);
  });

  it('keeps keys apart (one batch per workspace)', async () => {
    const r = recorder();
    const call = coalescer(r.run);
    await Promise.all([call('a', 1), call('b', 2), call('a', 3)]);
    expect(r.batches.sort((x, y) => (x[0] ?? 0) - (y[0] ?? 0))).toEqual([[1, 3], [2]]);
  });

  it('gathers the calls that arrive while batches are in flight into the next batch, up to max', async () => {
    const r = recorder();
    const call = coalescer(r.run, { inFlight: 1, max: 3 });
    r.hold();
    const first = call('ws', 1);
    await settle();
    expect(r.batches).toEqual([[1]]);
    // Five more arrive while the first batch runs: they wait, then go as batches of at most three.
    const rest = [2, 3, 4, 5, 6].map((i) => call('ws', i));
    await settle();
    expect(r.batches).toEqual([[1]]);
    r.release();
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40, 50, 60]);
    expect(r.batches).toEqual([[1], [2, 3, 4], [5, 6]]);
  });

  it('fails only the caller whose item failed', async () => {
    const r = recorder((items) => items.map((i) => (i === 2 ? new ItemFailed('bad item', '23503') : i)));
    const call = coalescer(r.run);
    const results = await Promise.allSettled([1, 2, 3].map((i) => call('ws', i)));
    expect(results[0]).toEqual({ status: 'fulfilled', value: 1 });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { message: 'bad item', code: '23503' } });
    expect(results[2]).toEqual({ status: 'fulfilled', value: 3 });
  });

  it('runs each item of a batch that failed as a whole again alone', async () => {
    // The batch of three fails (say, a deadlock with another batch); alone, only item 2 fails.
    const r = recorder((items) => (items.length > 1 || items[0] === 2 ? new Error(`failed ${items}`) : items));
    const call = coalescer(r.run);
    const results = await Promise.allSettled([1, 2, 3].map((i) => call('ws', i)));
    expect(r.batches).toEqual([[1, 2, 3], [1], [2], [3]]);
    expect(results.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[1]).toMatchObject({ reason: { message: 'failed 2' } });
  });

  it('rejects every caller when a batch answers a different number of items', async () => {
    const call = coalescer(async (_key: string, items: number[]) => items.slice(1));
    const results = await Promise.allSettled([1, 2].map((i) => call('ws', i)));
    for (const result of results)
      expect(result).toMatchObject({ status: 'rejected', reason: { message: 'batch returned 1 results for 2' } });
  });
});
