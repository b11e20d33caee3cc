// Every command, its options and its help, in one place. Actions load their implementation only
// when run, so `quotahit --help` and `quotahit <command> --help` load nothing but this file.
// The same option word means the same thing everywhere:
//   --workspace W    a workspace id or name (optional when only one workspace exists)
//   --sequence S     a sequence id or name;  --contact C  a contact id or email address
//   --contact-ids    contact ids separated by commas;  --file F  a file to read
//   --tag, --status, --channel  filters;  --limit N  how many;  --json  machine-readable output
import { Command, Option } from 'commander';
import { dataCommands } from './programData.ts';

const ENVIRONMENT = `
Every command reads the same configuration (environment variables, see the README) and the same
data directory (QUOTAHIT_DATA_DIR, default ./.quotahit), whether or not \`quotahit start\` runs.
Exit codes: 0 done, 1 failed, 2 the command was called wrongly.`;

export function buildProgram(version: string): Command {
  const program = new Command('quotahit')
    .description('Self-hosted multi-channel outreach engine')
    .version(version, '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: false })
    .addHelpText('after', ENVIRONMENT)
    // Set before the commands are added: they copy these settings.
    .configureOutput({ outputError: (text, write) => write(`quotahit: ${text.replace(/^error: /, '')}`) })
    .exitOverride();

  program
    .command('start')
    .description(
      'run everything: the database (embedded unless DATABASE_URL), migrations, the API on PORT and a worker',
    )
    .addHelpText(
      'after',
      `
On the very first start a workspace is created and its API key printed once. Stop with Ctrl-C or
SIGTERM: in-flight sends finish (within QUOTAHIT_LEASE_MS), then the database stops. Under a
service manager run \`node bin/quotahit.js start\` directly rather than \`npm start\`
(docs/operations.md).`,
    )
    .action(async () => (await import('./start.ts')).start());
  program
    .command('serve')
    .description('run the HTTP API only (no worker)')
    .action(async () => (await import('./start.ts')).serve());
  program
    .command('worker')
    .description('run a worker only; run as many as you like against one database')
    .action(async () => (await import('./start.ts')).worker());
  program
    .command('migrate')
    .description('apply database migrations and exit')
    .option('--json', 'print {"applied":[…]}')
    .action(async (options: { json?: boolean }) => (await import('./migrate.ts')).migrateCommand(options));
  program
    .command('doctor')
    .description('check the setup: sending accounts, DNS of sending domains, PUBLIC_URL, the encryption key')
    .option('--workspace <workspace>', 'only this workspace (id or name); default: every workspace')
    .option('--json', 'print the checks as JSON')
    .addHelpText(
      'after',
      `
Each check has a verdict (ok, warning, failed) and, when it is not ok, what to do. Exits 1 when a
check failed. DNS goes through QUOTAHIT_DNS_SERVERS when set (e.g. 10.0.0.2,10.0.0.3:5353).`,
    )
    .action(async (options: { workspace?: string; json?: boolean }) =>
      (await import('./doctor.ts')).doctorCommand(options),
    );

  program
    .command('setup-link')
    .description("a new one-time link (valid 24 h) that sets the owner's dashboard password")
    .option('--workspace <workspace>', 'workspace id or name (optional when only one exists)')
    .option('--json', 'print {"workspaceId","url","expiresAt"}')
    .action(async (options: { workspace?: string; json?: boolean }) =>
      (await import('./setupLink.ts')).setupLinkCommand(options),
    );

  const workspace = program.command('workspace').description('create a workspace');
  workspace
    .command('create')
    .description('create a workspace and print its first API key (shown once)')
    .requiredOption('--name <name>', 'the workspace name (1–200 characters)')
    .option('--json', 'print {"workspaceId","apiKey"}')
    .action(async (options: { name: string; json?: boolean }) =>
      (await import('./workspace.ts')).workspaceCreate(options),
    );

  dataCommands(program);

  program
    .command('classify')
    .description('classify a reply (give it with --body or on stdin); needs no database')
    .option('--body <text>', 'the reply text')
    .option('--subject <subject>', 'its subject line')
    .option('--json', 'print the classification as JSON')
    .action(async (options: { body?: string; subject?: string; json?: boolean }) =>
      (await import('./classify.ts')).classifyCommand(options),
    );
  program
    .command('preview')
    .description('the message the writer would send to a contact (nothing is sent)')
    .option('--workspace <workspace>', 'workspace id or name')
    .requiredOption('--contact <contact>', 'contact id or email address')
    .requiredOption('--channel <channel>', 'email, linkedin, whatsapp, sms or call')
    .requiredOption('--purpose <purpose>', 'the step template, e.g. intro, followup_1, breakup')
    .option('--variant <n>', 'the A/B variant number')
    .option('--json', 'print the message and its checks as JSON')
    .action(async (options: PreviewOptions) => (await import('./preview.ts')).previewCommand(options));
  program
    .command('plan')
    .description('analyse leads into an outreach plan; --execute enrolls them and sends the first touches')
    .option('--workspace <workspace>', 'workspace id or name')
    .option('--tag <tag>', 'the leads with this tag')
    .option('--contact-ids <ids>', 'these contacts (ids separated by commas)')
    .addOption(new Option('--contacts <ids>').hideHelp())
    .option('--preset <preset>', 'use this preset (quotahit presets lists them)')
    .option('--sequence <sequence>', 'use this existing sequence (id or name)')
    .option('--execute', 'enroll the leads and send the first touches')
    .option('--json', 'print the plan (and execution) as JSON')
    .action(async (options: PlanOptions) => (await import('./plan.ts')).planCommand(options));

  return program;
}

export type PreviewOptions = {
  workspace?: string;
  contact: string;
  channel: string;
  purpose: string;
  variant?: string;
  json?: boolean;
};

export type PlanOptions = {
  workspace?: string;
  tag?: string;
  contactIds?: string;
  /** The old spelling of --contact-ids. */
  contacts?: string;
  preset?: string;
  sequence?: string;
  execute?: boolean;
  json?: boolean;
};
