// SMTP: any mailbox (Google Workspace or Microsoft 365 with an app password, a hosting provider,
// your own server), optionally DKIM-signed with the domain's key. Pooled connections per
// credentials; replies mapped to SendFailure in errors.ts.
//
// Lookup is unsupported: SMTP cannot say whether a message went out, so after a crash the engine
// marks the send `unknown`. Searching the account's Sent folder over IMAP for our Message-ID is the
// later improvement (docs/email.md).
import { z } from 'zod';
import validator from 'validator';
import { mailOptions } from '../email/mime.ts';
import { fail, ok, type ChannelAdapter, type SendResult } from '../types.ts';
import { classifySmtpError } from './errors.ts';
import { transportFor } from './transports.ts';

export const DkimKey = z.strictObject({
  domainName: z.string().min(1).max(253),
  keySelector: z.string().min(1).max(63),
  privateKey: z.string().min(1).max(10_000),
});

export const SmtpCredentials = z.strictObject({
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  /** Implicit TLS (port 465). Otherwise STARTTLS is required unless requireTls is false. */
  secure: z.boolean(),
  user: z.string().min(1).max(320),
  pass: z.string().min(1).max(1000),
  requireTls: z.boolean().optional(),
  /** Accept a self-signed server certificate (your own server, tests). */
  allowSelfSigned: z.boolean().optional(),
  dkim: DkimKey.optional(),
});
export type SmtpCredentials = z.infer<typeof SmtpCredentials>;

export const smtpAdapter: ChannelAdapter<SmtpCredentials> = {
  provider: 'smtp',
  channels: ['email'],
  credentials: SmtpCredentials,
  idempotent: false,
  async send(message, credentials, context): Promise<SendResult> {
    const to = message.to.email;
    if (!to || !validator.isEmail(to)) return fail({ kind: 'invalid_recipient', message: 'Invalid email address' });
    if (!message.from.email) return fail({ kind: 'rejected', message: 'the sender has no email address' });
    if (context.signal?.aborted) return fail({ kind: 'provider_down', message: 'send aborted before it started' });
    const options = mailOptions(message, message.from, message.to);
    // The envelope carries exactly one recipient: a per-recipient SMTP reply is this message's fate.
    options.envelope = { from: message.from.email, to: [to] };
    if (context.signal) options.signal = context.signal;
    try {
      const info = await transportFor(credentials).sendMail(options);
      const rejected = (info.rejected ?? []).length > 0;
      if (rejected) {
        const detail = info.rejectedErrors?.[0];
        return fail(
          classifySmtpError(detail ?? { responseCode: 550, response: `recipient ${to} rejected` }, credentials.user),
        );
      }
      return ok({ providerMessageId: info.messageId || String(options.messageId ?? message.id) });
    } catch (error) {
      return fail(classifySmtpError(error, credentials.user));
    }
  },
  lookup: async () => ({ unsupported: true }),
};
