// quotahit workspace create --name N [--json]
import { Text } from '../api/schemas.ts';
import { createWorkspace } from '../db/workspaces.ts';
import { printJson, say, UsageError } from './args.ts';
import { withDatabase } from './session.ts';

export async function workspaceCreate(options: { name: string; json?: boolean }): Promise<void> {
  const name = Text(200).safeParse(options.name);
  if (!name.success || name.data === '')
    throw new UsageError('workspace create needs --name NAME (1–200 characters, one line)');
  const { workspace, apiKey } = await withDatabase((database) => createWorkspace(database.db, { name: name.data }));
  if (options.json) return printJson({ workspaceId: workspace.id, apiKey });
  say(`Workspace "${workspace.name}" created.`);
  say(`API key (shown once, keep it safe): ${apiKey}`);
  say(
    'Next: set its offer and postal address (PATCH /v1/workspace) before the first real send (README, "First steps").',
  );
}
