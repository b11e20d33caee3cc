import { Text } from '../api/schemas.ts';
import { openDatabase } from '../db/open.ts';
import { createWorkspace } from '../db/workspaces.ts';
import { config, parse, printJson, UsageError } from './args.ts';

export async function workspaceCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'create') throw new UsageError('usage: quotahit workspace create --name NAME [--json]');
  const { values } = parse(rest, { name: { type: 'string' }, json: { type: 'boolean' } });
  const name = Text(200).safeParse(values.name ?? '');
  if (!name.success || name.data === '')
    throw new UsageError('workspace create needs --name NAME (1–200 characters, one line)');
  const database = await openDatabase(config());
  try {
    const { workspace, apiKey } = await createWorkspace(database.db, { name: name.data });
    if (values.json) printJson({ workspaceId: workspace.id, apiKey });
    else process.stdout.write(`Workspace ${workspace.name}: ${workspace.id}\nAPI key (shown once): ${apiKey}\n`);
  } finally {
    await database.close();
  }
}
