// Does the offer bear on a fact? Shared content words (by root: "invoices reconciled" and
// "reconciles invoices" share two) say it does; a few documented concept pairs bridge the obvious
// gaps (a pain done "by hand" and an offer that automates). No match means the composer says so
// honestly instead of pretending a link.
import { roots } from './nlp.ts';

/** strong: a shared word ("invoices"); soft: the same line of business (leads ↔ outreach); none. */
export type RelevanceLevel = 'strong' | 'soft' | 'none';
export type Relevance = { score: number; shared: string[]; level: RelevanceLevel };

/** Words that say nothing about what a business does. */
const GENERIC = new Set(
  (
    'the a an and or but of to in on at by for with from into over under about as is are was were be been being ' +
    'have has had do does did will would can could should may might must not no yes this that these those it its ' +
    'we our us you your they their them he she his her i my me who which what when where why how all any each ' +
    'more most much many some such than then too very just only still also even so up down out off again ' +
    'team teams time times company companies business way thing things process work make get take use help new own ' +
    'day days week weeks month months year years every one two three people person customer customers ' +
    'automatically automatic tool tools lot lots part kind'
  ).split(' '),
);

/** Concept pairs: a fact word on the left and an offer word on the right count as one shared concept. */
/**
 * `domain` concepts are a line of business on their own (an outreach offer bears on reply rates);
 * the others (manual work, speed, visibility) only strengthen a shared word: an automation offer
 * does not bear on every manual task.
 */
const CONCEPTS: readonly { name: string; domain: boolean; fact: RegExp; offer: RegExp }[] = [
  {
    name: 'manual work',
    domain: false,
    fact: /\b(manual\w*|by hand|spreadsheets?|excel|paper|copy|paste|re-?key\w*|tedious|repetitive)\b/i,
    offer: /\b(automat\w*|auto-?\w+|ai|assistant|autopilot|robot\w*|hands-free)\b/i,
  },
  {
    name: 'speed',
    domain: false,
    fact: /\b(slow\w*|too long|takes? (?:a|\w+ )?(?:days?|weeks?)|drag\w*|delay\w*|backlog|bottleneck|waiting)\b/i,
    offer: /\b(fast\w*|quick\w*|speed\w*|instant\w*|minutes|real-?time|automat\w*)\b/i,
  },
  {
    name: 'visibility',
    domain: false,
    fact: /\b(visibility|blind|surface|no (?:data|insight)|don'?t share|miss(?:es|ed)?|forecast\w*|track\w*)\b/i,
    offer: /\b(dashboard\w*|report\w*|insight\w*|analytics|alert\w*|visibility|forecast\w*|track\w*|monitor\w*)\b/i,
  },
  {
    name: 'pipeline',
    domain: true,
    fact: /\b(leads?|reply rates?|replies|outbound|cold (?:email|call\w*)|prospect\w*|pipeline|meetings?|sdrs?|bdrs?)\b/i,
    offer: /\b(outreach|outbound|prospect\w*|leads?|pipeline|meetings?|sequences?|cold email|sdrs?|replies)\b/i,
  },
];

/** Content roots of a text: lower-case, no stop words, no numbers. */
export function contentRoots(text: string): string[] {
  return [...new Set(roots(text))]
    .map((word) => word.replace(/[^\p{L}\p{N}-]/gu, ''))
    .filter((word) => word.length >= 3 && !/\d/.test(word) && !GENERIC.has(word));
}

/**
 * How much the offer bears on a fact: each shared content root counts 1, each concept 0.5. A shared
 * root makes it `strong` (the composer may say "that's the problem we work on"); a domain concept
 * alone makes it `soft` ("that's close to what we do"); anything else is `none`.
 */
export function relevanceOf(fact: string, offer: string): Relevance {
  const offerRoots = new Set(contentRoots(offer));
  const shared = contentRoots(fact).filter((word) => offerRoots.has(word));
  const concepts = CONCEPTS.filter((concept) => concept.fact.test(fact) && concept.offer.test(offer));
  const level: RelevanceLevel =
    shared.length > 0 ? 'strong' : concepts.some((concept) => concept.domain) ? 'soft' : 'none';
  const counted = level === 'none' ? [] : concepts;
  return {
    score: shared.length + counted.length * 0.5,
    shared: [...shared, ...counted.map((concept) => concept.name)],
    level,
  };
}
