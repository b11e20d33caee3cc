// Text for SMS in one GSM-7 segment: typographic characters and letters outside the GSM 03.38
// alphabet are written with their closest GSM letters ("Łukasz" → "Lukasz", "Nguyễn" → "Nguyen"),
// because a single such letter turns a 160-character SMS into a 70-character one. Letters GSM-7
// has (é, ñ, ü, ø, å …) are kept.
import { isGsm7, toGsmFriendly } from './smsSegments.ts';

const SPECIAL: Record<string, string> = {
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ı: 'i',
  œ: 'oe',
  Œ: 'OE',
  þ: 'th',
  Þ: 'Th',
  ð: 'd',
  ħ: 'h',
};

const ASCII = /^[\x00-\x7f]*$/;

/** One character as GSM-7, or the character itself when nothing close exists. */
function toGsmChar(char: string): string {
  if (isGsm7(char)) return char;
  const special = SPECIAL[char];
  if (special !== undefined) return special;
  const stripped = char.normalize('NFD').replace(/\p{M}+/gu, '');
  return stripped.length > 0 && isGsm7(stripped) ? stripped : char;
}

export function toGsm7(text: string): string {
  return [...toGsmFriendly(text)].map(toGsmChar).join('');
}

/** The same letters without accents: what a name may be written as in an SMS. */
export function withoutDiacritics(text: string): string {
  // Most words are plain ASCII: nothing to take off (the fact check asks this of every word).
  if (ASCII.test(text)) return text;
  return [...text].map((char) => SPECIAL[char] ?? char.normalize('NFD').replace(/\p{M}+/gu, '')).join('');
}
