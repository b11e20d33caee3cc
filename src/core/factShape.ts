// Pain points and conversation starters as language the composer can inflect, not strings to
// paste: a clause ("carrier invoices are reconciled by hand"), a noun or gerund phrase ("planning
// routes by hand"), and a short topic for questions and subjects ("carrier invoices"). A fact whose
// grammar is not understood gives undefined: the composer leaves it out.
import { joinTokens as words, lowerFirstSafe, pluralOf, tokenize, verbForms, type Token } from './nlp.ts';

export type ShapedPain = {
  source: string;
  /** A whole present-tense clause with its subject, when the fact is one. */
  clause?: string;
  /** A noun or gerund phrase: "planning routes by hand", "churn in the first 90 days". */
  phrase?: string;
  /** What it is about, as a short noun phrase: "carrier invoices", "route planning". */
  topic: string;
  /** Whether `phrase` takes a plural verb ("low reply rates … are"). */
  plural: boolean;
  /** Whether `topic` takes a plural verb ("carrier invoices move up the list"). */
  topicPlural: boolean;
};

export type ShapedStarter = {
  source: string;
  /** "your talk at SaaStr on outbound hiring" */
  phrase?: string;
  /** "you spoke at SaaStr about outbound hiring" */
  clause?: string;
};

/** Plural nouns that compromise may read as verbs; before a preposition they are nouns. */
const MEASURE_NOUNS = new Set([
  'rates',
  'costs',
  'cycles',
  'times',
  'levels',
  'margins',
  'volumes',
  'numbers',
  'scores',
  'prices',
  'fees',
  'returns',
  'sales',
  'quotes',
  'reviews',
  'reports',
  'forecasts',
  'invoices',
  'leads',
  'tickets',
]);
const MANUAL = new Set(['manual', 'manually']);
/** Leading words that make a problem out of a topic: dropped from the topic ("low reply rates" → "reply rates"). */
const PROBLEM_WORDS = new Set(['manual', 'slow', 'low', 'high', 'poor', 'inconsistent', 'rising', 'messy', 'outdated']);
const NOT_IN_NOUN_PHRASE = ['Copula', 'Modal', 'Auxiliary', 'QuestionWord', 'Negative', 'Conjunction'];

function clean(text: string): string {
  return text
    .replace(/[{}]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.;,!:\s]+$/, '');
}

function isFiniteVerb(token: Token): boolean {
  const t = token.tags;
  if (t.has('Gerund') || t.has('Noun') || t.has('Adjective')) return false;
  return t.has('PastTense') || t.has('PresentTense') || t.has('Copula') || t.has('Modal') || t.has('Auxiliary');
}

function isPrepositionLike(token: Token | undefined): boolean {
  return token === undefined || token.tags.has('Preposition') || token.tags.has('Adverb');
}

function inNounPhrase(token: Token): boolean {
  if (NOT_IN_NOUN_PHRASE.some((tag) => token.tags.has(tag)) && token.lower !== '&') return false;
  if (token.tags.has('Pronoun') && !token.tags.has('Possessive')) return false;
  return !isFiniteVerb(token) || MEASURE_NOUNS.has(token.lower);
}

/** Tokens of a sentence-style fact, tagged as the subject of a sentence ("the route planning …"). */
export function tagged(text: string): Token[] {
  const startsWithDeterminer = /^(the|a|an|our|your|their|his|her|its|my)\s/i.test(text);
  const tokens = tokenize(startsWithDeterminer ? text : `the ${text}`);
  return startsWithDeterminer ? tokens : tokens.slice(1);
}

/** Index of the main verb when the words before it form a noun phrase; -1 for a noun phrase; undefined when unclear. */
export function mainVerbIndex(tokens: readonly Token[]): number | undefined {
  for (let index = 1; index < tokens.length; index++) {
    const token = tokens[index];
    if (token === undefined || !isFiniteVerb(token)) continue;
    if (MEASURE_NOUNS.has(token.lower) && isPrepositionLike(tokens[index + 1])) continue;
    return tokens.slice(0, index).every(inNounPhrase) ? index : undefined;
  }
  if (tokens[0] !== undefined && isFiniteVerb(tokens[0]) && !MEASURE_NOUNS.has(tokens[0].lower)) return undefined;
  return tokens.every((token) => inNounPhrase(token) || token.tags.has('Adverb')) ? -1 : undefined;
}

/** The head of a noun phrase: the last word before its first preposition. */
function headOf(tokens: readonly Token[]): Token | undefined {
  const stop = tokens.findIndex((token, index) => index > 0 && token.tags.has('Preposition'));
  return (stop === -1 ? tokens : tokens.slice(0, stop)).at(-1);
}

function isPluralHead(tokens: readonly Token[]): boolean {
  const head = headOf(tokens);
  return head !== undefined && (head.tags.has('Plural') || MEASURE_NOUNS.has(head.lower));
}

/** "manual route planning" → "planning routes by hand"; "manual data entry" → "doing data entry by hand". */
function byHand(tokens: readonly Token[]): string | undefined {
  const rest = tokens.slice(1);
  const head = rest.at(-1);
  if (head === undefined || rest.some((token) => token.tags.has('Preposition'))) return undefined;
  const modifiers = rest.slice(0, -1);
  const forms = verbForms(head.lower);
  const verbal = head.lower.endsWith('ing') || (forms !== undefined && head.tags.has('Verb'));
  if (forms !== undefined && verbal && modifiers.length <= 1) {
    const object = modifiers[0];
    if (object === undefined) return `${forms.gerund} by hand`;
    if (!object.text.includes('-') && !object.tags.has('Adjective')) {
      const plural = pluralOf(object.lower);
      if (plural !== undefined) return `${forms.gerund} ${plural} by hand`;
    }
  }
  return `doing ${words(rest)} by hand`;
}

export function shapePain(source: string, names: ReadonlySet<string> = new Set()): ShapedPain | undefined {
  const text = clean(source);
  if (text.length === 0 || text.split(' ').length > 16 || /[?:()"]/.test(text)) return undefined;
  const lowered = lowerFirstSafe(text, names);
  const tokens = tagged(lowered);
  const verb = mainVerbIndex(tokens);
  if (verb === undefined) return undefined;
  if (verb === -1) {
    const first = tokens[0];
    const rest = tokens.slice(1);
    const problem = first !== undefined && PROBLEM_WORDS.has(first.lower) && rest.length > 0;
    const topic = problem ? words(rest) : lowered;
    const phrase = first !== undefined && MANUAL.has(first.lower) ? byHand(tokens) : lowered;
    const gerund = first?.tags.has('Gerund') === true || first?.lower.endsWith('ing') === true;
    const plural = !gerund && isPluralHead(tokens);
    return { source, phrase, topic, plural: phrase === lowered && plural, topicPlural: plural };
  }
  const subject = tokens.slice(0, verb);
  const topicTokens = PROBLEM_WORDS.has(subject[0]?.lower ?? '') && subject.length > 1 ? subject.slice(1) : subject;
  const gerundSubject = subject[0]?.tags.has('Gerund') === true || subject[0]?.lower.endsWith('ing') === true;
  const shaped: ShapedPain = {
    source,
    clause: lowered,
    topic: words(topicTokens),
    plural: false,
    topicPlural: !gerundSubject && isPluralHead(topicTokens),
  };
  // "carrier invoices are (still) reconciled by hand" → "reconciling carrier invoices by hand"
  const copula = tokens[verb];
  const after = tokens.slice(verb + 1).filter((token) => !(token.tags.has('Adverb') && token.lower === 'still'));
  const participle = after[0];
  if (copula?.tags.has('Copula') && participle?.tags.has('PastTense')) {
    const forms = verbForms(participle.lower);
    if (forms !== undefined) shaped.phrase = `${forms.gerund} ${words(subject)} ${words(after.slice(1))}`.trim();
  }
  return shaped;
}

const THIRD_PERSON = /^(she|he|they|their|his|her)$/i;

/** Subject pronouns and names in a starter become "you"; possessives become "your". */
function secondPerson(tokens: readonly Token[], names: ReadonlySet<string>): Token[] | undefined {
  const first = tokens[0];
  if (first === undefined) return undefined;
  const lower = first.lower.replace(/['’]s$/, '');
  const isOwner = /['’]s$/.test(first.text) && names.has(lower);
  if (/^(their|his|her)$/.test(first.lower) || isOwner)
    return [{ ...first, text: 'your', lower: 'your' }, ...tokens.slice(1)];
  if (THIRD_PERSON.test(first.lower) || names.has(first.lower))
    return [{ ...first, text: 'you', lower: 'you', tags: new Set(['Pronoun']) }, ...tokens.slice(1)];
  return [...tokens];
}

/** Past or present verbs after "you": "spoke" stays, "writes" → "write", "is" → "are", "has" → "have". */
export function agreeWithYou(verb: Token): string | undefined {
  const map: Record<string, string> = { is: 'are', was: 'were', has: 'have', does: 'do' };
  if (map[verb.lower] !== undefined) return map[verb.lower];
  if (verb.tags.has('PastTense') || verb.tags.has('Modal')) return verb.text;
  const forms = verbForms(verb.lower);
  if (forms === undefined) return undefined;
  return verb.lower === forms.present ? forms.infinitive : verb.text;
}

/** Conversation starters: "their talk at SaaStr" → "your talk at SaaStr"; "She spoke at X" → "you spoke at X". */
export function shapeStarter(source: string, names: ReadonlySet<string> = new Set()): ShapedStarter | undefined {
  const text = clean(source);
  if (text.length === 0 || text.split(' ').length > 18 || /[?"]/.test(text)) return undefined;
  const tokens = secondPerson(tokenize(lowerFirstSafe(text, names)), names);
  if (tokens === undefined) return undefined;
  const startsWithYou = tokens[0]?.lower === 'you' && tokens[1] !== undefined && isFiniteVerb(tokens[1]);
  const verb = startsWithYou ? 1 : mainVerbIndex(tokens);
  if (verb === undefined) return undefined;
  if (verb === -1) return { source, phrase: words(tokens) };
  if (!startsWithYou) return undefined;
  const token = tokens[verb];
  const agreed = token === undefined ? undefined : agreeWithYou(token);
  if (agreed === undefined) return undefined;
  return { source, clause: ['you', agreed, words(tokens.slice(verb + 1))].join(' ').trim() };
}
