// The workspace's offer in the sender's voice. However it was typed — "We automate month-end
// reporting.", "An AI assistant that reconciles invoices and reports automatically.", "Automates
// …", "Helping logistics teams …", "Ledgerly helps …" — it becomes one first-person line ("we built
// an AI assistant that reconciles invoices and reports automatically"), a short topic ("invoices and
// reports") and, from any further sentences, the customer results it states.
import { displayCompany } from './companyName.ts';
import { memo } from './memo.ts';
import { mainVerbIndex, tagged } from './factShape.ts';
import { joinTokens as words, lowerFirstSafe, tokenize, verbForms, type Token } from './nlp.ts';

export type ShapedOffer = {
  source: string;
  /** A first-person clause without the final period: "we automate month-end reporting". */
  line: string;
  /** The product as a noun phrase when the offer names one: "an AI assistant that reconciles …". */
  product?: string;
  /** What the offer is about, for questions: "month-end reporting", "multi-channel outreach". */
  topic?: string;
  /** Further sentences of the offer that state a result or a customer, as written. */
  proof: string[];
};

const RESULT = /\d|%|\bcustomers?\b|\bclients?\b|\bteams like\b|\bcompanies like\b|\bused by\b|\btrusted by\b/i;
const RELATIVE = new Set(['that', 'which', 'who']);
const HELP_VERBS = new Set(['help', 'helps', 'helping', 'let', 'lets', 'letting', 'enable', 'enables', 'enabling']);

function sentencesOf(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?])\s+(?=\p{Lu}|\d)/u)
    .map((sentence) => sentence.trim().replace(/[.!;:,\s]+$/, ''))
    .filter((sentence) => sentence.length > 0);
}

/** The object after the first verb group, up to a preposition or adverb: "month-end reporting". */
function topicAfter(tokens: readonly Token[], verbAt: number): string | undefined {
  const verb = tokens[verbAt];
  if (verb === undefined) return undefined;
  if (HELP_VERBS.has(verb.lower)) {
    // "help clinics replace paper intake forms": the topic is what the second verb acts on.
    const next = tokens.findIndex((token, index) => index > verbAt + 1 && token.tags.has('Infinitive'));
    return next === -1 ? undefined : topicAfter(tokens, next);
  }
  // Skip the verb group: "reconciles", "write and send", "automatically builds".
  let index = verbAt + 1;
  while (tokens[index]?.lower === 'and' && isVerb(tokens[index + 1])) index += 2;
  const object: Token[] = [];
  for (const token of tokens.slice(index)) {
    if (token.tags.has('Preposition') || token.tags.has('Adverb') || RELATIVE.has(token.lower)) break;
    if (token.tags.has('Determiner') && object.length === 0) continue;
    object.push(token);
    if (/[,;]/.test(token.post)) break;
  }
  const topic = words(object).replace(/^(your|our|their)\s+/i, '');
  return topic.length > 0 && object.length <= 5 ? topic : undefined;
}

function isVerb(token: Token | undefined): boolean {
  if (token === undefined) return false;
  if (['Determiner', 'Adjective', 'Preposition', 'Pronoun', 'Value', 'Acronym'].some((tag) => token.tags.has(tag)))
    return false;
  if (token.tags.has('Verb') && !token.tags.has('Noun')) return true;
  const forms = verbForms(token.lower);
  return (
    forms !== undefined && (token.lower === forms.present || token.lower === forms.gerund) && !token.tags.has('Plural')
  );
}

/** "reconciles" → "reconcile", "helping" → "help": the verb with "we" as its subject. */
function weForm(verb: Token): string | undefined {
  const forms = verbForms(verb.lower);
  if (forms === undefined) return undefined;
  if (verb.lower === forms.present || verb.lower === forms.gerund || verb.lower === forms.infinitive)
    return forms.infinitive;
  return undefined;
}

function fromFirstSentence(
  sentence: string,
  name: string | undefined,
): Omit<ShapedOffer, 'source' | 'proof'> | undefined {
  let text = sentence;
  for (const candidate of name === undefined ? [] : [name, displayCompany(name)]) {
    if (candidate.length > 0 && text.toLowerCase().startsWith(`${candidate.toLowerCase()} `)) {
      const rest = text.slice(candidate.length).trim();
      if (/^(is|'s)\s/i.test(rest)) {
        const product = rest.replace(/^(is|'s)\s+/i, '');
        return { line: `${displayCompany(candidate)} is ${product}`, product };
      }
      text = rest;
      break;
    }
  }
  const tokens = tokenize(text);
  const first = tokens[0];
  if (first === undefined) return undefined;
  // "Route planning software that …": read as the subject of a sentence, the first word is a noun.
  const asSubject = tokenize(`the ${lowerFirstSafe(text)}`)[1];
  const rest = tokens.slice(1);
  const forms = verbForms(first.lower);
  // "Automate your …", "Plans delivery routes …": a verb before an object, with no other verb after it.
  const verbBeforeObject =
    forms !== undefined &&
    (first.lower === forms.infinitive || first.lower === forms.present) &&
    (/^(your|the|a|an|our|every|all)$/.test(rest[0]?.lower ?? '') ||
      (first.lower === forms.present && !rest.some((token) => token.tags.has('Verb') && !token.tags.has('Noun'))));
  const nounFirst =
    !verbBeforeObject && asSubject !== undefined && asSubject.tags.has('Noun') && !/s$/.test(first.lower);
  if (/^(we|we're|we've|our|i|i'm|i've)$/i.test(first.lower)) {
    const line = /^i\b/i.test(first.text) ? text : lowerFirstSafe(text);
    const verbAt = tokens.findIndex((token, index) => index > 0 && token.tags.has('Verb'));
    return { line, topic: verbAt === -1 ? undefined : topicAfter(tokens, verbAt) };
  }
  if (verbBeforeObject || (isVerb(first) && !nounFirst) || (first.tags.has('Plural') && HELP_VERBS.has(first.lower))) {
    const verb = weForm(first);
    if (verb === undefined) return undefined;
    const rest = words(tokens.slice(1));
    return { line: `we ${verb} ${rest}`.trim(), topic: topicAfter(tokens, 0) };
  }
  // A noun phrase, perhaps with a relative clause: "An AI assistant that reconciles invoices …".
  const relative = tokens.findIndex((token) => RELATIVE.has(token.lower));
  const head = tagged(lowerFirstSafe(relative === -1 ? text : words(tokens.slice(0, relative))));
  if (head.length === 0 || mainVerbIndex(head) !== -1) return undefined;
  const product = lowerFirstSafe(text);
  const built =
    /^(a|an)\s/i.test(product) || /\b(software|platform|tool|app|assistant|system|engine|service)\b/i.test(words(head));
  const verb = built ? 'built' : 'offer';
  const topic = relative === -1 ? undefined : topicAfter(tokens, relative + 1);
  return { line: `we ${verb} ${product}`, product, topic };
}

/** The offer shaped once per offer and workspace name: every message of a workspace asks the same. */
const shapedOffers = memo((key: string): ShapedOffer | undefined => {
  const [offer, workspaceName] = JSON.parse(key) as [string, string | null];
  const sentences = sentencesOf(offer.replace(/[{}]/g, ''));
  const first = sentences[0];
  if (first === undefined) return undefined;
  const shaped = fromFirstSentence(first, workspaceName ?? undefined);
  if (shaped === undefined) return undefined;
  const proof = sentences.slice(1).filter((sentence) => RESULT.test(sentence));
  return Object.freeze({ source: offer, ...shaped, proof: Object.freeze(proof) as string[] });
}, 256);

export function shapeOffer(offer: string | undefined, workspaceName?: string): ShapedOffer | undefined {
  if (offer === undefined) return undefined;
  return shapedOffers(JSON.stringify([offer, workspaceName ?? null]));
}
