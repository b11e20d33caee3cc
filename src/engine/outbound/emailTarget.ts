// An email notification to the hand-off's assignee (or the target's fallback address), sent
// through the workspace's own email account (any email provider's adapter: SMTP, Gmail, Resend …)
// or through an SMTP account configured on the target itself. The delivery's id is the message's
// id: Resend's idempotency key, and the Message-ID every attempt carries, so a repeat after a lost
// answer is the same message to the mail store.
import type { AdapterRegistry } from '../../channels/registry.ts';
import { failureAction, type OutboundMessage, type SendResult } from '../../channels/types.ts';
import type { AttemptResult } from '../../core/outboundRetry.ts';
import { getSenderRow, updateSender } from '../../db/senders.ts';
import { openCredentials, resealCredentials } from '../accounts/credentials.ts';
import { OUTBOUND_TIMEOUT_MS } from './http.ts';
import { notificationText } from './notificationText.ts';
import type { DeliveryContext, TargetSender } from './targets.ts';

/** A target's non-secret settings (the sealed secret holds a configured SMTP account). */
export type EmailTargetSettings = { senderId?: string; fromEmail?: string; fromName?: string; to?: string };

type Account = {
  send: (message: OutboundMessage) => Promise<SendResult>;
  from: { email: string; name?: string };
  /** Stores credentials the provider renewed (an OAuth refresh). */
  renewed?: (credentials: unknown) => Promise<void>;
};

const recipientOf = (data: Record<string, unknown>, fallback: string | undefined): string | undefined => {
  const handoff = data.handoff as { assignee?: { email?: unknown } | null } | undefined;
  const email = handoff?.assignee?.email;
  return typeof email === 'string' && email !== '' ? email : fallback;
};

async function accountOf(
  deps: { adapters: AdapterRegistry; encryptionKey: Buffer },
  context: DeliveryContext,
): Promise<Account | string> {
  const settings = context.target.settings as EmailTargetSettings;
  const signal = AbortSignal.timeout(OUTBOUND_TIMEOUT_MS);
  if (!settings.senderId) {
    if (!settings.fromEmail || typeof context.secret.smtp !== 'object') return 'the target has no email account';
    const smtp = context.secret.smtp;
    return {
      from: { email: settings.fromEmail, ...(settings.fromName ? { name: settings.fromName } : {}) },
      send: (message) => deps.adapters.smtp.send(message, smtp, { signal }),
    };
  }
  const senderId = settings.senderId;
  const sender = await context.tenant((sql) => getSenderRow(sql, senderId));
  if (!sender?.fromEmail) return 'the sending account is gone';
  const adapter = deps.adapters[sender.provider];
  const credentials = openCredentials(deps.encryptionKey, sender.credentials);
  return {
    from: { email: sender.fromEmail, ...(sender.fromName ? { name: sender.fromName } : {}) },
    send: (message) => adapter.send(message, credentials, { signal, now: context.now }),
    renewed: (renewed) =>
      context.tenant(async (sql) => {
        await updateSender(sql, senderId, { credentials: resealCredentials(deps.encryptionKey, renewed) });
      }),
  };
}

/** A send's result as an attempt's: retryable failures are retried, the rest end the delivery. */
function attemptOf(result: SendResult): AttemptResult {
  if (result.ok) return { kind: 'delivered' };
  const action = failureAction(result.failure);
  // The provider already used this delivery's idempotency key: the notification went out.
  if (action === 'unknown') return { kind: 'delivered' };
  const retryAfter = 'retryAfterSeconds' in result.failure ? result.failure.retryAfterSeconds : undefined;
  return {
    kind: 'failed',
    error: `${result.failure.kind}: ${result.failure.message}`,
    ...(action === 'retry' ? {} : { permanent: true }),
    ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter * 1000 }),
  };
}

export function createEmailSender(deps: { adapters: AdapterRegistry; encryptionKey: Buffer }): TargetSender {
  return async (context) => {
    const settings = context.target.settings as EmailTargetSettings;
    const to = recipientOf(context.event.data, settings.to);
    if (!to)
      return { kind: 'failed', error: 'the hand-off has no assignee and the target no address', permanent: true };
    const account = await accountOf(deps, context);
    if (typeof account === 'string') return { kind: 'failed', error: account, permanent: true };
    const text = notificationText(context.event.type, context.event.data);
    const domain = account.from.email.split('@')[1] ?? 'quotahit.invalid';
    const result = await account.send({
      id: context.delivery.id,
      channel: 'email',
      purpose: 'notification',
      to: { email: to },
      from: account.from,
      subject: text.title,
      text: [...text.lines, '', ...(text.url ? [`Open the contact: ${text.url}`] : [])].join('\n'),
      headers: {
        'Message-ID': `<notify.${context.delivery.id}@${domain}>`,
        // RFC 3834: an automatic message; vacation responders stay quiet.
        'Auto-Submitted': 'auto-generated',
      },
    });
    if (result.ok && result.value.refreshedCredentials && account.renewed)
      await account.renewed(result.value.refreshedCredentials);
    return attemptOf(result);
  };
}
