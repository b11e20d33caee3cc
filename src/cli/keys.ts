// quotahit keys create|list|revoke: API keys from the command line, which needs no key — so a lost
// first-run key does not lock anyone out. The key itself is printed once, by `create`, and never again.
import { Text } from '../api/schemas.ts';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyInfo } from '../db/workspaces.ts';
import { isUuid, printJson, say, UsageError } from './args.ts';
import { resolveWorkspace, withDatabase } from './session.ts';
import { printTable, shortTime } from './table.ts';

export type KeyOptions = { workspace?: string; json?: boolean };

export async function createKeyCommand(options: KeyOptions & { name?: string }): Promise<void> {
  const name = Text(100).safeParse(options.name ?? 'cli');
  if (!name.success || name.data === '') throw new UsageError('keys create: --name must be 1–100 characters, one line');
  const { workspace, created } = await withDatabase(async (database) => {
    const workspace = await resolveWorkspace(database, options.workspace);
    const created = await database.db.tenant(workspace.id, async (sql) => {
      const { id, key } = await createApiKey(sql, workspace.id, name.data);
      const info = (await listApiKeys(sql)).find((k) => k.id === id) as ApiKeyInfo;
      return { ...info, key };
    });
    return { workspace, created };
  });
  if (options.json) return printJson({ ...created, workspaceId: workspace.id });
  say(`API key "${created.name}" created for workspace "${workspace.name}" (id ${created.id}).`);
  say(`API key (shown once, keep it safe): ${created.key}`);
}

export async function listKeysCommand(options: KeyOptions): Promise<void> {
  const { workspace, keys } = await withDatabase(async (database) => {
    const workspace = await resolveWorkspace(database, options.workspace);
    return { workspace, keys: await database.db.tenant(workspace.id, listApiKeys) };
  });
  if (options.json) return printJson({ data: keys, nextCursor: null });
  printTable(
    keys,
    [
      { title: 'id', value: (k) => k.id, max: 36 },
      { title: 'name', value: (k) => k.name },
      { title: 'prefix', value: (k) => `${k.prefix}…` },
      { title: 'created', value: (k) => shortTime(k.createdAt) },
      { title: 'last used', value: (k) => shortTime(k.lastUsedAt) },
      { title: 'revoked', value: (k) => shortTime(k.revokedAt) },
    ],
    `Workspace "${workspace.name}" has no API keys: \`quotahit keys create --workspace W\` makes one.`,
  );
}

export async function revokeKeyCommand(id: string, options: KeyOptions): Promise<void> {
  if (!isUuid(id))
    throw new UsageError(`keys revoke: "${id}" is not a key id (UUID; \`quotahit keys list\` shows them)`);
  const { workspace, revoked } = await withDatabase(async (database) => {
    const workspace = await resolveWorkspace(database, options.workspace);
    return { workspace, revoked: await database.db.tenant(workspace.id, (sql) => revokeApiKey(sql, id)) };
  });
  if (!revoked)
    throw new UsageError(`keys revoke: no API key ${id} in workspace "${workspace.name}" (\`quotahit keys list\`)`);
  if (options.json) return printJson({ id, workspaceId: workspace.id, revoked: true });
  say(`API key ${id} revoked: requests with it fail from now on.`);
}
