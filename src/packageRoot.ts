// The project's root directory (where package.json, web/ and node_modules/ are), whether this code
// runs from src/ (tsx) or from its compiled copy under dist/cli/<fingerprint>/ (build/cli.js).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let found: string | undefined;

export function packageRoot(): string {
  if (found) return found;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'quotahit')
      return (found = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the quotahit package root (package.json)');
    dir = parent;
  }
}
