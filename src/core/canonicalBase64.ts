// MACs arrive as text. Node's base64 decoder is lenient — it skips characters outside the alphabet,
// accepts missing or extra padding, mixes the standard and URL-safe alphabets and ignores non-zero
// trailing bits — so many strings decode to the same bytes. A MAC is accepted only in the one
// form its bytes encode to: decoded, then encoded again, it must give back the text it came as.

/** The bytes of `text` when it is their canonical encoding; undefined for any other text. */
export function decodeCanonical(text: string, encoding: 'base64' | 'base64url'): Buffer | undefined {
  if (text.length === 0) return undefined;
  const bytes = Buffer.from(text, encoding);
  return bytes.toString(encoding) === text ? bytes : undefined;
}
