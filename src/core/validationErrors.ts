// Turns zod issues into precise, self-contained messages: every message starts with the path it
// is about ("steps[3].day (2) is before steps[2].day (5)", "schedule.start must be HH:MM …").
// Schemas in core add custom issues whose message is the predicate after the path.
import type { z } from 'zod';

export type ValidationError = { path: string; message: string };

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: ValidationError[] };

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown): ValidationError[] {
  return flatten(issues, []).map((issue) => {
    const path = formatPath(issue.path);
    const predicate = describeIssue(issue, valueAt(input, issue.path));
    return { path, message: path === '' ? capitalize(predicate) : `${path} ${predicate}` };
  });
}

/**
 * A union whose value matched the shape of exactly one branch (e.g. a list for `'skip' | Channel[]`)
 * reports that branch's issues, which are more precise than "invalid input".
 */
function flatten(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): z.core.$ZodIssue[] {
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && !('discriminator' in issue && issue.discriminator)) {
      const matching = issue.errors.filter((branch) => !branch.some(isShapeMismatch));
      const [only] = matching;
      if (matching.length === 1 && only) {
        out.push(...flatten(only, path));
        continue;
      }
    }
    out.push({ ...issue, path });
  }
  return out;
}

function isShapeMismatch(issue: z.core.$ZodIssue): boolean {
  return issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
}

/** JSON-ish rendering of a user value for "(got …)" suffixes. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const out = { text: '' };
  if (!renderJson(value, out)) return String(value);
  return out.text.length > 60 ? `${out.text.slice(0, 57)}...` : out.text;
}

// What JSON.stringify would write, stopped once 61 characters are written: the same text for the
// suffix above, at a cost bounded by the budget whatever the value's size or depth.
const BUDGET = 61;

function renderJson(value: unknown, out: { text: string }): boolean {
  if (out.text.length >= BUDGET) return true;
  if (typeof value === 'string') {
    out.text += JSON.stringify(value.slice(0, BUDGET));
    return true;
  }
  if (Array.isArray(value)) {
    out.text += '[';
    for (let i = 0; i < value.length && out.text.length < BUDGET; i++) {
      if (i > 0) out.text += ',';
      const item: unknown = value[i];
      if (!renderJson(item, out)) out.text += 'null';
    }
    out.text += ']';
    return true;
  }
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    out.text += '{';
    let first = true;
    for (const [key, item] of Object.entries(value)) {
      if (out.text.length >= BUDGET) break;
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      out.text += `${first ? '' : ','}${JSON.stringify(key)}:`;
      first = false;
      renderJson(item, out);
    }
    out.text += '}';
    return true;
  }
  if (typeof value === 'bigint') return false;
  const json = JSON.stringify(value) as string | undefined;
  if (json === undefined) return false;
  out.text += json;
  return true;
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'is required';
      return `must be ${typeLabel(issue.expected)} (got ${describeValue(value)})`;
    case 'too_small':
      return `must ${boundLabel(issue.origin, 'least', issue.minimum, issue.inclusive)}${got(issue.origin, value)}`;
    case 'too_big':
      return `must ${boundLabel(issue.origin, 'most', issue.maximum, issue.inclusive)}${got(issue.origin, value)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')} (got ${describeValue(value)})`;
    case 'invalid_union':
      if ('options' in issue && Array.isArray(issue.options)) {
        return `must be one of ${issue.options.map(String).join(', ')} (got ${describeValue(value)})`;
      }
      return `${issue.message} (got ${describeValue(value)})`;
    case 'unrecognized_keys':
      return `has unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    default:
      return issue.message;
  }
}

function typeLabel(expected: string): string {
  const labels: Record<string, string> = {
    int: 'an integer',
    number: 'a number',
    string: 'a string',
    object: 'an object',
    array: 'a list',
    boolean: 'true or false',
  };
  return labels[expected] ?? expected;
}

function boundLabel(origin: string, side: 'least' | 'most', bound: number | bigint, inclusive?: boolean): string {
  const n = Number(bound);
  if (origin === 'string') return `have at ${side} ${n} ${n === 1 ? 'character' : 'characters'}`;
  if (origin === 'array' || origin === 'set') return `have at ${side} ${n} ${n === 1 ? 'item' : 'items'}`;
  const op = side === 'least' ? (inclusive === false ? '>' : '>=') : inclusive === false ? '<' : '<=';
  return `be ${op} ${n}`;
}

function got(origin: string, value: unknown): string {
  return origin === 'number' || origin === 'int' ? ` (got ${describeValue(value)})` : '';
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    const next: unknown = Reflect.get(current, segment);
    current = next;
  }
  return current;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
