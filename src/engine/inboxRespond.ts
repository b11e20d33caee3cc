// Answering a reply from the inbox, from the account the conversation went out on. Email only
// for now (real accounts and the sandbox): the answer threads under our message (In-Reply-To,
// References, `Re:`, the Gmail thread), carries one-click unsubscribe, and is recorded as a reply
// action whatever the provider said. A suppressed contact is never written to.
import { randomUUID } from 'node:crypto';
import { messageIdHeaderFor, replySubject, unsubscribeUrl } from '../channels/email/buildEmail.ts';
import { FALLBACK_PROVIDER, isProviderId } from '../channels/registry.ts';
import type { OutboundMessage, SendResult } from '../channels/types.ts';
import { addActivity } from '../db/activities.ts';
import { getContact } from '../db/contacts.ts';
import { addReplyAction, getInboxReply, type InboxReply, type ReplyAction } from '../db/inbox.ts';
import { getMessage } from '../db/messages.ts';
import { getSenderRow } from '../db/senders.ts';
import { openCredentials } from './accounts/credentials.ts';
import type { Engine } from './engine.ts';

/** Channels the inbox can answer on: a conversation by email can go on by email at any time. */
export const ANSWERABLE_CHANNELS: readonly string[] = ['email'];

export type RespondOutcome =
  | { kind: 'sent'; reply: InboxReply; action: ReplyAction }
  | { kind: 'failed'; message: string; action: ReplyAction }
  | { kind: 'not_found' }
  | { kind: 'refused'; message: string };

export async function respondToReply(
  engine: Engine,
  input: { workspaceId: string; replyId: string; memberId: string | null; body: string },
): Promise<RespondOutcome> {
  const deps = engine.deps;
  const prepared = await deps.db.tenant(input.workspaceId, async (sql) => {
    const reply = await getInboxReply(sql, input.replyId);
    const message = reply ? await getMessage(sql, reply.messageId) : undefined;
    const contact = reply ? await getContact(sql, reply.contactId) : undefined;
    if (!reply || !message || !contact) return undefined;
    const sender = message.senderId ? await getSenderRow(sql, message.senderId) : undefined;
    return { reply, message, contact, sender };
  });
  if (!prepared) return { kind: 'not_found' };
  const { reply, message, contact, sender } = prepared;
  if (!ANSWERABLE_CHANNELS.includes(message.channel))
    return { kind: 'refused', message: `answering on ${message.channel} from the inbox is not available yet` };
  if (contact.status === 'unsubscribed' || contact.status === 'bounced')
    return { kind: 'refused', message: `the contact is ${contact.status}: nothing more is sent to them` };
  if (!contact.email) return { kind: 'refused', message: 'the contact has no email address' };
  const fromEmail = sender?.fromEmail ?? undefined;
  if (message.provider !== FALLBACK_PROVIDER && (!sender || !fromEmail))
    return { kind: 'refused', message: 'the account this conversation went out on no longer exists' };

  const id = randomUUID();
  const subject = replySubject(reply.subject ?? message.subject ?? '');
  const headers: Record<string, string> = {
    ...(fromEmail ? { 'Message-ID': messageIdHeaderFor(id, fromEmail) } : {}),
    ...(message.rfcMessageId ? { 'In-Reply-To': message.rfcMessageId, References: message.rfcMessageId } : {}),
    'List-Unsubscribe': `<${unsubscribeUrl(deps.links.publicUrl, deps.links.trackingSecret, message.id)}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
  const outbound: OutboundMessage = {
    id,
    channel: 'email',
    purpose: 'inbox_reply',
    to: { email: contact.email, ...(contact.firstName ? { name: contact.firstName } : {}) },
    from: { ...(fromEmail ? { email: fromEmail } : {}), ...(sender?.fromName ? { name: sender.fromName } : {}) },
    subject,
    text: input.body,
    headers,
    ...(message.providerThreadId ? { providerThreadId: message.providerThreadId } : {}),
  };
  const result = await send(engine, message.provider, sender ?? null, outbound);
  const sent = result.ok;
  return deps.db.tenant(input.workspaceId, async (sql): Promise<RespondOutcome> => {
    const action = await addReplyAction(sql, {
      workspaceId: input.workspaceId,
      replyId: reply.id,
      action: 'respond',
      data: {
        body: input.body,
        subject,
        provider: message.provider,
        status: sent ? 'sent' : 'failed',
        ...(result.ok ? { providerMessageId: result.value.providerMessageId } : { error: result.failure.message }),
      },
      memberId: input.memberId,
      at: deps.clock.now(),
    });
    if (!sent) return { kind: 'failed', message: result.ok ? '' : result.failure.message, action };
    await addActivity(sql, {
      workspaceId: input.workspaceId,
      contactId: contact.id,
      type: 'responded',
      summary: `Answered from the inbox via ${message.provider}: ${input.body.slice(0, 160)}`,
      data: { enrollmentId: reply.enrollmentId, replyId: reply.id, messageId: message.id, manual: true },
      occurredAt: deps.clock.now(),
    });
    return { kind: 'sent', reply: (await getInboxReply(sql, reply.id)) ?? reply, action };
  });
}

async function send(
  engine: Engine,
  provider: string,
  sender: { id: string; workspaceId: string; credentials: Buffer | null } | null,
  message: OutboundMessage,
) {
  const adapter = isProviderId(provider) ? engine.deps.adapters[provider] : undefined;
  if (!adapter) return failed(`no adapter for provider "${provider}"`);
  let credentials: unknown = {};
  try {
    if (sender) credentials = openCredentials(engine.deps, sender);
  } catch {
    return failed('stored credentials cannot be decrypted with the configured key');
  }
  try {
    return await adapter.send(message, credentials, { signal: AbortSignal.timeout(engine.deps.sendTimeoutMs) });
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
  }
}

const failed = (message: string): SendResult => ({ ok: false, failure: { kind: 'provider_down', message } });
