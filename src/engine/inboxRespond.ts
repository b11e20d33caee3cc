// Answering a reply from the inbox, on the channel of the reply and from the account the
// conversation went out on (real accounts and the sandbox). Email threads under our message
// (In-Reply-To, References, `Re:`, the Gmail thread) and carries one-click unsubscribe; WhatsApp,
// SMS and LinkedIn go to the contact's number or profile through the provider's own preparation
// (SMS segments and status callback, the LinkedIn profile URL), and WhatsApp only inside the
// 24-hour window the reply opened (outside it only an approved template may go, which a person's
// answer is not). The answer is recorded as a reply action whatever the provider said. A contact
// suppressed (everywhere or on this channel) is never written to.
import { randomUUID } from 'node:crypto';
import { messageIdHeaderFor, replySubject, unsubscribeUrl } from '../channels/email/buildEmail.ts';
import { FALLBACK_PROVIDER, isProviderId } from '../channels/registry.ts';
import type { Address, OutboundMessage, SendResult } from '../channels/types.ts';
import { CHANNEL_LABELS, type Channel } from '../core/channels.ts';
import { isWindowOpen, WHATSAPP_WINDOW_MS } from '../core/whatsappWindow.ts';
import { addActivity } from '../db/activities.ts';
import { getContact, type Contact } from '../db/contacts.ts';
import { conversationOf, type ConversationRow } from '../db/conversation.ts';
import { addReplyAction, getInboxReply, type InboxReply, type ReplyAction } from '../db/inbox.ts';
import { getMessage, type MessageRow } from '../db/messages.ts';
import { getSenderRow, type SenderRow } from '../db/senders.ts';
import { suppressionOf } from '../db/suppressions.ts';
import { openCredentials } from './accounts/credentials.ts';
import type { Engine } from './engine.ts';
import type { EngineDeps } from './ports.ts';
import { prepareInConversation } from './steps/outbound.ts';

/** Channels the inbox can answer on (a call is answered by calling: the Tasks view). */
export const ANSWERABLE_CHANNELS: readonly string[] = ['email', 'whatsapp', 'sms', 'linkedin'];

export type RespondOutcome =
  | { kind: 'sent'; reply: InboxReply; action: ReplyAction }
  | { kind: 'failed'; message: string; action: ReplyAction }
  | { kind: 'not_found' }
  | { kind: 'refused'; message: string };

type Loaded = {
  reply: InboxReply;
  message: MessageRow;
  contact: Contact;
  sender: SenderRow | undefined;
  suppressed: string | undefined;
  conversation: ConversationRow | undefined;
};

type Built = { outbound: OutboundMessage; subject: string | null };

export async function respondToReply(
  engine: Engine,
  input: { workspaceId: string; replyId: string; memberId: string | null; body: string },
): Promise<RespondOutcome> {
  const deps = engine.deps;
  const loaded = await load(deps, input.workspaceId, input.replyId);
  if (!loaded) return { kind: 'not_found' };
  const refusal = refusalOf(loaded, deps.clock.now());
  if (refusal) return { kind: 'refused', message: refusal };
  const built =
    loaded.message.channel === 'email'
      ? emailAnswer(deps, loaded, input.body)
      : await chatAnswer(deps, loaded, input.body);
  if ('refused' in built) return { kind: 'refused', message: built.refused };
  const { message, sender } = loaded;
  const result = await send(engine, message.provider, sender ?? null, built.outbound);
  return record(deps, input, loaded, built, result);
}

async function load(deps: EngineDeps, workspaceId: string, replyId: string): Promise<Loaded | undefined> {
  return deps.db.tenant(workspaceId, async (sql) => {
    const reply = await getInboxReply(sql, replyId);
    const message = reply ? await getMessage(sql, reply.messageId) : undefined;
    const contact = reply ? await getContact(sql, reply.contactId) : undefined;
    if (!reply || !message || !contact) return undefined;
    const sender = message.senderId ? await getSenderRow(sql, message.senderId) : undefined;
    // The conversation as a next step would see it: our message among the earlier ones.
    const conversation =
      message.channel === 'email' ? undefined : await conversationOf(sql, { ...message, step: message.step + 1 });
    const suppressed = await suppressionOf(sql, contact, message.channel);
    return { reply, message, contact, sender, suppressed, conversation };
  });
}

/** Why the answer must not go out, or undefined. */
function refusalOf(loaded: Loaded, now: Date): string | undefined {
  const { message, contact, sender, suppressed, conversation } = loaded;
  const channel = CHANNEL_LABELS[message.channel];
  if (!ANSWERABLE_CHANNELS.includes(message.channel))
    return `answering on ${channel} from the inbox is not available: call them from the Tasks view`;
  if (contact.status === 'unsubscribed' || contact.status === 'bounced')
    return `the contact is ${contact.status}: nothing more is sent to them`;
  if (suppressed) return `the contact is suppressed on ${channel} (${suppressed}): nothing more is sent there`;
  const address = addressOf(message.channel, contact);
  if (!address) return `the contact has no ${ADDRESS_NAMES[message.channel]}`;
  if (message.provider !== FALLBACK_PROVIDER && !sender)
    return 'the account this conversation went out on no longer exists';
  if (message.channel === 'email' && message.provider !== FALLBACK_PROVIDER && !sender?.fromEmail)
    return 'the account this conversation went out on no longer exists';
  const lastInbound = conversation?.lastInboundAt ?? null;
  if (message.channel === 'whatsapp' && !isWindowOpen(lastInbound, now))
    return `the WhatsApp 24-hour window closed${lastInbound ? ` at ${new Date(lastInbound.getTime() + WHATSAPP_WINDOW_MS).toISOString()}` : ''}: only an approved template may go now`;
  return undefined;
}

const ADDRESS_NAMES: Record<Channel, string> = {
  email: 'email address',
  whatsapp: 'phone number',
  sms: 'phone number',
  call: 'phone number',
  linkedin: 'LinkedIn profile URL',
};

function addressOf(channel: Channel, contact: Contact): Address | undefined {
  const name = contact.firstName ? { name: contact.firstName } : {};
  if (channel === 'email') return contact.email ? { email: contact.email, ...name } : undefined;
  if (channel === 'linkedin') return contact.linkedinUrl ? { linkedinUrl: contact.linkedinUrl, ...name } : undefined;
  return contact.phone ? { phone: contact.phone, ...name } : undefined;
}

/** Email: threaded under our message, with one-click unsubscribe. */
function emailAnswer(deps: EngineDeps, loaded: Loaded, body: string): Built {
  const { reply, message, contact, sender } = loaded;
  const id = randomUUID();
  const fromEmail = sender?.fromEmail ?? undefined;
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
    to: addressOf('email', contact) ?? {},
    from: { ...(fromEmail ? { email: fromEmail } : {}), ...(sender?.fromName ? { name: sender.fromName } : {}) },
    subject,
    text: body,
    headers,
    ...(message.providerThreadId ? { providerThreadId: message.providerThreadId } : {}),
  };
  return { outbound, subject };
}

/** WhatsApp, SMS, LinkedIn: to the contact's number or profile, through the provider's preparation. */
async function chatAnswer(deps: EngineDeps, loaded: Loaded, body: string): Promise<Built | { refused: string }> {
  const { message, contact, sender, conversation } = loaded;
  const base: OutboundMessage = {
    id: randomUUID(),
    channel: message.channel,
    purpose: 'inbox_reply',
    to: addressOf(message.channel, contact) ?? {},
    from: {
      ...(sender?.fromPhone ? { phone: sender.fromPhone } : {}),
      ...(sender?.fromName ? { name: sender.fromName } : {}),
    },
    text: body,
    ...(message.providerThreadId ? { providerThreadId: message.providerThreadId } : {}),
  };
  const adapter = isProviderId(message.provider) ? deps.adapters[message.provider] : undefined;
  if (!adapter?.prepare || !conversation) return { outbound: base, subject: null };
  const credentials = credentialsOf(deps, sender);
  if (!credentials.ok) return { refused: UNREADABLE };
  const prepared = await prepareInConversation(deps, {
    prepare: adapter.prepare,
    base,
    conversation,
    credentials: credentials.value,
    templates: [],
  });
  return prepared.ok ? { outbound: prepared.message, subject: null } : { refused: prepared.failure.message };
}

async function record(
  deps: EngineDeps,
  input: { workspaceId: string; memberId: string | null; body: string },
  loaded: Loaded,
  built: Built,
  result: SendResult,
): Promise<RespondOutcome> {
  const { reply, message, contact } = loaded;
  return deps.db.tenant(input.workspaceId, async (sql): Promise<RespondOutcome> => {
    const action = await addReplyAction(sql, {
      workspaceId: input.workspaceId,
      replyId: reply.id,
      action: 'respond',
      data: {
        body: input.body,
        ...(built.subject !== null ? { subject: built.subject } : {}),
        channel: message.channel,
        provider: message.provider,
        status: result.ok ? 'sent' : 'failed',
        ...(result.ok ? { providerMessageId: result.value.providerMessageId } : { error: result.failure.message }),
      },
      memberId: input.memberId,
      at: deps.clock.now(),
    });
    if (!result.ok) return { kind: 'failed', message: result.failure.message, action };
    await addActivity(sql, {
      workspaceId: input.workspaceId,
      contactId: contact.id,
      type: 'responded',
      summary: `Answered from the inbox on ${CHANNEL_LABELS[message.channel]} via ${message.provider}: ${input.body.slice(0, 160)}`,
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
  const credentials = credentialsOf(engine.deps, sender);
  if (!credentials.ok) return failed(UNREADABLE);
  try {
    return await adapter.send(message, credentials.value, { signal: AbortSignal.timeout(engine.deps.sendTimeoutMs) });
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
  }
}

const UNREADABLE = 'stored credentials cannot be decrypted with the configured key';

/** The account's credentials opened with the configured key (none for the sandbox). */
function credentialsOf(
  deps: EngineDeps,
  sender: { id: string; workspaceId: string; credentials: Buffer | null } | null | undefined,
): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: sender ? openCredentials(deps, sender) : {} };
  } catch {
    return { ok: false };
  }
}

const failed = (message: string): SendResult => ({ ok: false, failure: { kind: 'provider_down', message } });
