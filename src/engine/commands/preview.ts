// A preview of what the writer would send a contact: the same writer, guardrails and cache as a
// sequence step, with nothing sent or stored but the cache entry. The sender is the workspace's
// first active account on the channel (as the engine would choose without quotas), and
// "previous" is what already went out to the contact, so follow-up previews do not repeat it.
import { Channel } from '../../core/channels.ts';
import { describeIdentityGaps, identityGaps, senderIdentityGaps } from '../../core/identityGaps.ts';
import { getContact } from '../../db/contacts.ts';
import type { Db } from '../../db/database.ts';
import { listSenderRows } from '../../db/senders.ts';
import { workspaceWriteCache } from '../../db/writerCache.ts';
import { sentToContact } from '../../db/writerInputs.ts';
import { getWorkspace } from '../../db/workspaces.ts';
import type { WriterInput } from '../../writer/types.ts';
import type { StepWriter, WriteOutcome } from '../ports.ts';
import { toWriterContact, toWriterSender, toWriterWorkspace } from '../steps/writerInput.ts';

export type PreviewRequest = {
  workspaceId: string;
  contactId: string;
  channel: Channel;
  purpose: string;
  variant?: number;
};

export async function previewMessage(
  deps: { db: Db; writer: StepWriter },
  request: PreviewRequest,
): Promise<WriteOutcome | 'contact_not_found'> {
  const input = await deps.db.tenant(request.workspaceId, async (sql): Promise<WriterInput | undefined> => {
    const contact = await getContact(sql, request.contactId);
    if (!contact) return undefined;
    // One transaction is one connection: its queries run one after another.
    const workspace = await getWorkspace(sql);
    const senders = await listSenderRows(sql, { channel: request.channel });
    const sent = await sentToContact(sql, contact.id);
    const sender = senders.find((s) => s.status === 'active');
    const variant = request.variant ?? 0;
    return {
      contact: toWriterContact(contact),
      channel: request.channel,
      purpose: request.purpose,
      sender: toWriterSender(sender),
      workspace: toWriterWorkspace(workspace),
      previous: sent.flatMap((m) => {
        const channel = Channel.safeParse(m.channel);
        return channel.success
          ? [{ channel: channel.data, purpose: m.purpose, subject: m.subject ?? undefined, body: m.body }]
          : [];
      }),
      variant,
      // Stable per contact, channel, purpose and variant: the same preview twice is one cache entry.
      seed: `preview:${contact.id}:${request.channel}:${request.purpose}:${variant}`,
    };
  });
  if (!input) return 'contact_not_found';
  // Outside any transaction: a slow model call must not hold a database connection.
  return deps.writer.writeWithCache(workspaceWriteCache(deps.db, request.workspaceId), input);
}

/**
 * A draft is shown either way; real sends wait while the workspace lacks these (its identity gaps),
 * and on `channel`, while the account the preview wrote as has no person name (the sandbox's draft
 * is then signed with a word only: the warning says so there too).
 */
export async function previewWarnings(deps: { db: Db }, workspaceId: string, channel?: Channel): Promise<string[]> {
  const found = await deps.db.tenant(workspaceId, async (sql) => {
    const workspace = await getWorkspace(sql);
    if (!workspace || channel === undefined) return { workspace, sender: undefined };
    const senders = await listSenderRows(sql, { channel });
    return { workspace, sender: senders.find((s) => s.status === 'active') };
  });
  if (!found.workspace) return [];
  const sender = found.sender === undefined ? [] : senderIdentityGaps(found.sender, channel);
  const gaps = [...identityGaps(found.workspace), ...sender];
  return gaps.length === 0 ? [] : [describeIdentityGaps(gaps)];
}
