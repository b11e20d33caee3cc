// Delivery status notifications (RFC 3464) read as data: the per-recipient fields of a
// message/delivery-status part, and the Message-ID of the original message the report returns.
// Status 5.x.x is a hard bounce, 4.x.x (or Action: delayed) a soft one. For the many servers that
// send prose bounces without a report, `bounceFromProse` reads the same facts from the text.

export type BounceInfo = {
  type: 'hard' | 'soft';
  recipient?: string;
  /** RFC 3463 status, "5.1.1". */
  status?: string;
  action?: string;
  diagnostic?: string;
  /** Message-ID header of the message that bounced, `<id@domain>`. */
  originalMessageId?: string;
};

/** Header-style fields ("Name: value", continuation lines folded) of one block of a report. */
export function parseFieldBlock(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && last) {
      fields.set(last, `${fields.get(last) ?? ''} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(last)) fields.set(last, line.slice(colon + 1).trim());
  }
  return fields;
}

/** The first failed (or else delayed) recipient of a message/delivery-status body. */
export function parseDeliveryStatus(content: string): Omit<BounceInfo, 'originalMessageId'> | undefined {
  // The first block is per-message (Reporting-MTA); each later block is one recipient.
  const blocks = content
    .split(/\r?\n[ \t]*\r?\n/)
    .map(parseFieldBlock)
    .filter((fields) => fields.size > 0);
  const recipients = blocks.filter(
    (fields) => fields.has('final-recipient') || fields.has('original-recipient') || fields.has('action'),
  );
  const chosen =
    recipients.find((fields) => fields.get('action')?.toLowerCase() === 'failed') ??
    recipients.find((fields) => fields.get('action')?.toLowerCase() === 'delayed') ??
    recipients[0];
  if (!chosen) return undefined;
  const status = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(chosen.get('status') ?? '')?.[1];
  const action = chosen.get('action')?.toLowerCase();
  if (action === 'delivered' || action === 'relayed' || action === 'expanded') return undefined;
  const type = status?.startsWith('5.') || (status === undefined && action === 'failed') ? 'hard' : 'soft';
  const info: Omit<BounceInfo, 'originalMessageId'> = { type };
  const recipient = stripAddressType(chosen.get('final-recipient') ?? chosen.get('original-recipient'));
  if (recipient) info.recipient = recipient;
  if (status) info.status = status;
  if (action) info.action = action;
  const diagnostic = chosen.get('diagnostic-code')?.replace(/^smtp;\s*/i, '');
  if (diagnostic) info.diagnostic = diagnostic;
  return info;
}

/** Message-ID of the returned original (message/rfc822 or text/rfc822-headers part). */
export function originalMessageId(headersOrMessage: string): string | undefined {
  const head = headersOrMessage.split(/\r?\n\r?\n/)[0] ?? '';
  const value = parseFieldBlock(head).get('message-id');
  return value ? /<[^<>\s]+>/.exec(value)?.[0] : undefined;
}

const PROSE_SENDERS = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@/i;
const PROSE_SUBJECTS =
  /(undeliver|undelivered mail|delivery status notification|delivery failure|failure notice|returned mail|mail delivery failed|could not be delivered|delivery has failed)/i;

/** A bounce sent as prose (no multipart/report), recognized by its sender or subject. */
export function bounceFromProse(input: { from?: string; subject: string; text: string }): BounceInfo | undefined {
  const bySender = input.from !== undefined && PROSE_SENDERS.test(input.from);
  if (!bySender && !PROSE_SUBJECTS.test(input.subject)) return undefined;
  const status = /\b([45]\.\d{1,3}\.\d{1,3})\b/.exec(input.text)?.[1];
  const code = /\b([45])\d\d[ -]/.exec(input.text)?.[1];
  if (!bySender && !status && !code) return undefined;
  const temporary =
    status?.startsWith('4.') || (!status && code === '4') || /delay|will (retry|keep trying)/i.test(input.subject);
  const info: BounceInfo = { type: temporary ? 'soft' : 'hard' };
  if (status) info.status = status;
  const recipient =
    /<([^<>\s@]+@[^<>\s]+)>/.exec(input.text)?.[1] ?? /\b([^\s<>:@]+@[a-z0-9.-]+\.[a-z]{2,})\b/i.exec(input.text)?.[1];
  if (recipient) info.recipient = recipient;
  const line = input.text.split(/\r?\n/).find((l) => /\b[45]\d\d\b/.test(l) && /[45]\.\d/.test(l));
  if (line) info.diagnostic = line.trim().slice(0, 300);
  const original = /^message-id:\s*(<[^<>\s]+>)/im.exec(input.text)?.[1];
  if (original) info.originalMessageId = original;
  return info;
}

function stripAddressType(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return (
    value
      .replace(/^[a-z0-9-]+;\s*/i, '')
      .replace(/^<|>$/g, '')
      .trim() || undefined
  );
}
