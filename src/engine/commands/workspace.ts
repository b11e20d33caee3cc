// The workspace's own settings and API keys, as the API and CLI change them.
import {
  createApiKey,
  getWorkspace,
  listApiKeys,
  revokeApiKey,
  updateWorkspace,
  type WorkspacePatch,
} from '../../db/workspaces.ts';
import type { EngineDeps } from '../ports.ts';

type Deps = Pick<EngineDeps, 'db'>;

export const workspaceOf = (deps: Deps, workspaceId: string) => deps.db.tenant(workspaceId, getWorkspace);

export const changeWorkspace = (deps: Deps, workspaceId: string, patch: WorkspacePatch) =>
  deps.db.tenant(workspaceId, (sql) => updateWorkspace(sql, patch));

export const apiKeysOf = (deps: Deps, workspaceId: string) => deps.db.tenant(workspaceId, listApiKeys);

/** A new key: the secret is returned once, only its hash is kept. */
export const addApiKey = (deps: Deps, workspaceId: string, name: string) =>
  deps.db.tenant(workspaceId, (sql) => createApiKey(sql, workspaceId, name));

export const revokeApiKeyById = (deps: Deps, workspaceId: string, id: string) =>
  deps.db.tenant(workspaceId, (sql) => revokeApiKey(sql, id));
