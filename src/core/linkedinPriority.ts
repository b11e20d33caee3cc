// Who gets a connection request first when the account's budget is short: the contacts we know the
// most about (enrichment facts give the note something true to say). A request the caps deferred
// retries a few seconds later per missing fact, so when room opens (a new day or week, the end of
// the gap between launches) the best-known contacts wake and claim first; the others wait for the
// next room, never dropped.
const SECONDS_PER_MISSING_FACT = 5;
/** Beyond this many facts contacts are equally well known (20 × 5 s stays under the 120 s gap). */
export const PRIORITY_FACTS = 20;

/** Enrichment facts: each list item, and each other non-empty value, counts one. */
export function enrichmentFacts(enrichment: unknown): number {
  if (!enrichment || typeof enrichment !== 'object') return 0;
  let facts = 0;
  for (const value of Object.values(enrichment)) {
    if (Array.isArray(value)) facts += value.filter((v) => v !== null && v !== '').length;
    else if (value !== null && value !== undefined && value !== '') facts += 1;
  }
  return facts;
}

export function priorityDelaySeconds(facts: number): number {
  return (PRIORITY_FACTS - Math.min(Math.max(0, facts), PRIORITY_FACTS)) * SECONDS_PER_MISSING_FACT;
}
