// The email a sequence step sends, built from the writer's plain text: an HTML alternative derived
// from it, our own Message-ID, thread headers on follow-ups, RFC 8058 one-click unsubscribe
// headers, a CAN-SPAM footer (postal address + unsubscribe link) and, when tracking is on, an open
// pixel and signed click redirects. Pure: same input, same output.
import { signToken } from '../../core/tracking.ts';

export type BuildEmailInput = {
  /** Our message id (OutboundMessage.id): the local part of the Message-ID and the token subject. */
  messageId: string;
  fromEmail: string;
  subject: string;
  /** The body as written, without footer. Blank lines separate paragraphs. */
  text: string;
  /** The workspace's postal address (CAN-SPAM). */
  postalAddress: string;
  links: {
    /** Base of the unsubscribe page (`PUBLIC_URL`). */
    publicBaseUrl: string;
    /** Base of open/click links (a custom tracking domain); defaults to publicBaseUrl. */
    trackingBaseUrl?: string;
    /** HMAC secret of the tracking tokens. */
    secret: string;
  };
  /** Mailbox that receives mailto unsubscribes; defaults to the sender. */
  unsubscribeMailto?: string;
  /** Open pixel and click rewriting in the HTML part. */
  tracking: boolean;
  /** When the message is made: click links carry it and expire QUOTAHIT_CLICK_TTL_DAYS later. */
  issuedAt?: Date;
  /** Send only a text/plain part (and therefore nothing tracked): a quieter first touch. */
  plainTextOnly?: boolean;
  /** The earlier message of this sequence when this one is a follow-up in its thread. */
  thread?: { messageIdHeader: string; subject: string; references?: readonly string[] };
};

export type BuiltEmail = {
  subject: string;
  text: string;
  html?: string;
  /** Message-ID, In-Reply-To, References, List-Unsubscribe, List-Unsubscribe-Post. */
  headers: Record<string, string>;
  /** The Message-ID header value, `<id@domain>`: store it to thread follow-ups and match replies. */
  messageIdHeader: string;
};

export function buildEmail(input: BuildEmailInput): BuiltEmail {
  const messageIdHeader = messageIdHeaderFor(input.messageId, input.fromEmail);
  const unsubscribe = unsubscribeUrl(input.links.publicBaseUrl, input.links.secret, input.messageId);
  const mailto = `mailto:${input.unsubscribeMailto ?? input.fromEmail}?subject=unsubscribe`;
  const headers: Record<string, string> = {
    'Message-ID': messageIdHeader,
    'List-Unsubscribe': `<${unsubscribe}>, <${mailto}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
  let subject = input.subject;
  if (input.thread) {
    const references = [...(input.thread.references ?? []), input.thread.messageIdHeader];
    headers['In-Reply-To'] = input.thread.messageIdHeader;
    headers['References'] = [...new Set(references)].join(' ');
    subject = replySubject(input.thread.subject);
  }
  const body = input.text.replace(/\r\n?/g, '\n').trim();
  const text = `${body}\n\n-- \n${input.postalAddress}\nUnsubscribe: ${unsubscribe}\n`;
  if (input.plainTextOnly) return { subject, text, headers, messageIdHeader };

  const trackingBase = trimSlash(input.links.trackingBaseUrl ?? input.links.publicBaseUrl);
  const issuedAt = input.issuedAt ? { issuedAt: Math.floor(input.issuedAt.getTime() / 1000) } : {};
  const href = (url: string): string =>
    input.tracking
      ? `${trackingBase}/t/c/${signToken(input.links.secret, { kind: 'click', messageId: input.messageId, url, ...issuedAt })}`
      : url;
  const paragraphs = body
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${linkify(paragraph, href).replace(/\n/g, '<br>\n')}</p>`);
  const footer =
    `<p style="font-size:12px;color:#777777">${escapeHtml(input.postalAddress).replace(/\n/g, '<br>')}<br>` +
    `<a href="${escapeHtml(unsubscribe)}">Unsubscribe</a></p>`;
  const pixel = input.tracking
    ? `<img src="${trackingBase}/t/o/${signToken(input.links.secret, { kind: 'open', messageId: input.messageId })}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`
    : '';
  const html =
    '<!doctype html><html><head><meta charset="utf-8"></head><body>\n' +
    `${paragraphs.join('\n')}\n${footer}\n${pixel}</body></html>\n`;
  return { subject, text, html, headers, messageIdHeader };
}

/** `<id@domain-of-sender>`: deterministic, so a crashed send can be looked up in the mailbox. */
export function messageIdHeaderFor(messageId: string, fromEmail: string): string {
  const domain = fromEmail.slice(fromEmail.lastIndexOf('@') + 1).toLowerCase() || 'localhost';
  return `<${messageId}@${domain}>`;
}

export function unsubscribeUrl(publicBaseUrl: string, secret: string, messageId: string): string {
  return `${trimSlash(publicBaseUrl)}/u/${signToken(secret, { kind: 'unsubscribe', messageId })}`;
}

/** `Re: <original>` once, whatever prefixes the original already carries. */
export function replySubject(original: string): string {
  const bare = original.replace(/^\s*((re|fwd?|aw|sv)\s*:\s*)+/i, '').trim();
  return `Re: ${bare}`;
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;

function linkify(paragraph: string, href: (url: string) => string): string {
  let out = '';
  let last = 0;
  for (const match of paragraph.matchAll(URL_PATTERN)) {
    const start = match.index;
    // Sentence punctuation after a URL belongs to the sentence.
    const url = match[0].replace(/[.,;:!?)\]]+$/, '');
    out += escapeHtml(paragraph.slice(last, start));
    out += `<a href="${escapeHtml(href(url))}">${escapeHtml(url)}</a>`;
    last = start + url.length;
  }
  return out + escapeHtml(paragraph.slice(last));
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
