// The English grammar the writer needs, over `compromise` (a rule-based English tagger that ships
// its lexicon in the package: no network, no model). Word tags, verb forms, plurals and root forms;
// results are memoized per string, which changes nothing but the time (compromise is pure).
import nlp from 'compromise';
import { memo } from './memo.ts';

export type Token = {
  text: string;
  lower: string;
  tags: ReadonlySet<string>;
  /** Punctuation and spaces around the word as written ("month-" has post "-"). */
  pre: string;
  post: string;
};

type TermJson = { text: string; normal?: string; tags?: string[]; root?: string; pre?: string; post?: string };

function termsOf(text: string, withRoots = false): TermJson[] {
  const doc = nlp(text);
  if (withRoots) doc.compute('root');
  const sentences = doc.json() as { terms: TermJson[] }[];
  return sentences.flatMap((sentence) => sentence.terms);
}

/** Words of a phrase with compromise's tags (ProperNoun, Verb, PastTense, Gerund, Plural …). */
export const tokenize = memo((text: string): Token[] =>
  termsOf(text).map((term) => ({
    text: term.text,
    lower: (term.normal ?? term.text).toLowerCase(),
    tags: new Set(term.tags ?? []),
    pre: term.pre ?? '',
    post: term.post ?? ' ',
  })),
);

/** Root forms of the words ("invoices are reconciled" → invoice, is, reconcile). */
export const roots = memo((text: string): string[] =>
  termsOf(text, true).map((term) => (term.root ?? term.normal ?? term.text).toLowerCase()),
);

export type VerbForms = { infinitive: string; past: string; present: string; gerund: string };

/** Every form of a verb given any one of them ("raised" → raise, raised, raises, raising). */
export const verbForms = memo((word: string): VerbForms | undefined => {
  const doc = nlp(word.toLowerCase());
  doc.tag('Verb');
  const forms = doc.verbs().conjugate()[0] as Record<string, string> | undefined;
  const infinitive = forms?.['Infinitive'];
  const past = forms?.['PastTense'];
  const present = forms?.['PresentTense'];
  const gerund = forms?.['Gerund'];
  if (!infinitive || !past || !present || !gerund) return undefined;
  return { infinitive, past, present, gerund };
});

/** "route" → "routes", "inventory" → "inventories"; undefined when compromise has no plural. */
export const pluralOf = memo((noun: string): string | undefined => {
  const doc = nlp(noun);
  doc.tag('Noun');
  const plural = doc.nouns().toPlural().text().trim();
  return plural.length > 0 && plural !== noun ? plural : undefined;
});

/** "a" or "an" before a word, by its sound ("an SDR", "a URL", "an hour", "a user", "an update"). */
export function articleFor(word: string): 'a' | 'an' {
  const first = word.trim().split(/[\s-]+/)[0] ?? '';
  if (/^[A-Z]{2,}$/.test(first.replace(/s$/, ''))) return /^[AEFHILMNORSX]/.test(first) ? 'an' : 'a';
  if (/^\d/.test(first)) return /^(8|11|18|8\d+)$/.test(first.replace(/[^\d].*$/, '')) ? 'an' : 'a';
  const lower = first.toLowerCase();
  if (/^(hour|honest|honou?r|heir)/.test(lower)) return 'an';
  if (/^(uni|use|usu|uti|ura|ure|euro|eu|one|once|ewe)/.test(lower)) return 'a';
  return /^[aeiou]/.test(lower) ? 'an' : 'a';
}

const PROPER = ['ProperNoun', 'Person', 'Place', 'Organization', 'FirstName', 'LastName', 'City', 'Country'];

/**
 * Lower-cases the first letter of a fact written sentence-style ("Late deliveries …" → "late
 * deliveries …") unless the first word is a name: all capitals (KYC), inner capitals (HubSpot),
 * a word the contact's data uses as a name (`names`), or one compromise knows as a proper noun.
 */
export function lowerFirstSafe(text: string, names: ReadonlySet<string> = new Set()): string {
  const first = text.split(/\s+/)[0] ?? '';
  if (!/^\p{Lu}/u.test(first)) return text;
  const bare = first.replace(/[^\p{L}\p{N}'-]/gu, '');
  if (bare.length > 1 && bare === bare.toUpperCase()) return text;
  if (/\p{Lu}/u.test(bare.slice(1))) return text;
  if (names.has(bare.toLowerCase())) return text;
  // "Series B", "Plan A": a word followed by a letter or number is a name.
  if (/^\S+\s+(?:\p{Lu}|\d+)(?:\s|$)/u.test(text)) return text;
  const tags = tokenize(text)[0]?.tags ?? new Set<string>();
  if (PROPER.some((tag) => tags.has(tag))) return text;
  return (text[0]?.toLowerCase() ?? '') + text.slice(1);
}

/** The words as written (hyphens and inner punctuation kept), without leading or trailing punctuation. */
export function joinTokens(tokens: readonly Token[]): string {
  const text = tokens.map((token, index) => `${index === 0 ? '' : token.pre}${token.text}${token.post}`).join('');
  return text.replace(/[\s.,;:!?]+$/, '').trim();
}

export function upperFirst(text: string): string {
  return text.length > 0 ? (text[0]?.toUpperCase() ?? '') + text.slice(1) : text;
}

/** "SAP and Excel" take "do"/"fit"; "HubSpot" takes "does"/"fits". */
export function agree(plural: boolean, singular: string, pluralForm: string): string {
  return plural ? pluralForm : singular;
}
