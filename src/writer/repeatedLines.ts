// "Each follow-up brings something new and never repeats an earlier message's line": sentences of a
// draft that an earlier message to the same contact already said, word for word. Short sentences
// (greetings, "Thanks,", "Worth a quick chat?") do not count; they are how people write.
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

/** Normalized sentences (at least `minWords` words) the earlier messages said. */
export function saidBefore(previous: readonly PreviousMessage[], minWords = MIN_WORDS): Set<string> {
  return new Set(
    previous
      .flatMap((message) => sentences(message.body).map(key))
      .filter((line) => line.split(' ').length >= minWords),
  );
}

/** True when a phrasing would say again a sentence that `said` holds. */
export function repeats(text: string, said: ReadonlySet<string>): boolean {
  return said.size > 0 && sentences(text).some((sentence) => said.has(key(sentence)));
}

/** Sentences of `body` (at least six words) that one of `previous` already contains. */
export function repeatedLines(body: string, previous: readonly PreviousMessage[]): string[] {
  if (previous.length === 0) return [];
  const said = new Set(previous.flatMap((message) => sentences(message.body).map(key)));
  return sentences(body).filter((sentence) => key(sentence).split(' ').length >= MIN_WORDS && said.has(key(sentence)));
}
