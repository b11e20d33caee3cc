// "No invented facts": every number, address and proper-noun-like word in a message must come from
// the input (contact, enrichment, workspace, sender) or be ordinary language. Lower-case words are
// never suspicious; a capitalized word passes when the input contains it, when it is always
// capitalized (weekday, month, "I"), or when it starts a sentence/line and is a common word.
import { ALWAYS_CAPITALIZED, SENTENCE_WORDS } from './commonWords.ts';
import { withoutDiacritics } from './gsmText.ts';
import { memo } from './memo.ts';
import { tokenize } from './nlp.ts';

export type InventedFact = { token: string; kind: 'name' | 'number' | 'address' };

const TOKEN = /[\p{L}\p{N}][\p{L}\p{M}\p{N}']*(?:[.\-&][\p{L}\p{N}][\p{L}\p{M}\p{N}']*)*/gu;
const ADDRESS =
  /\b(?:https?:\/\/\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w-]+(?:\.[\w-]+)*\.(?:com|io|ai|co|net|org|de|fr|es|uk|app|dev)\b)/giu;
const ALWAYS = new Set(ALWAYS_CAPITALIZED);
const SENTENCE = new Set(SENTENCE_WORDS);
/** Characters skipped when looking back for the start of a sentence. */
const SKIPPABLE = new Set([
  ' ',
  '\t',
  '"',
  "'",
  '(',
  '[',
  '*',
  '-',
  '\u2013',
  '\u2014',
  '\u2022',
  '\u201C',
  '\u2018',
  '>',
]);
const SENTENCE_END = new Set(['\n', '.', '!', '?', ':', ';']);

function normalizeApostrophes(text: string): string {
  return text.replace(/[\u2019\u2018\u02BC]/g, "'");
}

/** Flattens any input value (strings, numbers, arrays, nested objects) into text. */
export function collectStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' && Number.isFinite(value)) out.push(String(value));
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, out);
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) collectStrings(item, out);
  return out;
}

function stripPossessive(token: string): string {
  return token.replace(/'s?$/i, '');
}

type KnownText = { tokens: Set<string>; numbers: Set<string>; text: string };
/** What the input says, in parts; a word, number or address is known when one part has it. */
export type KnownFacts = { parts: readonly KnownText[] };

function knownText(text: string): KnownText {
  const tokens = new Set<string>();
  for (const match of text.matchAll(TOKEN)) {
    const token = match[0];
    tokens.add(token);
    tokens.add(stripPossessive(token));
    for (const part of token.split(/[.\-&]/)) {
      tokens.add(part);
      tokens.add(stripPossessive(part));
    }
    // An SMS writes "Łukasz" as "Lukasz" to stay in GSM-7: the same name, not a new one.
    const plain = withoutDiacritics(token);
    if (plain !== token) {
      tokens.add(plain);
      for (const part of plain.split(/[.\-&]/)) tokens.add(part);
    }
  }
  const numbers = new Set((text.match(/\d+/g) ?? []).map((digits) => digits.replace(/^0+(?=\d)/, '')));
  return { tokens, numbers, text };
}

const flatten = (sources: readonly unknown[]): string =>
  normalizeApostrophes(collectStrings(sources).join('\n')).toLowerCase();

/** The same workspace and sender come with every message: their part is built once. */
const sharedText = memo(knownText, 500);

/**
 * Known facts of `sources` (the contact: new with every message) and `shared` (workspace and
 * sender). Words, numbers and addresses never span two strings, so parts answer as one text would.
 */
export function buildKnownFacts(sources: readonly unknown[], shared: readonly unknown[] = []): KnownFacts {
  return { parts: [knownText(flatten(sources)), sharedText(flatten(shared))] };
}

const knownToken = (known: KnownFacts, token: string): boolean => known.parts.some((part) => part.tokens.has(token));
const knownNumber = (known: KnownFacts, digits: string): boolean =>
  known.parts.some((part) => part.numbers.has(digits));
const knownAddress = (known: KnownFacts, address: string): boolean =>
  known.parts.some((part) => part.text.includes(address));

/** Word classes that are never a name: a sentence may start with "Moving", "Would", "Happy". */
const ORDINARY_TAGS = [
  'Verb',
  'Gerund',
  'Adjective',
  'Adverb',
  'Preposition',
  'Determiner',
  'Pronoun',
  'Conjunction',
  'Modal',
  'Copula',
  'QuestionWord',
  'Expression',
];

/** An English word that compromise reads as something other than a noun (which could be a name). */
function isOrdinaryWord(lower: string): boolean {
  const tags = tokenize(lower)[0]?.tags;
  return tags !== undefined && !tags.has('ProperNoun') && ORDINARY_TAGS.some((tag) => tags.has(tag));
}

function isSentenceStart(text: string, index: number): boolean {
  let position = index - 1;
  while (position >= 0 && SKIPPABLE.has(text[position] ?? '')) position--;
  if (position < 0) return true;
  return SENTENCE_END.has(text[position] ?? '');
}

function hasUpper(token: string): boolean {
  return /\p{Lu}/u.test(token);
}

/**
 * False for a token that has neither a digit nor a capital letter: ordinary lower-case language,
 * which is never suspicious. Most words of a message are, so they skip every other test.
 */
function mayBeFact(token: string): boolean {
  for (let index = 0; index < token.length; index++) {
    const code = token.charCodeAt(index);
    if (code > 127) return /[\p{Lu}0-9]/u.test(token);
    if ((code >= 48 && code <= 57) || (code >= 65 && code <= 90)) return true;
  }
  return false;
}

export function findInventedFacts(message: string, known: KnownFacts): InventedFact[] {
  const found: InventedFact[] = [];
  const seen = new Set<string>();
  const report = (token: string, kind: InventedFact['kind']): void => {
    if (seen.has(token)) return;
    seen.add(token);
    found.push({ token, kind });
  };
  const text = normalizeApostrophes(message);
  // Addresses first, then blank them so their parts are not checked again as words.
  const withoutAddresses = text.replace(ADDRESS, (address: string) => {
    const clean = address.replace(/[.,;:)]+$/, '').toLowerCase();
    if (!knownAddress(known, clean.replace(/^https?:\/\//, '').replace(/^www\./, ''))) report(address, 'address');
    return ' '.repeat(address.length);
  });
  for (const match of withoutAddresses.matchAll(TOKEN)) {
    if (!mayBeFact(match[0])) continue;
    const token = stripPossessive(match[0].replace(/[.']+$/, ''));
    const lower = token.toLowerCase();
    const digits = token.match(/\d+/g);
    if (digits !== null) {
      const allKnown = digits.every((group) => knownNumber(known, group.replace(/^0+(?=\d)/, '')));
      if (!allKnown && !knownToken(known, lower)) report(token, 'number');
      continue;
    }
    if (!hasUpper(token) || knownToken(known, lower) || ALWAYS.has(lower)) continue;
    const start = isSentenceStart(withoutAddresses, match.index);
    const parts = token.split(/[.\-&]/).filter((part) => part.length > 0);
    const partOk = (part: string, position: number): boolean => {
      const partLower = part.toLowerCase();
      if (!hasUpper(part) || knownToken(known, partLower) || ALWAYS.has(partLower)) return true;
      return start && position === 0 && (SENTENCE.has(partLower) || isOrdinaryWord(partLower));
    };
    if (!parts.every(partOk)) report(token, 'name');
  }
  return found;
}
