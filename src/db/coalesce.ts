// Many enrollments, one statement. A worker runs dozens of enrollments at once, and each step of
// each one reads its context, reserves and records: as many statements per step, each costing
// PostgreSQL its per-statement overhead, which is most of the work for statements this small.
// A coalescer gathers the calls of one kind (and one workspace: they run in its tenant context)
// into batches: a call goes at once while fewer than `inFlight` batches of its kind are running,
// and the calls that arrive meanwhile go together in the next batch. At low load nothing waits;
// under load the batches grow by themselves, up to `max` items.

/** An item's own failure: its caller gets this error, the batch's other items their results. */
export class ItemFailed extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'ItemFailed';
  }
}

type Waiting<I, O> = { item: I; resolve: (value: O) => void; reject: (error: unknown) => void };

/**
 * `run` receives a key's batch and returns one result per item, in order (an ItemFailed for an item
 * that failed alone). When a batch of several fails as a whole, each of its items runs again alone,
 * so one bad item (or a deadlock between two batches) costs the others nothing.
 */
export function coalescer<I, O>(
  run: (key: string, items: I[]) => Promise<(O | ItemFailed)[]>,
  options: { inFlight?: number; max?: number } = {},
): (key: string, item: I) => Promise<O> {
  const inFlight = options.inFlight ?? 2;
  const max = options.max ?? 64;
  const keys = new Map<string, { running: number; waiting: Waiting<I, O>[]; scheduled: boolean }>();

  const settle = (batch: Waiting<I, O>[], results: (O | ItemFailed)[]) => {
    if (results.length !== batch.length) {
      const error = new Error(`batch returned ${results.length} results for ${batch.length}`);
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => {
      const result = results[i];
      if (result instanceof ItemFailed) w.reject(result);
      else w.resolve(result as O);
    });
  };

  async function send(key: string, batch: Waiting<I, O>[]): Promise<void> {
    try {
      settle(
        batch,
        await run(
          key,
          batch.map((w) => w.item),
        ),
      );
    } catch (error) {
      if (batch.length === 1) batch[0]?.reject(error);
      else await Promise.all(batch.map((w) => send(key, [w])));
    }
  }

  function pump(key: string): void {
    const state = keys.get(key);
    if (!state) return;
    state.scheduled = false;
    while (state.running < inFlight && state.waiting.length > 0) {
      const batch = state.waiting.splice(0, max);
      state.running++;
      void send(key, batch).finally(() => {
        state.running--;
        if (state.waiting.length > 0) pump(key);
        else if (state.running === 0) keys.delete(key);
      });
    }
  }

  return (key, item) =>
    new Promise<O>((resolve, reject) => {
      let state = keys.get(key);
      if (!state) keys.set(key, (state = { running: 0, waiting: [], scheduled: false }));
      state.waiting.push({ item, resolve, reject });
      // Calls made in the same turn of the event loop go together.
      if (!state.scheduled && state.running < inFlight) {
        state.scheduled = true;
        setImmediate(() => pump(key));
      }
    });
}

/** One coalescer per owner (a Db: its pool runs the batches), made on first use. */
export function perOwner<T extends object, I, O>(
  run: (owner: T, key: string, items: I[]) => Promise<(O | ItemFailed)[]>,
  options?: { inFlight?: number; max?: number },
): (owner: T, key: string, item: I) => Promise<O> {
  const made = new WeakMap<T, (key: string, item: I) => Promise<O>>();
  return (owner, key, item) => {
    let call = made.get(owner);
    if (!call) made.set(owner, (call = coalescer((k: string, items: I[]) => run(owner, k, items), options)));
    return call(key, item);
  };
}
