// quotahit setup-link [--workspace W] [--json]: a new one-time link (valid 24 h) that sets the
// owner's name, email and password — the first time, or again when the password is lost.
import { createOwnerSetupLink, ownerLinkLine } from '../engine/ownerSetup.ts';
import { printJson, say, UsageError } from './args.ts';
import { config, resolveWorkspace, withDatabase } from './session.ts';

export async function setupLinkCommand(options: { workspace?: string; json?: boolean }): Promise<void> {
  const cfg = config();
  await withDatabase(async (database) => {
    const workspaceId = options.workspace ? (await resolveWorkspace(database, options.workspace)).id : undefined;
    const link = await createOwnerSetupLink(database.db, { publicUrl: cfg.publicUrl, now: new Date(), workspaceId });
    if (link.kind === 'no_workspace')
      throw new UsageError('there is no workspace yet: run `quotahit start` once (or `quotahit workspace create`)');
    if (link.kind === 'ambiguous')
      throw new UsageError(`there are ${link.count} workspaces: name one with --workspace (id or name)`);
    if (link.kind === 'not_found') throw new UsageError(`no workspace ${options.workspace ?? ''}`);
    if (options.json) printJson({ workspaceId: link.workspaceId, url: link.url, expiresAt: link.expiresAt });
    else {
      say(ownerLinkLine(link.url));
      say(`(valid until ${link.expiresAt}, works once)`);
    }
  });
}
