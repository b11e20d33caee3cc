// An account's message templates (WhatsApp): listing syncs them from the provider first (its
// statuses are the truth: only APPROVED ones go out), and registering one checks that it exists at
// the provider and takes the provider's status and body. Templates are created and approved at the
// provider (WhatsApp Manager, Gallabox); QuotaHit never invents one.
import type { ChannelTemplate } from '../../channels/types.ts';
import { getSenderRow, type SenderRow } from '../../db/senders.ts';
import {
  listSenderTemplates,
  markRegistered,
  syncSenderTemplates,
  type SenderTemplateRow,
} from '../../db/senderTemplates.ts';
import { openCredentials } from '../accounts/credentials.ts';
import type { EngineDeps } from '../ports.ts';

export type TemplateView = ChannelTemplate & { id: string; registered: boolean; syncedAt: string };

export type TemplatesOutcome =
  | { kind: 'ok'; templates: TemplateView[]; syncError: string | null }
  | { kind: 'not_found' }
  | { kind: 'invalid'; message: string }
  | { kind: 'unknown_template'; message: string };

const view = (t: SenderTemplateRow): TemplateView => ({
  id: t.id,
  name: t.name,
  language: t.language,
  category: t.category,
  body: t.body,
  status: t.status,
  registered: t.registered,
  syncedAt: t.syncedAt.toISOString(),
});

type Synced =
  | { kind: 'synced'; sender: SenderRow; syncError: string | null }
  | { kind: 'not_found' }
  | { kind: 'invalid'; message: string };

/** Reads the provider's templates into the account's list; a provider failure keeps the last list. */
async function sync(deps: EngineDeps, workspaceId: string, senderId: string): Promise<Synced> {
  const sender = await deps.db.tenant(workspaceId, (sql) => getSenderRow(sql, senderId));
  if (!sender) return { kind: 'not_found' };
  const adapter = deps.adapters[sender.provider as keyof typeof deps.adapters];
  if (!adapter?.listTemplates)
    return { kind: 'invalid', message: `provider ${sender.provider} has no message templates` };
  let credentials: unknown;
  try {
    credentials = openCredentials(deps, sender);
  } catch {
    return { kind: 'synced', sender, syncError: 'stored credentials cannot be decrypted with the configured key' };
  }
  const now = deps.clock.now();
  const listed = await adapter.listTemplates(credentials, { signal: AbortSignal.timeout(deps.sendTimeoutMs), now });
  if (!listed.ok) return { kind: 'synced', sender, syncError: listed.failure.message };
  await deps.db.tenant(workspaceId, (sql) =>
    syncSenderTemplates(sql, { workspaceId, senderId, templates: listed.templates, now }),
  );
  return { kind: 'synced', sender, syncError: null };
}

export async function listTemplates(
  deps: EngineDeps,
  workspaceId: string,
  senderId: string,
): Promise<TemplatesOutcome> {
  const synced = await sync(deps, workspaceId, senderId);
  if (synced.kind !== 'synced') return synced;
  const rows = await deps.db.tenant(workspaceId, (sql) => listSenderTemplates(sql, senderId));
  return { kind: 'ok', templates: rows.map(view), syncError: synced.syncError };
}

export async function registerTemplate(
  deps: EngineDeps,
  workspaceId: string,
  senderId: string,
  input: { name: string; language: string; category: string; body: string },
): Promise<TemplatesOutcome> {
  const synced = await sync(deps, workspaceId, senderId);
  if (synced.kind !== 'synced') return synced;
  if (synced.syncError)
    return { kind: 'invalid', message: `cannot read the templates at ${synced.sender.provider}: ${synced.syncError}` };
  return deps.db.tenant(workspaceId, async (sql) => {
    const rows = await listSenderTemplates(sql, senderId);
    const found = rows.find((t) => t.name === input.name && t.language === input.language);
    if (!found)
      return {
        kind: 'unknown_template',
        message: `no template "${input.name}" (${input.language}) exists at ${synced.sender.provider}: create it there and submit it for approval first`,
      };
    await markRegistered(sql, senderId, found.name, found.language);
    return { kind: 'ok', templates: [view({ ...found, registered: true })], syncError: null };
  });
}
