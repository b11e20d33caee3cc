// Issue 18, point 5: the first run asks who is writing, on a terminal only.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { askIdentity } from '../../src/cli/firstRun.ts';
import { getWorkspace } from '../../src/db/workspaces.ts';
import { newWorkspace, testDb } from '../support/harness.ts';

function io(tty: boolean, answers: string[]) {
  const input = Object.assign(new PassThrough(), { isTTY: tty });
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
    // Answer each question as it is asked.
    if (/: $/.test(printed) && answers.length > 0) input.write(`${answers.shift() ?? ''}\n`);
  });
  return { io: { input, output }, printed: () => printed };
}

describe('askIdentity', () => {
  it('on a terminal, stores the company name, offer and postal address', async () => {
    const { workspaceId } = await newWorkspace('Default workspace');
    const run = io(true, ['Northbeam', 'We reconcile carrier invoices automatically.', '1 Main St, Springfield']);
    await askIdentity(testDb(), workspaceId, run.io);
    const workspace = await testDb().tenant(workspaceId, getWorkspace);
    expect(workspace).toMatchObject({
      name: 'Northbeam',
      offer: 'We reconcile carrier invoices automatically.',
      postalAddress: '1 Main St, Springfield',
    });
    expect(run.printed()).toContain('Thanks: real sends can go out.');
  });

  it('keeps what is skipped and says what real sends still wait for', async () => {
    const { workspaceId } = await newWorkspace('Default workspace');
    const run = io(true, ['', 'We reconcile invoices.', '']);
    await askIdentity(testDb(), workspaceId, run.io);
    expect(await testDb().tenant(workspaceId, getWorkspace)).toMatchObject({
      name: 'Default workspace',
      postalAddress: null,
    });
    expect(run.printed()).toMatch(/Note: real sends are held until .*company name.*postal address/);
  });

  it('asks nothing without a terminal (CI, no stdin) and only prints what to set', async () => {
    const { workspaceId } = await newWorkspace('Default workspace');
    const run = io(false, ['Should not be read']);
    await askIdentity(testDb(), workspaceId, run.io);
    expect(await testDb().tenant(workspaceId, getWorkspace)).toMatchObject({ name: 'Default workspace', offer: null });
    expect(run.printed()).toMatch(/^Note: real sends are held until /);
    expect(run.printed()).not.toContain('?');
  });
});
