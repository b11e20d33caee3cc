// quotahit <command>: parses the command line (commander) and reports failures with exit codes
// 0 done, 1 failed, 2 called wrongly. The commands themselves are in program.ts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError } from 'commander';
import { UsageError } from './args.ts';
import { buildProgram } from './program.ts';

/** The version in package.json, found upwards from this file (src/cli or its compiled copy). */
function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'quotahit') return pkg.version ?? 'unknown';
    }
    const parent = path.dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram(packageVersion());
  if (argv.length === 0) {
    program.outputHelp();
    return;
  }
  await program.parseAsync(argv, { from: 'user' });
}

function exit(code: number): never {
  // Exit explicitly: a library's exit hook or a stray timer must not change the code or keep the
  // process alive after the command is done.
  process.exit(code);
}

main(process.argv.slice(2)).then(
  () => exit(process.exitCode === undefined ? 0 : Number(process.exitCode)),
  (error: unknown) => {
    if (error instanceof CommanderError) {
      // Help and --version "fail" with a zero code; a parse error was already printed.
      exit(error.exitCode === 0 ? 0 : 2);
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`quotahit: ${message}\n`);
    exit(error instanceof UsageError ? 2 : 1);
  },
);
