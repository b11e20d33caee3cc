// Who gets a connection request first when the account's budget is short (LinkedIn's invitations
// are the scarcest thing an account has): the contacts the plan rates highest — how much the offer
// bears on what we know of them (the plan score, writer/plan.ts) — and those we know the most about
// (enrichment facts give the note something true to say). A request the caps deferred retries a
// little later the fewer priority points it has, so when room opens (a new day, a request leaving
// the rolling week, the end of the gap between launches) the best contacts wake and claim first;
// the others wait for the next room, never dropped.
const SECONDS_PER_MISSING_POINT = 2.5;
/** Beyond this many facts contacts are equally well known. */
export const PRIORITY_FACTS = 20;
/** A point of plan score (one word the offer shares with a fact) weighs as much as this many facts. */
export const FACTS_PER_SCORE_POINT = 5;
/** Plan score points beyond this count the same (4 shared words: as good a fit as a plan can tell). */
const SCORE_POINTS = 20;
const MAX_POINTS = PRIORITY_FACTS + SCORE_POINTS;

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

/** A contact's priority for a connection request: its facts (capped) and its plan score, weighed. */
export function priorityPoints(input: { facts: number; planScore: number }): number {
  const facts = Math.min(Math.max(0, input.facts), PRIORITY_FACTS);
  const score = Math.min(Math.max(0, Math.round(input.planScore * FACTS_PER_SCORE_POINT)), SCORE_POINTS);
  return facts + score;
}

/** How much later than the room opening a deferred request retries (at most 100 s, under the 120 s gap). */
export function priorityDelaySeconds(points: number): number {
  return (MAX_POINTS - Math.min(Math.max(0, points), MAX_POINTS)) * SECONDS_PER_MISSING_POINT;
}
