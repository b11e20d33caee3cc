// The message a reservation becomes on the wire: the adapter's `prepare` (email: MIME, threading,
// unsubscribe headers, footer, tracking) with what the engine knows of the conversation. What
// prepare asks to store (a Message-ID, the final subject) is written on the row in the same
// transaction, before the provider is called. A provider without prepare sends the text as written.
import type { RegisteredAdapter } from '../../channels/register.ts';
import type { ChannelTemplate, OutboundMessage, PreparedMessage, SendFailure } from '../../channels/types.ts';
import type { Contact } from '../../db/contacts.ts';
import { conversationOf, recordPrepared, type ConversationRow } from '../../db/conversation.ts';
import type { MessageRow } from '../../db/messages.ts';
import type { SenderRow } from '../../db/senders.ts';
import { listSenderTemplates } from '../../db/senderTemplates.ts';
import type { EngineDeps } from '../ports.ts';
import { filledTemplateFailure } from './templateCheck.ts';

export async function prepareOutbound(
  deps: EngineDeps,
  input: {
    message: MessageRow;
    adapter: RegisteredAdapter;
    base: OutboundMessage;
    credentials: unknown;
    contact: Contact;
    sender: SenderRow | null;
  },
): Promise<{ ok: true; outbound: OutboundMessage } | { ok: false; failure: SendFailure }> {
  const { message, adapter, base } = input;
  const prepare = adapter.prepare;
  if (!prepare) return { ok: true, outbound: base };
  const prepared = await deps.db.tenant(message.workspaceId, async (sql) => {
    const context = await conversationOf(sql, message);
    if (!context)
      return { ok: false as const, failure: { kind: 'rejected' as const, message: 'the sequence is gone' } };
    // WhatsApp outside the 24-hour window needs the account's approved templates.
    const templates =
      message.channel === 'whatsapp' && message.senderId ? await listSenderTemplates(sql, message.senderId) : [];
    const result = await prepareInConversation(deps, {
      prepare,
      base,
      conversation: context,
      credentials: input.credentials,
      templates,
    });
    // A filled template passes the writer's guardrails before it is stored or sent.
    const failure = result.ok
      ? filledTemplateFailure(result.message, templates, {
          written: base.text,
          contact: input.contact,
          sender: input.sender,
          workspace: context,
        })
      : undefined;
    if (failure) return { ok: false as const, failure };
    if (result.ok && result.record) await recordPrepared(sql, message.id, result.record);
    return result;
  });
  return prepared.ok ? { ok: true, outbound: prepared.message } : prepared;
}

/**
 * The adapter's prepare for a message that continues `conversation`: the workspace, the sequence's
 * settings, our public links and the account's credentials and templates (the step's send and an
 * answer from the inbox prepare alike).
 */
export function prepareInConversation(
  deps: EngineDeps,
  input: {
    prepare: NonNullable<RegisteredAdapter['prepare']>;
    base: OutboundMessage;
    conversation: ConversationRow;
    credentials: unknown;
    templates: readonly ChannelTemplate[];
  },
): Promise<PreparedMessage> {
  const { conversation } = input;
  return input.prepare(
    input.base,
    { earlier: conversation.earlier, lastInboundAt: conversation.lastInboundAt },
    {
      now: deps.clock.now(),
      workspace: { name: conversation.name, postalAddress: conversation.postalAddress },
      sequenceSettings: conversation.settings,
      links: {
        publicBaseUrl: deps.links.publicUrl,
        trackingBaseUrl: deps.links.trackingBaseUrl,
        secret: deps.links.trackingSecret,
      },
      credentials: input.credentials,
      templates: input.templates,
    },
  );
}
