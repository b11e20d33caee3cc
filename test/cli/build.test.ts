// The CLI runs compiled JavaScript that is never stale: bin/quotahit.js builds when the sources
// changed since the last build (processes starting together agree on one build), and runs the
// build as it is when nothing changed. On a copy of the project, so edits stay in the copy.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

function run(cwd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/quotahit.js', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const builds = async (copy: string) =>
  (await readdir(path.join(copy, 'dist', 'cli'))).filter((name) => /^[0-9a-f]{16}$/.test(name)).sort();

describe('the compiled CLI', () => {
  it('is built on first use, rebuilt once after a source edit, and reused otherwise', async () => {
    const copy = await mkdtemp(path.join(os.tmpdir(), 'quotahit-build-'));
    afterAll(() => rm(copy, { recursive: true, force: true }));
    for (const entry of ['bin', 'build', 'src', 'package.json'])
      await cp(entry, path.join(copy, entry), { recursive: true });
    await symlink(path.resolve('node_modules'), path.join(copy, 'node_modules'));

    const first = await run(copy, ['--version']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const [initial] = await builds(copy);
    expect(initial).toBeDefined();
    expect(await run(copy, ['presets', '--json'])).toMatchObject({ code: 0, stderr: '' });
    expect(await builds(copy)).toEqual([initial]);

    const program = path.join(copy, 'src', 'cli', 'program.ts');
    const text = await readFile(program, 'utf8');
    await writeFile(program, text.replace('Self-hosted multi-channel outreach engine', 'Edited description'));
    // Three processes start at once on the edited sources: one build, all see it.
    const runs = await Promise.all([1, 2, 3].map(() => run(copy, ['--help'])));
    for (const r of runs)
      expect(r).toMatchObject({ code: 0, stderr: '', stdout: expect.stringContaining('Edited description') });
    const after = await builds(copy);
    expect(after).toHaveLength(2);
    expect(after).toContain(initial);
    expect((await readdir(path.join(copy, 'dist', 'cli'))).filter((n) => n.startsWith('.tmp-'))).toEqual([]);

    // Back to the original text: the first build is used again, nothing new is built.
    await writeFile(program, text);
    expect((await run(copy, ['--help'])).stdout).toContain('Self-hosted multi-channel outreach engine');
    expect(await builds(copy)).toEqual(after);
  });
});
