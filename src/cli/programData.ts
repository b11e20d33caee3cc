// The commands that list and change what a workspace holds (see program.ts for the option words).
import { Option, type Command } from 'commander';

const WORKSPACE = ['--workspace <workspace>', 'workspace id or name (optional when there is only one)'] as const;
const JSON_LIST = ['--json', 'print {"data":[…],"nextCursor"} as the API does'] as const;

export function dataCommands(program: Command): void {
  program
    .command('workspaces')
    .description('list workspaces with their contacts, sequences and sending accounts')
    .option('--json', 'print {"data":[…]}')
    .action(async (options: { json?: boolean }) => (await import('./lists.ts')).listWorkspaces(options));

  const contacts = program.command('contacts').description('list contacts (the default) or import a file of them');
  contacts
    .command('list', { isDefault: true })
    .description('list contacts, filtered by tag and status')
    .option(...WORKSPACE)
    .option('--tag <tag>', 'only contacts with this tag')
    .option('--status <status>', 'new, contacted, replied, interested, not_interested, unsubscribed or bounced')
    .option('--limit <n>', 'how many (1–1000)', '50')
    .option('--cursor <cursor>', 'the nextCursor of a previous page')
    .option(...JSON_LIST)
    .action(async (options: ContactListOptions) => (await import('./lists.ts')).listContacts(options));
  contacts
    .command('import')
    .description('import (upsert) a CSV or JSON file of contacts')
    .argument('<file>', 'a .csv file with a header row, or a .json file holding a list or {"contacts":[…]}')
    .option(...WORKSPACE)
    .option('--json', 'print {"created","updated","unchanged","rejected","warnings"}')
    .addHelpText(
      'after',
      `
A row whose email, phone or LinkedIn URL is usable is kept; a bad optional field is dropped with a
warning. A row without a usable identity is rejected with every reason. See docs/contacts.md.`,
    )
    .action(async (file: string, options: { workspace?: string; json?: boolean }) =>
      (await import('./contacts.ts')).importContactsCommand(file, options),
    );

  const sequences = program.command('sequences').description('list sequences (the default) or create one');
  sequences
    .command('list', { isDefault: true })
    .description('list sequences with their steps and enrollments')
    .option(...WORKSPACE)
    .option('--json', 'print {"data":[…]}')
    .action(async (options: { workspace?: string; json?: boolean }) =>
      (await import('./lists.ts')).listSequences(options),
    );
  sequences
    .command('create')
    .description('create a sequence from a preset or from a JSON file')
    .option(...WORKSPACE)
    .option('--preset <preset>', 'a preset (quotahit presets lists them)')
    .option('--file <file>', 'a JSON file: {"name","steps":[…],"schedule":{…}} as POST /v1/sequences takes')
    .option('--name <name>', 'the sequence name (default: the preset name, or the file’s)')
    .option('--json', 'print the sequence as JSON')
    .action(async (options: SequenceCreateOptions) => (await import('./sequences.ts')).createSequenceCommand(options));

  const keys = program
    .command('keys')
    .description('API keys: list (the default), create (the key is shown once) or revoke')
    .addHelpText('after', '\nThe command line needs no key, so a lost key is replaced here. See docs/api.md.');
  keys
    .command('list', { isDefault: true })
    .description('list API keys, revoked ones included (never the keys themselves)')
    .option(...WORKSPACE)
    .option(...JSON_LIST)
    .action(async (options: { workspace?: string; json?: boolean }) =>
      (await import('./keys.ts')).listKeysCommand(options),
    );
  keys
    .command('create')
    .description('create an API key and print it (shown once, store it now)')
    .option(...WORKSPACE)
    .option('--name <name>', 'a label to tell keys apart (1–100 characters)', 'cli')
    .option('--json', 'print {"id","key","name","prefix","createdAt",…,"workspaceId"}')
    .action(async (options: { workspace?: string; name?: string; json?: boolean }) =>
      (await import('./keys.ts')).createKeyCommand(options),
    );
  keys
    .command('revoke')
    .description('revoke an API key: requests with it fail from now on')
    .argument('<id>', 'the key id (quotahit keys list shows them)')
    .option(...WORKSPACE)
    .option('--json', 'print {"id","workspaceId","revoked"}')
    .action(async (id: string, options: { workspace?: string; json?: boolean }) =>
      (await import('./keys.ts')).revokeKeyCommand(id, options),
    );

  const handoffs = program
    .command('handoffs')
    .description('hand-offs to a person: list (the default) or ack (acknowledge: no SLA reminder follows)')
    .addHelpText('after', '\nThe same records as GET /v1/handoffs. See docs/integrations.md.');
  handoffs
    .command('list', { isDefault: true })
    .description('list hand-offs, newest first: contact, source, intent, assignee, status, due time, link')
    .option(...WORKSPACE)
    .option('--status <status>', 'open or acknowledged')
    .option('--limit <n>', 'at most this many (1–500, default 50)')
    .option(...JSON_LIST)
    .action(async (options: { workspace?: string; status?: string; limit?: string; json?: boolean }) =>
      (await import('./handoffs.ts')).listHandoffsCommand(options),
    );
  handoffs
    .command('ack')
    .description('acknowledge a hand-off: its SLA reminder will not fire')
    .argument('<id>', 'the hand-off id (quotahit handoffs list shows them)')
    .option(...WORKSPACE)
    .option('--json', 'print the hand-off as JSON')
    .action(async (id: string, options: { workspace?: string; json?: boolean }) =>
      (await import('./handoffs.ts')).ackHandoffCommand(id, options),
    );

  program
    .command('presets')
    .description('list the ready-made sequences')
    .option('--json', 'print {"data":[…]} with every step')
    .action(async (options: { json?: boolean }) => (await import('./presets.ts')).listPresets(options));
  program
    .command('senders')
    .description('list sending accounts with their limits and status')
    .option(...WORKSPACE)
    .option('--channel <channel>', 'only this channel')
    .option('--json', 'print {"data":[…]} (credentials are never shown)')
    .action(async (options: { workspace?: string; channel?: string; json?: boolean }) =>
      (await import('./lists.ts')).listSenders(options),
    );
  program
    .command('messages')
    .description('list messages, newest first')
    .option(...WORKSPACE)
    .option('--contact <contact>', 'only to this contact (id or email)')
    .option('--sequence <sequence>', 'only of this sequence (id or name)')
    .option('--status <status>', 'sending, deferred, sent, delivered, failed, bounced, unknown or cancelled')
    .option('--channel <channel>', 'only this channel')
    .option('--limit <n>', 'how many (1–1000)', '50')
    .option('--json', 'print {"data":[…]}')
    .action(async (options: MessageListOptions) => (await import('./lists.ts')).listMessages(options));
  program
    .command('tasks')
    .description('list tasks for a person (calls, manual LinkedIn steps)')
    .option(...WORKSPACE)
    .option(...JSON_LIST)
    .action(async (options: { workspace?: string; json?: boolean }) => (await import('./lists.ts')).listTasks(options));

  program
    .command('enroll')
    .description('enroll contacts in a sequence')
    .requiredOption('--sequence <sequence>', 'sequence id or name')
    .option(...WORKSPACE)
    .option('--tag <tag>', 'every contact with this tag')
    .option('--contact-ids <ids>', 'these contacts (ids separated by commas)')
    .addOption(new Option('--contacts <ids>').hideHelp())
    .option('--json', 'print {"enrolled":[…],"skipped":[…]}')
    .action(async (options: EnrollOptions) => (await import('./sequences.ts')).enrollCommand(options));
  program
    .command('simulate')
    .description('dry-run a sequence on a virtual clock: what would go out when, and why not (nothing is sent)')
    .requiredOption('--sequence <sequence>', 'sequence id or name')
    .option(...WORKSPACE)
    .option('--file <file>', 'simulate the contacts of this CSV or JSON file (not stored)')
    .addOption(new Option('--contacts <file>').hideHelp())
    .option('--tag <tag>', 'simulate the stored contacts with this tag (default: all stored contacts)')
    .option('--days <n>', 'how many days to simulate (1–120)', '30')
    .option('--start <time>', 'when the simulation starts (ISO 8601; default now)')
    .option('--json', 'print every contact’s events and the totals as JSON')
    .action(async (options: SimulateOptions) => (await import('./simulate.ts')).simulateCommand(options));
}

export type ContactListOptions = {
  workspace?: string;
  tag?: string;
  status?: string;
  limit: string;
  cursor?: string;
  json?: boolean;
};
export type SequenceCreateOptions = {
  workspace?: string;
  preset?: string;
  file?: string;
  name?: string;
  json?: boolean;
};
export type MessageListOptions = {
  workspace?: string;
  contact?: string;
  sequence?: string;
  status?: string;
  channel?: string;
  limit: string;
  json?: boolean;
};
export type EnrollOptions = {
  sequence: string;
  workspace?: string;
  tag?: string;
  contactIds?: string;
  /** The old spelling of --contact-ids. */
  contacts?: string;
  json?: boolean;
};
export type SimulateOptions = {
  sequence: string;
  workspace?: string;
  file?: string;
  /** The old spelling of --file. */
  contacts?: string;
  tag?: string;
  days: string;
  start?: string;
  json?: boolean;
};
