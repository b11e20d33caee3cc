// Checks for `npm run eval:writer`: a real grammar checker (Harper, an offline English grammar
// checker shipped as WebAssembly in the harper.js package) and "template seam" checks — the marks a
// template leaves when it pastes data instead of writing: raw fact strings quoted verbatim,
// fragments without a verb, doubled questions, leftover punctuation, placeholder identity,
// possessives of names ending in s, a repeated earlier line.
import { LocalLinter, type Lint } from 'harper.js';
import { binaryInlined } from 'harper.js/binaryInlined';
import { lowerFirstSafe, tokenize } from '../src/core/nlp.ts';
import { repeatedLines, sentences } from '../src/writer/repeatedLines.ts';
import type { PreviousMessage, WriterContact } from '../src/writer/types.ts';

export type Problem = { check: string; detail: string };

/** Harper rules that judge names and style rather than grammar: proper names are not misspellings. */
const IGNORED_KINDS = new Set(['Spelling', 'Style', 'Readability', 'Enhancement', 'Regionalism', 'WordChoice']);

export async function createGrammarChecker(): Promise<(text: string, names: readonly string[]) => Promise<Problem[]>> {
  const linter = new LocalLinter({ binary: binaryInlined });
  await linter.setup();
  return async (text, names) => {
    const lints: Lint[] = await linter.lint(text);
    const lowerNames = new Set(names.flatMap((name) => name.toLowerCase().split(/[^\p{L}\p{N}]+/u)));
    return lints
      .filter((lint) => !IGNORED_KINDS.has(lint.lint_kind()))
      .filter(
        (lint) =>
          !lowerNames.has(
            lint
              .get_problem_text()
              .toLowerCase()
              .replace(/[^\p{L}\p{N}]+/gu, ''),
          ),
      )
      .map((lint) => ({
        check: `grammar:${lint.lint_kind()}`,
        detail: `${lint.message()} [${lint.get_problem_text()}]`,
      }));
  };
}

function factStrings(contact: WriterContact): string[] {
  const e = contact.enrichment;
  const list = (value: unknown) =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  return [
    ...list(e.painPoints),
    ...list(e.conversationStarters),
    ...(typeof e.recentNews === 'string' ? [e.recentNews] : []),
  ];
}

/**
 * Fragments sales writing uses on purpose, which an SDR sends as they are: "Congrats on the Series
 * A.", "Open to a short call?", "Sam from Ledgerly here.", "No pitch in this one, just an idea …".
 */
const CONVENTIONAL_FRAGMENT =
  /^((hi|hello|hey) [^,]+, (congrats|congratulations|thanks)|congrats|congratulations|thanks|thank you|open to|any interest|worth a|quick|no pitch|one idea|happy to|last note|a quick follow-up|following up|bumping|hope|short version|if yes|if so|no pressure|all the best|(hi|hello|hey)\b[^.]*,[^.]* here\.$|\S+ from \S+ here)/i;
const SKIP_LINE =
  /^(hi|hello|hey|dear)\b.*,$|^(best|thanks|cheers|regards|all the best|talk soon),$|^[-•]|:$|^call script/i;

/** Template seams in one message; `previous` are the messages sent before it to the same lead. */
export function seamProblems(input: {
  body: string;
  subject?: string;
  channel: string;
  contact: WriterContact;
  senderName?: string;
  previous: readonly PreviousMessage[];
}): Problem[] {
  const problems: Problem[] = [];
  const text = `${input.subject ?? ''}\n${input.body}`;
  for (const fact of factStrings(input.contact)) {
    const clean = fact.trim().replace(/[.!]+$/, '');
    if (clean.split(/\s+/).length < 3) continue;
    const escaped = clean.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // Pasted as data: after a colon, in brackets or quotes.
    const asData = new RegExp(`[:("]\\s*${escaped}`, 'i').test(text);
    // Pasted with its own sentence-start capital in the middle of our sentence.
    const midSentence = lowerFirstSafe(clean) !== clean && new RegExp(`[\\p{Ll},]\\s${escaped}`, 'u').test(text);
    if (asData || midSentence) problems.push({ check: 'seam:raw-fact', detail: clean });
  }
  if (/\b(default workspace|my workspace)\b/i.test(text))
    problems.push({ check: 'seam:placeholder', detail: 'placeholder workspace name' });
  if (/^the .{1,40} team$/im.test(input.body))
    problems.push({ check: 'seam:placeholder', detail: 'signed "The … team"' });
  if (
    /\b\p{L}+[sxz]'s\b/u.test(text) &&
    /[sxz]'s\b/.test(text.replace(/\b(it|that|what|there|here|he|she|who|let)'s\b/gi, ''))
  )
    problems.push({ check: 'seam:possessive', detail: (/\b\S+[sxz]'s\b/.exec(text) ?? [''])[0] });
  if (/\b(inc\.?|llc|gmbh|s\.r\.o\.|ltd\.?)(?=[\s,.]|$)/i.test(input.body.replace(/^Call script.*$/m, '')))
    problems.push({ check: 'seam:legal-suffix', detail: 'company legal suffix in running text' });
  if (
    input.body
      .split('\n')
      .some((line) => /\s[,.;:?!]|,[.,]|\.\.(?!\.)|[?!.]\.|\(\s*\)|\S\s{2,}\S|:\s*\?|\?\s*:|\s$/.test(line))
  )
    problems.push({ check: 'seam:punctuation', detail: 'leftover punctuation' });
  const lines = input.body
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  for (const line of lines) {
    if (SKIP_LINE.test(line) || line === input.senderName || line.split(/\s+/).length <= 2) continue;
    for (const sentence of sentences(line)) {
      if (sentence.split(/\s+/).length < 3 || /^"/.test(sentence) || CONVENTIONAL_FRAGMENT.test(sentence)) continue;
      const tokens = tokenize(sentence);
      const hasVerb = tokens.some(
        (token) => token.tags.has('Verb') || token.tags.has('Copula') || token.tags.has('Modal'),
      );
      if (!hasVerb) problems.push({ check: 'seam:fragment', detail: sentence });
    }
  }
  const questions = input.body.split(/\n\s*\n/).filter((paragraph) => (paragraph.match(/\?/g) ?? []).length > 1);
  if (input.channel !== 'call' && questions.length > 0)
    problems.push({ check: 'seam:doubled-question', detail: questions[0] ?? '' });
  if (/\b(does|is|has) \S+ (?:and|&) \S+ (?:fit|work)/i.test(text))
    problems.push({ check: 'seam:agreement', detail: 'singular verb before a list' });
  // A call script is read by the caller, not sent: it may restate what the emails said.
  if (input.channel !== 'call')
    for (const line of repeatedLines(input.body, input.previous))
      problems.push({ check: 'seam:repeated-line', detail: line });
  return problems;
}
