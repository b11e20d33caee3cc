// Gmail API accounts (OAuth): the finished RFC 822 message goes through users.messages.send, a
// follow-up with the earlier message's threadId. Tokens are refreshed when expired or refused; the
// new ones come back in SendSuccess.refreshedCredentials for the engine to store encrypted.
// Lookup searches the mailbox for our own Message-ID (rfc822msgid:), so a send interrupted by a
// crash is reconciled instead of guessed. Finding it proves the send; not finding it proves nothing
// (Google does not document that it keeps a Message-ID set by the client, a send-as alias may sign
// with another domain, and search is not read-after-write), so a miss is "cannot tell" and the
// engine marks the message unknown instead of sending it again. After a send the Message-ID Gmail
// stored is read back (Gmail may replace a client-set one) and kept for threading and bounces; a
// threadId Gmail refuses (deleted or stale: "Invalid thread_id value") is sent once more as a new
// thread.
import validator from 'validator';
import { z } from 'zod';
import { messageIdHeaderFor } from '../email/buildEmail.ts';
import { toMime } from '../email/mime.ts';
import { prepareEmail } from '../email/prepare.ts';
import {
  fail,
  ok,
  type AdapterContext,
  type ChannelAdapter,
  type LookupResult,
  type OutboundMessage,
  type SendResult,
} from '../types.ts';
import { findByMessageIdHeader, getMessageIdHeader, gmailCall, isInvalidThread } from './api.ts';
import { checkGmailConnection } from './connection.ts';
import { GmailCredentials } from './credentials.ts';
import { googleOAuth } from './oauth.ts';
import { pollGmail } from './poll.ts';
import { gmailSettings, type GmailSettings } from './settings.ts';

const Sent = z.object({ id: z.string().min(1), threadId: z.string().min(1), labelIds: z.array(z.string()).optional() });

export const gmailAdapter: ChannelAdapter<GmailCredentials, GmailSettings, 'gmail'> = {
  provider: 'gmail',
  label: 'Gmail',
  senderDns: { spfIncludes: ['include:_spf.google.com'], dkimSelectors: ['google'] },
  channels: ['email'],
  credentials: GmailCredentials,
  credentialParts: ['scopes'],
  idempotent: false,
  screens: ['recipient', 'content', 'health'],
  settings: gmailSettings,
  // Gmail sends as the connected account (or one of its verified send-as aliases).
  prepare: (message, conversation, context) =>
    prepareEmail(
      { ...message, from: { ...message.from, email: message.from.email ?? context.credentials.emailAddress } },
      conversation,
      context,
    ),
  async send(message, credentials, context): Promise<SendResult> {
    const to = message.to.email;
    if (!to || !validator.isEmail(to)) return fail({ kind: 'invalid_recipient', message: 'Invalid email address' });
    const from = { ...message.from, email: message.from.email ?? credentials.emailAddress };
    const raw = (await toMime(message, from, message.to)).toString('base64url');
    const options = { signal: context.signal, ...(context.now ? { now: context.now } : {}) };
    const post = (body: { raw: string; threadId?: string }, creds: GmailCredentials) =>
      gmailCall(creds, { method: 'POST', path: '/messages/send', body }, Sent, options);
    let result = await post(
      message.providerThreadId ? { raw, threadId: message.providerThreadId } : { raw },
      credentials,
    );
    // A thread Gmail no longer knows: the follow-up starts a new one (its headers still thread it for the reader).
    if (!result.ok && message.providerThreadId && isInvalidThread(result.failure))
      result = await post({ raw }, credentials);
    if (!result.ok) return fail(result.failure);
    const current = result.refreshedCredentials ?? credentials;
    const stored = await storedMessageId(message, current, result.value.id, context);
    const refreshed = stored.refreshedCredentials ?? result.refreshedCredentials;
    return ok({
      providerMessageId: result.value.id,
      providerThreadId: result.value.threadId,
      ...(stored.replaced ? { rfcMessageId: stored.replaced } : {}),
      ...(refreshed ? { refreshedCredentials: refreshed } : {}),
    });
  },
  async lookup(messageId, credentials, context): Promise<LookupResult> {
    const header = messageIdHeaderFor(messageId, credentials.emailAddress);
    const result = await findByMessageIdHeader(credentials, header, { signal: context.signal });
    // Without an answer, or without a match, we cannot tell: the engine marks the message unknown
    // rather than risk sending it twice.
    if (!result.ok) return { unsupported: true };
    const found = result.value.messages?.[0];
    if (!found) return { unsupported: true };
    return { found: true, value: { providerMessageId: found.id, providerThreadId: found.threadId } };
  },
  poll: { pollable: () => true, poll: pollGmail },
  checkConnection: (credentials, context) => checkGmailConnection(credentials, context),
  oauth: googleOAuth,
};

/** The Message-ID Gmail stored for a sent message, when it is not the one we set (unreadable: ours stands). */
async function storedMessageId(
  message: OutboundMessage,
  credentials: GmailCredentials,
  gmailId: string,
  context: AdapterContext,
): Promise<{ replaced?: string; refreshedCredentials?: GmailCredentials }> {
  const read = await getMessageIdHeader(credentials, gmailId, {
    signal: context.signal,
    ...(context.now ? { now: context.now } : {}),
  });
  if (!read.ok || !read.value) return {};
  const ours = Object.entries(message.headers ?? {}).find(([name]) => name.toLowerCase() === 'message-id')?.[1];
  const refreshed = read.refreshedCredentials ? { refreshedCredentials: read.refreshedCredentials } : {};
  return read.value === ours?.trim() ? refreshed : { replaced: read.value, ...refreshed };
}
