// Recent news as language: "raised a €12M Series A in June" → "you raised a €12M Series A in June"
// (after "saw") and "the €12M Series A" (after "congrats on"). News that is bad for the company
// (layoffs, a lawsuit, an acquisition) or whose grammar is not understood gives undefined: the
// composer leaves it out rather than congratulate anyone on it.
import { displayCompany } from './companyName.ts';
import { agreeWithYou, mainVerbIndex } from './factShape.ts';
import { joinTokens as words, lowerFirstSafe, tokenize, verbForms, type Token } from './nlp.ts';

export type ShapedNews = {
  source: string;
  /** What follows "saw": "you raised a €12M Series A in June", "the news about the new Lisbon office". */
  seen: string;
  /** What to congratulate on, after "congrats on": "the €12M Series A", "opening an office in Lisbon". */
  congrats?: string;
  /** A short subject-line topic: "the Series A", "the Lisbon office". */
  topic?: string;
};

const SENSITIVE =
  /\b(lay(?:s|ing)?\s?offs?|laid off|cuts?|cutting|layoffs|redundanc\w*|downsiz\w*|restructur\w*|bankrupt\w*|insolven\w*|lawsuit|sued|su(?:es|ing)|fined?|breach\w*|hack\w*|recall\w*|resign\w*|fired|clos(?:ed|es|ing)|shut\w*|acquir\w*|merg\w*|investigat\w*|scandal|loss(?:es)?|lost|died|death|passed away|strike)\b/i;
/** Trailing time words dropped when congratulating ("in June", "last week", "in 2025"). */
const TRAILING_TIME =
  /\s+(?:in|on|last|this|earlier this|back in)\s+(?:january|february|march|april|may|june|july|august|september|october|november|december|\d{4}|week|month|year|quarter|q[1-4])(?:\s+\d{4})?$/i;
const ROUND = /\b(series|seed|round|funding|financing|investment)\b/i;

function clean(text: string): string {
  return text
    .replace(/[{}]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.;,!:\s]+$/, '');
}

/** Drops the company (or "the company") from the start: the subject becomes "you". */
function withoutSubject(text: string, company: string | undefined): string | undefined {
  const names = company === undefined ? [] : [company, displayCompany(company)];
  for (const name of names.sort((a, b) => b.length - a.length)) {
    if (name.length > 0 && text.toLowerCase().startsWith(`${name.toLowerCase()} `))
      return text
        .slice(name.length)
        .replace(/^['’]s\s+/, ' ')
        .trim();
  }
  if (/^(the company|the team|they|we)\s/i.test(text)) return text.replace(/^\S+(\s+(company|team))?\s+/i, '');
  return undefined;
}

function withArticle(phrase: string): string {
  return phrase.replace(/^(a|an)\s+/i, 'the ');
}

/** A past-tense or gerund predicate with "you" as its subject. */
function predicate(tokens: readonly Token[]): ShapedNews | undefined {
  const verb = tokens[0];
  if (verb === undefined) return undefined;
  const rest = words(tokens.slice(1));
  const forms = verbForms(verb.lower);
  if (verb.tags.has('Gerund') && forms !== undefined) {
    const what = `${forms.gerund} ${rest}`.trim();
    return { source: '', seen: `you're ${what}`, congrats: what.replace(TRAILING_TIME, '') };
  }
  if (verb.lower === 'raised' && ROUND.test(rest)) {
    const round = withArticle(rest.replace(TRAILING_TIME, ''));
    const name = /\b((?:series|seed)(?:\s+[a-z0-9+]+)?)\b/i.exec(rest)?.[1];
    return { source: '', seen: `you raised ${rest}`, congrats: round, topic: name && `the ${name}` };
  }
  if (verb.tags.has('PastTense') && forms !== undefined && verb.lower === forms.past) {
    const what = rest.replace(TRAILING_TIME, '');
    return { source: '', seen: `you ${verb.lower} ${rest}`.trim(), congrats: `${forms.gerund} ${what}`.trim() };
  }
  if (verb.tags.has('PresentTense') && forms !== undefined && verb.lower === forms.present) {
    const what = `${forms.gerund} ${rest}`.trim();
    return { source: '', seen: `you're ${what}`, congrats: what.replace(TRAILING_TIME, '') };
  }
  return undefined;
}

/** "New office in Lisbon" / "Series B funding" / "Partnership with Stripe": a headline without a verb. */
function headline(tokens: readonly Token[], text: string): ShapedNews | undefined {
  if (mainVerbIndex(tokens) !== -1) return undefined;
  const phrase = /^(the|a|an)\s/i.test(text) ? withArticle(text) : `the ${text}`;
  return { source: '', seen: `the news about ${phrase}`, congrats: phrase, topic: phrase };
}

export function shapeNews(
  source: string,
  options: { company?: string; names?: ReadonlySet<string> } = {},
): ShapedNews | undefined {
  const text = clean(source);
  if (text.length === 0 || text.split(' ').length > 20 || SENSITIVE.test(text) || /[?:()"]/.test(text))
    return undefined;
  const stripped = withoutSubject(text, options.company);
  const body = lowerFirstSafe(stripped ?? text, options.names);
  const tokens = tokenize(body);
  const first = tokens[0];
  if (first === undefined) return undefined;
  let shaped: ShapedNews | undefined;
  if (first.tags.has('Copula') || first.tags.has('Auxiliary')) {
    // "(Acme) is expanding to Guadalajara", "(Acme) has launched a self-serve plan", "(Acme) was named …"
    const agreed = agreeWithYou(first);
    const next = tokens[1];
    const forms = next === undefined ? undefined : verbForms(next.lower);
    if (agreed !== undefined && next !== undefined && forms !== undefined) {
      const clause = `you ${agreed} ${words(tokens.slice(1))}`;
      const rest = words(tokens.slice(2)).replace(TRAILING_TIME, '');
      const congrats =
        first.lower === 'was' || first.lower === 'were' ? `being ${next.text} ${rest}` : `${forms.gerund} ${rest}`;
      shaped = { source, seen: clause.replace(/^you are /, "you're "), congrats: congrats.trim() };
    }
  } else if (first.tags.has('Verb')) {
    shaped = predicate(tokens);
  } else if (stripped === undefined) {
    shaped = headline(tokenize(lowerFirstSafe(text, options.names)), lowerFirstSafe(text, options.names));
  }
  if (shaped === undefined) return undefined;
  const topic =
    shaped.topic ??
    (shaped.congrats !== undefined && shaped.congrats.split(' ').length <= 4 ? shaped.congrats : undefined);
  return { ...shaped, source, ...(topic === undefined ? {} : { topic }) };
}
