// Memoization for pure functions of a string: the writer asks the same questions of the same
// words, company names and offers for every message. A bounded cache, cleared when full, so a run
// over many contacts never grows it without limit.

const MEMO_LIMIT = 5000;

/** `fn` with its results remembered per argument (fn must be pure and its results not mutated). */
export function memo<T>(fn: (text: string) => T, limit = MEMO_LIMIT): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    const hit = cache.get(text);
    if (hit !== undefined || cache.has(text)) return hit as T;
    const value = fn(text);
    if (cache.size >= limit) cache.clear();
    cache.set(text, value);
    return value;
  };
}
