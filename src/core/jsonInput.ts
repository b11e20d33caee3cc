// JSON from outside (request bodies, webhooks, files): nesting is capped before anything walks it,
// and text must be valid Unicode. Every walker below is iterative, so no input can exhaust the stack.

/** Deeper than any document QuotaHit reads; deep enough for any provider's webhook. */
export const MAX_JSON_DEPTH = 64;

export class JsonInputError extends Error {
  constructor(
    readonly code: 'invalid_json' | 'json_too_deep' | 'invalid_text',
    message: string,
  ) {
    super(message);
  }
}

const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The first nesting level over `max`, or null. Scans the text once, outside strings only. */
export function nestingBeyond(text: string, max = MAX_JSON_DEPTH): number | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return depth;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return null;
}

/** Throws JsonInputError when the text nests deeper than `max` levels. */
export function assertNesting(text: string, what: string, max = MAX_JSON_DEPTH): void {
  if (nestingBeyond(text, max) !== null) {
    throw new JsonInputError('json_too_deep', `${what} nests deeper than ${max} levels of arrays and objects`);
  }
}

/** JSON.parse with the nesting cap; syntax errors become JsonInputError('invalid_json'). */
export function parseJsonInput(text: string, what = 'Body'): unknown {
  assertNesting(text, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new JsonInputError('invalid_json', `${what} is not valid JSON: ${(error as Error).message}`);
  }
}

// With the u flag a lone surrogate is a code point of category Cs; a proper pair is not.
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATE_ALL = /\p{Cs}/gu;

/** The first lone UTF-16 surrogate in `text` as "U+D800", or null when the text is valid Unicode. */
export function loneSurrogate(text: string): string | null {
  const match = LONE_SURROGATE.exec(text);
  if (!match) return null;
  return `U+${match[0].charCodeAt(0).toString(16).toUpperCase()}`;
}

/**
 * The first string (or object key) in `value` that is not valid Unicode, with its path
 * ("body.steps[0].template"), or null. Iterative: safe on any depth.
 */
export function findIllFormedText(value: unknown, root = 'body'): { path: string; codePoint: string } | null {
  return findText(value, root, loneSurrogate);
}

/**
 * The first string (or key) PostgreSQL cannot hold in jsonb or text: a lone surrogate, or NUL
 * ("U+0000"). Iterative: safe on any depth.
 */
export function findUnstorableText(value: unknown, root = 'body'): { path: string; codePoint: string } | null {
  return findText(value, root, (text) => loneSurrogate(text) ?? (text.includes('\u0000') ? 'U+0000' : null));
}

function findText(
  value: unknown,
  root: string,
  problem: (text: string) => string | null,
): { path: string; codePoint: string } | null {
  const stack: [unknown, string][] = [[value, root]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [item, path] = next;
    if (typeof item === 'string') {
      const codePoint = problem(item);
      if (codePoint) return { path, codePoint };
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${path}[${i}]`]);
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item).reverse()) {
        const codePoint = problem(key);
        if (codePoint) return { path: `${path} key "${printable(key)}"`, codePoint };
        stack.push([child, `${path}.${key}`]);
      }
    }
  }
  return null;
}

/** A key as it can be shown: lone surrogates and NUL replaced by U+FFFD. */
function printable(key: string): string {
  return key.replace(LONE_SURROGATE_ALL, '\uFFFD').replaceAll('\u0000', '\uFFFD');
}

/** The message for an ill-formed string at `path`. */
export function illFormedMessage(path: string, codePoint: string): string {
  return `${path} contains a lone UTF-16 surrogate (${codePoint}); text must be valid Unicode`;
}
