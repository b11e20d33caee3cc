// Small helpers every command shares. Kept free of heavy imports: `quotahit --help` loads this.

/** A mistake in how the command was called: exit code 2, and the message says what to type. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** `a,b , c` → ['a', 'b', 'c']; every item must be an id. */
export function idList(value: string, flag: string, what: string): string[] {
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new UsageError(`--${flag} needs one or more ${what} ids, separated by commas`);
  const bad = ids.find((id) => !isUuid(id));
  if (bad) throw new UsageError(`--${flag}: "${bad}" is not a ${what} id (UUID)`);
  return ids;
}

/** A whole number within bounds, or a usage error naming the flag. */
export function wholeNumber(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}`);
  return n;
}

/** Exactly one of the given options is set, or a usage error listing them. */
export function exactlyOne(options: Record<string, unknown>, flags: string[]): void {
  const given = flags.filter((flag) => options[camel(flag)] !== undefined);
  if (given.length !== 1) throw new UsageError(`give exactly one of ${flags.map((f) => `--${f}`).join(', ')}`);
}

export const camel = (flag: string) => flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}
