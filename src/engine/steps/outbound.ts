// The email a reserved message becomes (deliverStep's hook): buildEmail with our Message-ID, the
// thread of the earlier emails this contact got from the same account (In-Reply-To, References,
// `Re:`, Gmail threadId), one-click unsubscribe headers, the workspace's postal address and, unless
// turned off, tracking. The Message-ID and the final subject are written on the row before the
// provider is called, so a reply or a bounce can be matched even if we crash right after sending.
import { buildEmail } from '../../channels/email/buildEmail.ts';
import type { OutboundMessage, SendFailure } from '../../channels/types.ts';
import type { MessageRow } from '../../db/messages.ts';
import type { EngineDeps } from '../ports.ts';

/** Providers that deliver real email; the sandbox keeps the written text as it is. */
export const EMAIL_PROVIDERS: readonly string[] = ['smtp', 'gmail', 'resend'];

export function isRealEmail(message: Pick<MessageRow, 'channel' | 'provider'>): boolean {
  return message.channel === 'email' && EMAIL_PROVIDERS.includes(message.provider);
}

export const NO_POSTAL_ADDRESS =
  'the workspace has no postal address, which every email footer needs (CAN-SPAM): set it with PATCH /v1/workspace {"postalAddress"}';

type ThreadRow = { rfcMessageId: string; subject: string | null; providerThreadId: string | null };
type Context = {
  postalAddress: string | null;
  settings: { tracking?: boolean; plainTextFirstTouch?: boolean };
  earlier: ThreadRow[];
};

export async function emailOutbound(
  deps: EngineDeps,
  message: MessageRow,
  base: OutboundMessage,
): Promise<{ ok: true; outbound: OutboundMessage } | { ok: false; failure: SendFailure }> {
  if (!isRealEmail(message)) return { ok: true, outbound: base };
  const fromEmail = base.from.email;
  if (!fromEmail)
    return { ok: false, failure: { kind: 'rejected', message: 'the sending account has no email address' } };

  const built = await deps.db.tenant(message.workspaceId, async (sql) => {
    const { rows } = await sql.query<Context>(
      `SELECT w.postal_address AS "postalAddress", s.settings,
              coalesce((SELECT json_agg(json_build_object('rfcMessageId', m.rfc_message_id, 'subject', m.subject,
                          'providerThreadId', m.provider_thread_id) ORDER BY m.step)
                          FROM messages m
                         WHERE m.enrollment_id = $2 AND m.channel = 'email' AND m.step < $3
                           AND m.sender_id IS NOT DISTINCT FROM $4 AND m.rfc_message_id IS NOT NULL
                           AND m.status IN ('sent', 'delivered')), '[]') AS earlier
         FROM workspaces w, sequences s WHERE w.id = $1 AND s.id = $5`,
      [message.workspaceId, message.enrollmentId, message.step, message.senderId, message.sequenceId],
    );
    const context = rows[0];
    if (!context?.postalAddress?.trim()) return undefined;
    const root = context.earlier[0];
    const last = context.earlier[context.earlier.length - 1];
    const firstTouch = !last;
    const plainTextOnly = firstTouch && context.settings.plainTextFirstTouch === true;
    const email = buildEmail({
      messageId: message.id,
      fromEmail,
      subject: base.subject ?? '',
      text: base.text,
      postalAddress: context.postalAddress,
      links: {
        publicBaseUrl: deps.email.publicUrl,
        trackingBaseUrl: deps.email.trackingBaseUrl,
        secret: deps.email.trackingSecret,
      },
      tracking: context.settings.tracking !== false && !plainTextOnly,
      plainTextOnly,
      ...(root && last
        ? {
            thread: {
              messageIdHeader: last.rfcMessageId,
              subject: root.subject ?? base.subject ?? '',
              references: context.earlier.slice(0, -1).map((m) => m.rfcMessageId),
            },
          }
        : {}),
    });
    const threadId = [...context.earlier].reverse().find((m) => m.providerThreadId)?.providerThreadId ?? undefined;
    await sql.query(`UPDATE messages SET rfc_message_id = $2, subject = $3 WHERE id = $1`, [
      message.id,
      email.messageIdHeader,
      email.subject,
    ]);
    return { email, threadId };
  });
  if (!built) return { ok: false, failure: { kind: 'temporary', message: NO_POSTAL_ADDRESS, retryAfterSeconds: 3600 } };
  const { email, threadId } = built;
  return {
    ok: true,
    outbound: {
      ...base,
      subject: email.subject,
      text: email.text,
      ...(email.html !== undefined ? { html: email.html } : {}),
      headers: email.headers,
      ...(threadId ? { providerThreadId: threadId } : {}),
    },
  };
}
