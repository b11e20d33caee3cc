// The owner's one-time link: printed by the first `quotahit start` and by `quotahit setup-link`.
import type { Db } from '../db/database.ts';
import { countMembers } from '../db/members.ts';
import { listWorkspaceIds } from '../db/workspaceDirectory.ts';
import { createAccessLink } from './memberAccess.ts';

export const ownerLinkLine = (url: string) => `Set the owner's password: ${url}`;

export type OwnerLink =
  | { kind: 'created'; workspaceId: string; url: string; expiresAt: string }
  | { kind: 'no_workspace' }
  | { kind: 'ambiguous'; count: number }
  | { kind: 'not_found' };

export async function createOwnerSetupLink(
  db: Db,
  input: { publicUrl: string; now: Date; workspaceId?: string | undefined },
): Promise<OwnerLink> {
  const ids = await listWorkspaceIds(db);
  let workspaceId = input.workspaceId;
  if (workspaceId === undefined) {
    if (ids.length === 0) return { kind: 'no_workspace' };
    if (ids.length > 1) return { kind: 'ambiguous', count: ids.length };
    workspaceId = ids[0];
  }
  if (!workspaceId || !ids.includes(workspaceId)) return { kind: 'not_found' };
  const link = await createAccessLink(db, { workspaceId, kind: 'owner', publicUrl: input.publicUrl, now: input.now });
  return { kind: 'created', workspaceId, url: link.url, expiresAt: link.expiresAt.toISOString() };
}

/**
 * On start: a link when nobody can sign in yet (no member at all) and there is exactly one
 * workspace — the first run, or a restart before the first link was used.
 */
export async function firstRunOwnerLink(db: Db, input: { publicUrl: string; now: Date }): Promise<string | undefined> {
  if ((await countMembers(db)) > 0) return undefined;
  const link = await createOwnerSetupLink(db, input);
  return link.kind === 'created' ? link.url : undefined;
}
