// What a command that touches data needs: the configuration, the database (embedded or
// DATABASE_URL), and the records the user named — by id or by name. Loaded only by the commands
// that need it, so `--help` stays fast.
import { loadConfig, type Config } from '../config.ts';
import { findContacts, findSequences, findWorkspaces, listWorkspaceSummaries } from '../db/lookups.ts';
import { openDatabase, type OpenDatabase } from '../db/open.ts';
import { isUuid, UsageError } from './args.ts';

export function config(): Config {
  return loadConfig(process.env);
}

/** Opens the database, runs fn, and closes it (stopping an embedded server this process started). */
export async function withDatabase<T>(
  fn: (database: OpenDatabase, cfg: Config) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const cfg = config();
  const database = await openDatabase(cfg, options);
  try {
    return await fn(database, cfg);
  } finally {
    await database.close();
  }
}

export type Named = { id: string; name: string };

/**
 * `--workspace` as an id or a name; when it is not given and there is exactly one workspace, that
 * one (a new installation has just the one `start` created).
 */
export async function resolveWorkspace(database: OpenDatabase, value: string | undefined): Promise<Named> {
  if (value === undefined) {
    const all = await listWorkspaceSummaries(database.db);
    const [only] = all;
    if (all.length === 1 && only) return { id: only.id, name: only.name };
    if (all.length === 0)
      throw new UsageError('there is no workspace yet: run `quotahit start` or `quotahit workspace create --name N`');
    throw new UsageError(
      `--workspace is needed: there are ${all.length} workspaces (${all
        .slice(0, 5)
        .map((w) => `"${w.name}"`)
        .join(', ')}${all.length > 5 ? ', …' : ''}); give a name or an id (quotahit workspaces lists them)`,
    );
  }
  return one(await findWorkspaces(database.db, value), 'workspace', value, 'quotahit workspaces');
}

/** `--sequence` as an id or a name within the workspace. */
export async function resolveSequence(database: OpenDatabase, workspaceId: string, value: string): Promise<Named> {
  const found = await database.db.tenant(workspaceId, (sql) => findSequences(sql, value));
  return one(found, 'sequence', value, 'quotahit sequences');
}

/** `--contact` as an id or an email address within the workspace. */
export async function resolveContact(database: OpenDatabase, workspaceId: string, value: string): Promise<string> {
  const found = await database.db.tenant(workspaceId, (sql) => findContacts(sql, value));
  const [first] = found;
  if (!first) throw new UsageError(`contact "${value}" not found in this workspace (give its id or email)`);
  return first.id;
}

function one(found: Named[], what: string, value: string, listCommand: string): Named {
  const [first] = found;
  if (!first) {
    const hint = isUuid(value) ? '' : ` (give its name or id; \`${listCommand}\` lists them)`;
    throw new UsageError(`${what} ${isUuid(value) ? value : `"${value}"`} not found${hint}`);
  }
  if (found.length > 1) {
    throw new UsageError(
      `${found.length} ${what}s are named "${value}": give the id of one (${found.map((f) => f.id).join(', ')})`,
    );
  }
  return first;
}
