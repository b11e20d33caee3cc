// Small helpers shared by the CLI commands.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { isUuid } from '../db/cursor.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function config(): Config {
  return loadConfig(process.env);
}

export { ConfigError };

/** The value of an id flag (`--workspace`, `--sequence` …), or a usage error naming it. */
export function requireId(value: string | undefined, flag: string, what: string, usage: string): string {
  if (!value || !isUuid(value)) throw new UsageError(`--${flag} needs a ${what} id (UUID)\n${usage}`);
  return value;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
