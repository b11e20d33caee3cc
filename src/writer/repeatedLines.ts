// "Each follow-up brings something new and never repeats an earlier message's line": sentences of a
// draft that an earlier message to the same contact already said, word for word. Short sentences
// (greetings, "Thanks,", "Worth a quick chat?") do not count; they are how people write.
import { memo } from '../core/memo.ts';
import type { PreviousMessage } from './types.ts';

const MIN_WORDS = 6;

export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}

function key(sentence: string): string {
  return sentence
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

type Line = { sentence: string; key: string; words: number };

function lines(text: string): readonly Line[] {
  return sentences(text).map((sentence) => {
    const normalized = key(sentence);
    return { sentence, key: normalized, words: normalized.split(' ').length };
  });
}

/**
 * The sentences of a text, normalized. Remembered per text: the composer asks it of the same
 * candidate phrasings and the same earlier messages for every pick of every message.
 */
const knownLines = memo((text: string): readonly Line[] => Object.freeze(lines(text)));

/** Normalized sentences (at least `minWords` words) the earlier messages said. */
export function saidBefore(previous: readonly PreviousMessage[], minWords = MIN_WORDS): Set<string> {
  const said = new Set<string>();
  for (const message of previous)
    for (const line of knownLines(message.body)) if (line.words >= minWords) said.add(line.key);
  return said;
}

/** True when a phrasing would say again a sentence that `said` holds. */
export function repeats(text: string, said: ReadonlySet<string>): boolean {
  return said.size > 0 && knownLines(text).some((line) => said.has(line.key));
}

/** Sentences of `body` (at least six words) that one of `previous` already contains. */
export function repeatedLines(body: string, previous: readonly PreviousMessage[]): string[] {
  if (previous.length === 0) return [];
  // A sentence of six words or more can only equal an earlier sentence of as many words.
  const said = saidBefore(previous, MIN_WORDS);
  if (said.size === 0) return [];
  return lines(body)
    .filter((line) => said.has(line.key))
    .map((line) => line.sentence);
}
