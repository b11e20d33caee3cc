// Preparing an email for the wire (the `prepare` of every provider that delivers email): the
// writer's text becomes buildEmail's message with our Message-ID, the thread of the earlier emails
// this contact got from the same account (In-Reply-To, References, `Re:`, the provider's thread id),
// one-click unsubscribe headers, the workspace's postal address and, unless turned off, tracking.
// The Message-ID and final subject are handed back to be stored before the provider is called.
import type { Conversation, OutboundMessage, PrepareContext, PreparedMessage } from '../types.ts';
import { buildEmail } from './buildEmail.ts';

export const NO_POSTAL_ADDRESS =
  'the workspace has no postal address, which every email footer needs (CAN-SPAM): set it with PATCH /v1/workspace {"postalAddress"}';

export function prepareEmail(
  message: OutboundMessage,
  conversation: Conversation,
  context: PrepareContext,
): PreparedMessage {
  const fromEmail = message.from.email;
  if (!fromEmail)
    return { ok: false, failure: { kind: 'rejected', message: 'the sending account has no email address' } };
  const postalAddress = context.workspace.postalAddress;
  if (!postalAddress?.trim())
    return { ok: false, failure: { kind: 'temporary', message: NO_POSTAL_ADDRESS, retryAfterSeconds: 3600 } };
  const earlier = conversation.earlier.filter((m) => m.rfcMessageId !== null);
  const root = earlier[0];
  const last = earlier[earlier.length - 1];
  const settings = context.sequenceSettings;
  const plainTextOnly = !last && settings.plainTextFirstTouch === true;
  const email = buildEmail({
    messageId: message.id,
    fromEmail,
    subject: message.subject ?? '',
    text: message.text,
    postalAddress,
    links: {
      publicBaseUrl: context.links.publicBaseUrl,
      trackingBaseUrl: context.links.trackingBaseUrl,
      secret: context.links.secret,
    },
    tracking: settings.tracking !== false && !plainTextOnly,
    issuedAt: context.now,
    plainTextOnly,
    ...(root?.rfcMessageId && last?.rfcMessageId
      ? {
          thread: {
            messageIdHeader: last.rfcMessageId,
            subject: root.subject ?? message.subject ?? '',
            references: earlier.slice(0, -1).flatMap((m) => (m.rfcMessageId ? [m.rfcMessageId] : [])),
          },
        }
      : {}),
  });
  const threadId = [...earlier].reverse().find((m) => m.providerThreadId)?.providerThreadId ?? undefined;
  return {
    ok: true,
    message: {
      ...message,
      subject: email.subject,
      text: email.text,
      ...(email.html !== undefined ? { html: email.html } : {}),
      headers: email.headers,
      ...(threadId ? { providerThreadId: threadId } : {}),
    },
    record: { rfcMessageId: email.messageIdHeader, subject: email.subject },
  };
}
