// Turning an outbound email into nodemailer options and into raw RFC 822 bytes (for the Gmail API,
// which takes the finished message). Thread and identity headers become nodemailer's own fields so
// they are written once; the rest pass through as given.
import nodemailer, { type DKIMOptions, type SendMailOptions } from 'nodemailer';
import type { Address, OutboundMessage } from '../types.ts';

export type EmailContent = Pick<OutboundMessage, 'subject' | 'text' | 'html' | 'headers'>;
export type DkimKey = { domainName: string; keySelector: string; privateKey: string };

// Header names nodemailer manages itself; given in `headers` they are mapped, never duplicated.
const MANAGED = new Set(['message-id', 'in-reply-to', 'references', 'subject', 'from', 'to', 'date']);

export function mailOptions(content: EmailContent, from: Address, to: Address): SendMailOptions {
  const headers = content.headers ?? {};
  const find = (name: string): string | undefined =>
    Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  const extra: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) if (!MANAGED.has(key.toLowerCase())) extra[key] = value;
  const options: SendMailOptions = {
    from: mailbox(from),
    to: mailbox(to),
    subject: content.subject ?? '',
    text: content.text,
    headers: extra,
  };
  if (content.html !== undefined) options.html = content.html;
  const messageId = find('message-id');
  if (messageId) options.messageId = messageId;
  const inReplyTo = find('in-reply-to');
  if (inReplyTo) options.inReplyTo = inReplyTo;
  const references = find('references');
  if (references) options.references = references.split(/\s+/).filter(Boolean);
  return options;
}

/** The finished message as bytes (CRLF line ends), DKIM-signed when a key is given. */
export async function toMime(
  content: EmailContent,
  from: Address,
  to: Address,
  options: { dkim?: DkimKey } = {},
): Promise<Buffer> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const mail = mailOptions(content, from, to);
  if (options.dkim) mail.dkim = dkimOptions(options.dkim);
  const info = await transport.sendMail(mail);
  const message: unknown = info.message;
  if (!Buffer.isBuffer(message)) throw new Error('nodemailer stream transport did not return a buffer');
  return message;
}

export function dkimOptions(key: DkimKey): DKIMOptions {
  return { domainName: key.domainName, keySelector: key.keySelector, privateKey: key.privateKey };
}

function mailbox(address: Address): string | { name: string; address: string } {
  const email = address.email;
  if (!email) throw new Error('an email address is required on both ends of an email');
  return address.name ? { name: address.name, address: email } : email;
}
