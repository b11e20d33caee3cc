// SMTP: any mailbox (Google Workspace or Microsoft 365 with an app password, a hosting provider,
// your own server or an IP-authenticated relay), optionally DKIM-signed with the domain's key.
// Pooled connections per credentials; replies mapped to SendFailure in errors.ts. Replies and
// bounces are read from the account's IMAP mailbox when one is configured (poll.ts).
//
// Lookup: SMTP cannot say whether a message went out, so after a crash the account's Sent folder
// is searched over IMAP for our Message-ID when a mailbox is configured (sentFolder.ts). Whatever
// it cannot settle, the engine marks `unknown` rather than risk sending it twice.
import validator from 'validator';
import { mailOptions } from '../email/mime.ts';
import { prepareEmail } from '../email/prepare.ts';
import { fail, ok, type ChannelAdapter, type ConnectionCheck, type LookupResult, type SendResult } from '../types.ts';
import { SmtpCredentials } from './credentials.ts';
import { classifySmtpError } from './errors.ts';
import { checkImapLogin } from './imap.ts';
import { pollMailbox } from './poll.ts';
import { searchSentFolder } from './sentFolder.ts';
import { transportFor } from './transports.ts';

export const smtpAdapter: ChannelAdapter<SmtpCredentials, undefined, 'smtp'> = {
  provider: 'smtp',
  label: 'SMTP',
  channels: ['email'],
  credentials: SmtpCredentials,
  credentialParts: ['imap'],
  // Before `credentials`, requests named the server part `smtp` and the mailbox `imap`.
  credentialAliases: { smtp: '.', imap: 'imap' },
  idempotent: false,
  screens: ['recipient', 'content', 'health'],
  prepare: (message, conversation, context) => prepareEmail(message, conversation, context),
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
  async lookup(_messageId, credentials, context): Promise<LookupResult> {
    if (!credentials.imap) return { unsupported: true, reason: 'no IMAP mailbox is configured to look in' };
    const ours = context.rfcMessageId;
    if (!ours) return { unsupported: true, reason: 'no Message-ID was stored before the send' };
    const earlier = context.sentEarlier ?? [];
    const search = await searchSentFolder(credentials.imap, [ours, ...earlier], {
      ...(context.signal ? { signal: context.signal } : {}),
    });
    if (!search.ok)
      return { unsupported: true, reason: `the Sent folder could not be read: ${search.failure.message}` };
    const { folder, found } = search.value;
    if (found.has(ours)) return { found: true, value: { providerMessageId: ours } };
    if (earlier.some((id) => found.has(id))) return { found: false };
    return {
      unsupported: true,
      reason: `our Message-ID is not in ${folder}, and no earlier message of this account is: the server may not file what it sends there`,
    };
  },
  poll: { pollable: (credentials) => credentials.imap !== undefined, poll: pollMailbox },
  async checkConnection(credentials): Promise<ConnectionCheck[]> {
    const checks: ConnectionCheck[] = [];
    try {
      await transportFor(credentials).verify();
      checks.push({
        name: 'smtp',
        verdict: 'ok',
        detail: `${credentials.host}:${credentials.port} accepts ${credentials.user ? `the login of ${credentials.user}` : 'us as a relay'}`,
      });
    } catch (error) {
      const failure = classifySmtpError(error, credentials.user);
      checks.push({
        name: 'smtp',
        verdict: 'failed',
        detail: failure.message,
        fix:
          failure.kind === 'auth_expired'
            ? 'check the user and password (an app password where the provider requires one)'
            : `check that ${credentials.host}:${credentials.port} is the submission server and reachable from here`,
      });
    }
    if (credentials.imap) checks.push(await checkImapLogin(credentials.imap));
    else
      checks.push({
        name: 'imap',
        verdict: 'warning',
        detail: 'no IMAP mailbox is configured: replies and bounces to this account are not read',
        fix: 'add "imap" to the credentials so replies stop the sequence',
      });
    return checks;
  },
};
