// quotahit setup-link [--workspace ID] [--json]: a new one-time link (valid 24 h) that sets the
// owner's name, email and password — the first time, or again when the password is lost.
import { openDatabase } from '../db/open.ts';
import { createOwnerSetupLink, ownerLinkLine } from '../engine/ownerSetup.ts';
import { config, parse, printJson, requireId, UsageError } from './args.ts';

const USAGE = 'usage: quotahit setup-link [--workspace ID] [--json]';

export async function setupLinkCommand(argv: string[]): Promise<void> {
  const { values } = parse(argv, { workspace: { type: 'string' }, json: { type: 'boolean' } });
  const workspaceId = values.workspace ? requireId(values.workspace, 'workspace', 'workspace', USAGE) : undefined;
  const cfg = config();
  const database = await openDatabase(cfg);
  try {
    const link = await createOwnerSetupLink(database.db, { publicUrl: cfg.publicUrl, now: new Date(), workspaceId });
    if (link.kind === 'no_workspace')
      throw new UsageError('there is no workspace yet: run `quotahit start` once (or `quotahit workspace create`)');
    if (link.kind === 'ambiguous')
      throw new UsageError(`there are ${link.count} workspaces: name one with --workspace ID\n${USAGE}`);
    if (link.kind === 'not_found') throw new UsageError(`no workspace ${workspaceId}`);
    if (values.json) printJson({ workspaceId: link.workspaceId, url: link.url, expiresAt: link.expiresAt });
    else process.stdout.write(`${ownerLinkLine(link.url)}\n(valid until ${link.expiresAt}, works once)\n`);
  } finally {
    await database.close();
  }
}
