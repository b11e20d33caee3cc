// Template personalization: {{path|fallback}} variables and {a|b|c} spintax (nested allowed).
// Pure and deterministic: the same template, contact and seed always give the same text.
import { seededRandom } from './random.ts';

export type PersonalizeResult = { text: string; unresolved: string[] };

export type PersonalizeOptions = {
  seed: string;
  /** Extra roots a template may reference, e.g. { sender: {...}, workspace: {...} }. */
  context?: Record<string, unknown>;
};

const VARIABLE = /\{\{\s*([^{}|]*?)\s*(?:\|([^{}]*))?\}\}/g;
const PLACEHOLDER = /\u0000(\d+)\u0000/g;
const INNERMOST_SPIN = /\{([^{}]*)\}/;

/** Joins list items the way a person would: "a", "a and b", "a, b and c". */
export function joinNatural(items: readonly string[], conjunction = 'and'): string {
  const clean = items.map((item) => item.trim()).filter((item) => item.length > 0);
  if (clean.length <= 1) return clean[0] ?? '';
  return `${clean.slice(0, -1).join(', ')} ${conjunction} ${clean[clean.length - 1] ?? ''}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Splits "enrichment.painPoints[0]" or "enrichment.painPoints.0" into path segments. */
function splitPath(path: string): string[] {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .map((segment) => segment.trim())
    .filter((segment) => segment.length > 0);
}

function lookup(root: unknown, segments: readonly string[]): unknown {
  let current: unknown = root;
  for (const segment of segments) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (isRecord(current)) current = current[segment];
    else return undefined;
  }
  return current;
}

/** Turns a looked-up value into text, or undefined when it says nothing. */
export function valueToText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim().length > 0 ? value.trim() : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) {
    const parts = value.map(valueToText).filter((part): part is string => part !== undefined);
    return parts.length > 0 ? joinNatural(parts) : undefined;
  }
  return undefined;
}

/** Resolves a variable path against the contact; bare names also look in custom, then enrichment. */
export function resolvePath(
  source: Record<string, unknown>,
  path: string,
  context: Record<string, unknown> = {},
): string | undefined {
  const segments = splitPath(path);
  const [head] = segments;
  if (head === undefined) return undefined;
  const root = head in context ? context : source;
  const direct = valueToText(lookup(root, segments));
  if (direct !== undefined || segments.length > 1) return direct;
  return valueToText(lookup(source['custom'], segments)) ?? valueToText(lookup(source['enrichment'], segments));
}

/** Resolves spintax innermost-first so nested groups work: {Hi|{Hello|Hey}} */
function resolveSpintax(text: string, seed: string): string {
  const random = seededRandom(`spintax:${seed}`);
  let result = text;
  for (let guard = 0; guard < 1000; guard++) {
    const match = INNERMOST_SPIN.exec(result);
    if (match === null) break;
    const options = (match[1] ?? '').split('|');
    const choice = options[Math.floor(random() * options.length)] ?? '';
    result = result.slice(0, match.index) + choice + result.slice(match.index + match[0].length);
  }
  return result;
}

export function personalizeTemplate(template: string, contact: object, options: PersonalizeOptions): PersonalizeResult {
  const source: Record<string, unknown> = { ...contact };
  const context = options.context ?? {};
  // Variables are parked behind placeholders so the spintax pass cannot split them.
  const variables: { raw: string; path: string; fallback: string | undefined }[] = [];
  const parked = template.replace(VARIABLE, (raw: string, path: string, fallback?: string) => {
    variables.push({ raw, path, fallback });
    return `\u0000${variables.length - 1}\u0000`;
  });
  const spun = resolveSpintax(parked, options.seed);
  const unresolved: string[] = [];
  const text = spun.replace(PLACEHOLDER, (_match: string, index: string) => {
    const variable = variables[Number(index)];
    if (variable === undefined) return '';
    const value = variable.path.length > 0 ? resolvePath(source, variable.path, context) : undefined;
    if (value !== undefined) return value;
    if (variable.fallback !== undefined) return variable.fallback.trim();
    if (!unresolved.includes(variable.path)) unresolved.push(variable.path);
    return variable.raw;
  });
  return { text, unresolved };
}

/** True when a text (or a personalize result) still holds a variable or spintax group. */
export function hasUnresolved(input: string | PersonalizeResult): boolean {
  if (typeof input !== 'string') {
    if (input.unresolved.length > 0) return true;
    return hasUnresolved(input.text);
  }
  return /\{\{|\}\}/.test(input) || /\{[^{}]*\|[^{}]*\}/.test(input);
}
