// Every command explains itself: `quotahit --help` lists them, `<command> --help` answers for each
// (found from the top-level help, so a new command is covered without editing this file), and
// mistakes exit 2 with a message that says what is wrong.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/processes.ts';

// No database: help, --version and usage errors never open one.
const env = { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', QUOTAHIT_ENCRYPTION_KEY: '' };

function commandsOf(help: string): string[] {
  const section = help.split('Commands:')[1]?.split('\n\n')[0] ?? '';
  return [...section.matchAll(/^ {2}(\w[\w-]*)/gm)].map((m) => m[1] as string).filter((c) => c !== 'help');
}

describe('quotahit help', () => {
  it('prints the commands with no arguments and with --help, and the version with --version', async () => {
    const bare = await runCli([], env);
    const help = await runCli(['--help'], env);
    expect(bare).toEqual(help);
    expect(help.code).toBe(0);
    for (const command of ['start', 'doctor', 'workspaces', 'contacts', 'sequences', 'presets', 'senders']) {
      expect(commandsOf(help.stdout)).toContain(command);
    }
    for (const command of ['messages', 'tasks', 'enroll', 'simulate', 'preview', 'plan', 'classify', 'migrate']) {
      expect(commandsOf(help.stdout)).toContain(command);
    }
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const run = await runCli([flag], env);
      expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  it('answers <command> --help for every command and subcommand, exit 0', async () => {
    const top = commandsOf((await runCli(['--help'], env)).stdout);
    const runs = [
      ...top.map((c) => [c]),
      ...[
        ['contacts', 'list'],
        ['contacts', 'import'],
        ['sequences', 'create'],
      ],
    ];
    runs.push(['workspace', 'create'], ['sequences', 'list']);
    for (const command of runs) {
      const run = await runCli([...command, '--help'], env);
      expect({ command, code: run.code, stderr: run.stderr }).toEqual({ command, code: 0, stderr: '' });
      expect(run.stdout).toContain(`Usage: quotahit ${command.join(' ')}`);
    }
    for (const command of ['preview', 'contacts', 'doctor']) {
      expect((await runCli(['help', command], env)).stdout).toBe((await runCli([command, '--help'], env)).stdout);
    }
  });

  it('documents the shared option words the same way everywhere', async () => {
    for (const command of ['contacts', 'sequences', 'senders', 'messages', 'tasks', 'enroll', 'simulate', 'plan']) {
      const args = command === 'contacts' || command === 'sequences' ? [command, 'list'] : [command];
      const { stdout } = await runCli([...args, '--help'], env);
      expect(stdout).toMatch(/--workspace <workspace> +workspace id or name/);
      expect(stdout).toContain('--json');
    }
    const enroll = (await runCli(['enroll', '--help'], env)).stdout;
    const simulate = (await runCli(['simulate', '--help'], env)).stdout;
    expect(enroll).toContain('--contact-ids <ids>');
    expect(simulate).toContain('--file <file>');
    // The old spellings still work (tests below and in engineCli) but are not advertised.
    expect(enroll).not.toContain('--contacts ');
    expect(simulate).not.toContain('--contacts ');
  });

  it.each([
    [['frobnicate'], /quotahit: unknown command 'frobnicate'/],
    [['workspace', 'create', '--name', 'x', '--colour', 'red'], /quotahit: unknown option '--colour'/],
    [['workspace', 'create'], /required option '--name <name>' not specified/],
    [['workspace', 'delete'], /unknown command 'delete'/],
    [['contacts', 'import'], /missing required argument 'file'/],
    [['preview', '--channel', 'email'], /required option '--contact <contact>' not specified/],
    [['contacts', '--limit', '0'], /--limit must be a whole number from 1 to 1000/],
    [['contacts', '--status', 'happy'], /--status must be one of new, contacted/],
    [['messages', '--status', 'lost'], /--status must be one of sending, deferred/],
    [['enroll', '--sequence', 'S', '--tag', 't', '--contact-ids', 'x'], /give either --contact-ids or --tag/],
    [['enroll', '--sequence', 'S', '--contact-ids', 'abc'], /--contact-ids: "abc" is not a contact id/],
    [['simulate', '--sequence', 'S', '--days', '0'], /--days must be a whole number from 1 to 120/],
    [['simulate', '--sequence', 'S', '--file', 'a.csv', '--tag', 't'], /give --file or --tag, not both/],
    [['sequences', 'create', '--preset', 'nope'], /--preset must be one of standard_b2b/],
    [['sequences', 'create'], /give either --preset or --file/],
    [['plan', '--tag', 'x', '--preset', 'spray'], /--preset: must be one of standard_b2b/],
    [['preview', '--contact', 'c', '--channel', 'fax', '--purpose', 'intro'], /--channel: /],
  ])('%j exits 2 with a usage message, before touching the database', async (args, message) => {
    const run = await runCli(args, env);
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
  });
});
