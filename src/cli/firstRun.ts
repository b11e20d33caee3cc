// First run of `quotahit start`: ask who is writing — the company name, the offer and the postal
// address — so no message is signed by "Default workspace". Only on a terminal (stdin is a TTY):
// under CI or with no stdin nothing is asked, and the start-up output says what to set instead.
// Real sends are held until these are set (src/engine/identityHold.ts); the sandbox still drafts.
import { createInterface } from 'node:readline/promises';
import { describeIdentityGaps, identityGaps } from '../core/identityGaps.ts';
import type { Db } from '../db/database.ts';
import { getWorkspace, updateWorkspace } from '../db/workspaces.ts';

type Io = {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
  /** Where notes go (the process's logger); the prompt itself always uses `output`. */
  say?: (line: string) => void;
};

/** Field, question, the longest answer PATCH /v1/workspace accepts. */
const QUESTIONS = [
  ['name', 'Your company name (as prospects should read it)', 200],
  ['offer', 'What you sell, in one sentence (e.g. "We reconcile carrier invoices automatically.")', 5000],
  ['postalAddress', 'Your postal address (required in email footers)', 500],
] as const;

export async function askIdentity(db: Db, workspaceId: string, options: Partial<Io> = {}) {
  const io: Io = { input: process.stdin, output: process.stdout, ...options };
  const say = io.say ?? ((line: string) => io.output.write(`${line}\n`));
  const workspace = await db.tenant(workspaceId, getWorkspace);
  if (workspace === undefined) return;
  if (io.input.isTTY !== true) {
    const gaps = identityGaps(workspace);
    if (gaps.length > 0) say(`Note: ${describeIdentityGaps(gaps)}.`);
    return;
  }
  say('Before anything goes out, tell QuotaHit who is writing (Enter skips a question).');
  const readline = createInterface({ input: io.input, output: io.output, terminal: true });
  const patch: { name?: string; offer?: string; postalAddress?: string } = {};
  try {
    for (const [field, question, max] of QUESTIONS) {
      const answer = (await readline.question(`${question}: `))
        .replace(/[\u0000-\u001f\u007f]/g, '')
        .trim()
        .slice(0, max);
      if (answer.length > 0) patch[field] = answer;
    }
  } finally {
    readline.close();
  }
  const updated =
    Object.keys(patch).length === 0 ? workspace : await db.tenant(workspaceId, (sql) => updateWorkspace(sql, patch));
  const gaps = updated === undefined ? [] : identityGaps(updated);
  say(gaps.length === 0 ? 'Thanks: real sends can go out.' : `Note: ${describeIdentityGaps(gaps)}.`);
}
