// Checks every outgoing message, model-written or composed: channel length, unresolved variables,
// spam score (email), empty subject, and no invented facts. Returns data; the engine decides
// (regenerate once, then block with the failures on the timeline).
import { hasUnresolved } from '../core/personalize.ts';
import { scoreContent } from '../core/spamCheck.ts';
import { smsSegments } from '../core/smsSegments.ts';
import { buildKnownFacts, findInventedFacts } from '../core/factCheck.ts';
import { placeholderIdentity } from './placeholderIdentity.ts';
import type {
  GuardrailFailure,
  GuardrailReport,
  WriterChannel,
  WriterContact,
  WriterSender,
  WriterWorkspace,
} from './types.ts';

export const LIMITS = {
  linkedinNote: 300,
  linkedinNoteFree: 200,
  linkedinDm: 8000,
  whatsapp: 1024,
  smsMaxSegments: 3,
  emailBody: 5000,
  emailSubject: 120,
} as const;

export type CheckMessageInput = {
  channel: WriterChannel;
  /** "connection_request" on LinkedIn means a connection note (300/200 limit); anything else is a DM. */
  purpose?: string;
  subject?: string;
  body: string;
  contact: WriterContact;
  workspace: WriterWorkspace;
  sender: WriterSender;
  /** Overrides sender.linkedinFree when given. */
  linkedinFree?: boolean;
};

/** True when a LinkedIn message of this purpose is a connection note rather than a DM. */
export function isConnectionNote(channel: WriterChannel, purpose: string | undefined): boolean {
  return channel === 'linkedin' && purpose === 'connection_request';
}

export function maxLengthFor(
  channel: WriterChannel,
  purpose: string | undefined,
  linkedinFree: boolean,
): number | undefined {
  switch (channel) {
    case 'linkedin':
      if (isConnectionNote(channel, purpose)) return linkedinFree ? LIMITS.linkedinNoteFree : LIMITS.linkedinNote;
      return LIMITS.linkedinDm;
    case 'whatsapp':
      return LIMITS.whatsapp;
    case 'email':
      return LIMITS.emailBody;
    case 'sms':
    case 'call':
      return undefined;
  }
}

function checkLength(input: CheckMessageInput, failures: GuardrailFailure[]): void {
  const free = input.linkedinFree ?? input.sender.linkedinFree ?? false;
  const length = [...input.body].length;
  if (input.channel === 'sms') {
    const info = smsSegments(input.body);
    if (info.segments > LIMITS.smsMaxSegments) {
      failures.push({
        rule: 'length',
        message: `SMS needs ${info.segments} segments (${info.encoding}, ${info.units} units); the limit is ${LIMITS.smsMaxSegments}`,
      });
    }
    return;
  }
  const max = maxLengthFor(input.channel, input.purpose, free);
  if (max !== undefined && length > max) {
    const what = isConnectionNote(input.channel, input.purpose) ? 'LinkedIn connection note' : `${input.channel} body`;
    failures.push({ rule: 'length', message: `${what} is ${length} characters; the limit is ${max}` });
  }
}

export function checkMessage(input: CheckMessageInput): GuardrailReport {
  const failures: GuardrailFailure[] = [];
  const subject = input.channel === 'email' ? (input.subject ?? '') : '';
  if (input.body.trim().length === 0) failures.push({ rule: 'empty', message: 'the message body is empty' });
  checkLength(input, failures);

  if (input.channel === 'email') {
    if (subject.trim().length === 0) failures.push({ rule: 'subject', message: 'email subject is empty' });
    else if (subject.length > LIMITS.emailSubject) {
      failures.push({
        rule: 'subject',
        message: `email subject is ${subject.length} characters; the limit is ${LIMITS.emailSubject}`,
      });
    }
  }

  for (const [part, text] of [
    ['subject', subject],
    ['body', input.body],
  ] as const) {
    if (hasUnresolved(text) || /[{}]/.test(text)) {
      failures.push({ rule: 'unresolved', message: `the ${part} still contains template braces ({{…}} or {a|b})` });
    }
  }

  const spam = input.channel === 'email' ? scoreContent({ subject, text: input.body }) : null;
  if (spam !== null && !spam.passed) {
    const top = spam.reasons
      .map((reason) => reason.detail)
      .slice(0, 3)
      .join('; ');
    failures.push({ rule: 'spam', message: `spam score ${spam.score} is not under ${spam.threshold}: ${top}` });
  }

  for (const found of placeholderIdentity(`${subject}\n${input.body}`, input.workspace))
    failures.push({
      rule: 'placeholder',
      token: found,
      message: `"${found}" is a placeholder identity: name the company and sign as a person`,
    });

  // The contact id is bookkeeping, not a fact a message may quote.
  const contactFacts = Object.entries(input.contact).filter(([key]) => key !== 'id');
  const known = buildKnownFacts(
    contactFacts.map(([, value]) => value),
    [input.workspace, input.sender.fromName, input.sender.fromEmail],
  );
  for (const invented of findInventedFacts(`${subject}\n${input.body}`, known)) {
    failures.push({
      rule: 'invented_fact',
      token: invented.token,
      message: `"${invented.token}" (${invented.kind}) does not appear in the contact, enrichment, workspace or sender`,
    });
  }
  return { passed: failures.length === 0, failures, spam };
}
