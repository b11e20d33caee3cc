// The workspace's own settings and API keys, as the API and CLI change them.
import { identityGaps } from '../../core/identityGaps.ts';
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

/** The stored workspace plus what it still lacks before real sends go out. */
function withGaps<T extends { name: string; offer: string | null; postalAddress: string | null }>(workspace: T) {
  return { ...workspace, identityGaps: identityGaps(workspace) };
}

export const workspaceOf = async (deps: Deps, workspaceId: string) => {
  const workspace = await deps.db.tenant(workspaceId, getWorkspace);
  return workspace ? withGaps(workspace) : undefined;
};

export const changeWorkspace = async (deps: Deps, workspaceId: string, patch: WorkspacePatch) => {
  const workspace = await deps.db.tenant(workspaceId, (sql) => updateWorkspace(sql, patch));
  return workspace ? withGaps(workspace) : undefined;
};

export const apiKeysOf = (deps: Deps, workspaceId: string) => deps.db.tenant(workspaceId, listApiKeys);

/** A new key: the secret is returned once, only its hash is kept. */
export const addApiKey = (deps: Deps, workspaceId: string, name: string) =>
  deps.db.tenant(workspaceId, (sql) => createApiKey(sql, workspaceId, name));

export const revokeApiKeyById = (deps: Deps, workspaceId: string, id: string) =>
  deps.db.tenant(workspaceId, (sql) => revokeApiKey(sql, id));
