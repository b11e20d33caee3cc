// Offline composer: writes a message for any channel and purpose from the contact's own data,
// with no model. Deterministic for a seed; every draft goes through the guardrails and must not
// repeat a line an earlier message used; a draft that fails is rewritten with other phrasings,
// then with fewer facts, before giving up.
import { resolvePath } from '../core/personalize.ts';
import { checkMessage, isConnectionNote, LIMITS } from './guardrails.ts';
import { createContext, shapeFacts, type ComposeFacts } from './composerContext.ts';
import { bodyParagraphs, fitParagraphs } from './composerBody.ts';
import { composeSubject } from './composerEmail.ts';
import { composeConnectionNote, composeSms, composeWhatsApp } from './composerShort.ts';
import { composeCallScript } from './composerCall.ts';
import { repeatedLines } from './repeatedLines.ts';
import type { WriterContact, WriterInput, WrittenMessage } from './types.ts';

const PHRASING_ATTEMPTS = 4;

function normalize(text: string): string {
  return ` ${text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
}

/**
 * Keeps the recorded fact paths whose value really is in the final text, in any of the forms the
 * composer writes it ("manual route planning" is present as "planning routes by hand"). A surname
 * that only appears inside the company name is not a use of the surname.
 */
function factsPresent(contact: WriterContact, facts: ComposeFacts, recorded: Set<string>, text: string): string[] {
  const source: Record<string, unknown> = { ...contact };
  const company = typeof contact.company === 'string' ? contact.company : '';
  const haystack = normalize(text);
  const withoutCompany = company.length > 0 ? haystack.split(normalize(company).trim()).join(' ') : haystack;
  const forms = new Map<string, string[]>();
  for (const angle of facts.angles) for (const key of angle.keys) forms.set(key, angle.forms);
  const present = (path: string): boolean => {
    const value = resolvePath(source, path);
    const candidates = [...(forms.get(path) ?? []), ...(value === undefined ? [] : [value])];
    const where = path === 'lastName' || path === 'firstName' ? withoutCompany : haystack;
    return candidates.some((form) => normalize(form).trim().length > 0 && where.includes(normalize(form)));
  };
  const companyPresent = (): boolean =>
    [...facts.companyForms].some((form) => form.length > 0 && haystack.includes(normalize(form)));
  return [...recorded].filter((path) => (path === 'company' ? companyPresent() : present(path)));
}

function draft(input: WriterInput, facts: ComposeFacts, attempt: number): WrittenMessage {
  const ctx = createContext(input, facts, attempt);
  let subject: string | undefined;
  let body: string;
  switch (input.channel) {
    case 'email':
      body = fitParagraphs(bodyParagraphs(ctx, 'email'), LIMITS.emailBody);
      subject = composeSubject(ctx, attempt < 2);
      break;
    case 'linkedin':
      body = isConnectionNote('linkedin', input.purpose)
        ? composeConnectionNote(ctx, input.sender.linkedinFree === true ? LIMITS.linkedinNoteFree : LIMITS.linkedinNote)
        : fitParagraphs(bodyParagraphs(ctx, 'chat'), LIMITS.linkedinDm);
      break;
    case 'whatsapp':
      body = composeWhatsApp(ctx, LIMITS.whatsapp);
      break;
    case 'sms':
      body = composeSms(ctx, LIMITS.smsMaxSegments);
      break;
    case 'call':
      body = composeCallScript(ctx);
      break;
  }
  const checks = checkMessage({
    channel: input.channel,
    purpose: input.purpose,
    subject,
    body,
    contact: input.contact,
    workspace: input.workspace,
    sender: input.sender,
  });
  const factsUsed = factsPresent(input.contact, facts, ctx.factsUsed, `${subject ?? ''}\n${body}`);
  return subject === undefined ? { body, factsUsed, checks } : { subject, body, factsUsed, checks };
}

/** The same input with only the contact's name and company: the last resort before blocking. */
function plainInput(input: WriterInput): WriterInput {
  const { firstName, lastName, company } = input.contact;
  return {
    ...input,
    contact: { id: input.contact.id, firstName, lastName, company, tags: [], enrichment: {}, custom: {} },
  };
}

/** A talk track is read by the caller, not sent: it may restate what the emails said. */
function acceptable(message: WrittenMessage, input: WriterInput): boolean {
  if (!message.checks.passed) return false;
  return input.channel === 'call' || repeatedLines(message.body, input.previous).length === 0;
}

export function composeMessage(input: WriterInput): WrittenMessage {
  const facts = shapeFacts(input);
  let first: WrittenMessage | undefined;
  for (let attempt = 0; attempt < PHRASING_ATTEMPTS; attempt++) {
    const message = draft(input, facts, attempt);
    if (acceptable(message, input)) return message;
    first ??= message;
  }
  const plain = plainInput(input);
  const message = draft(plain, shapeFacts(plain), 0);
  if (message.checks.passed) {
    // Re-check against the full input so the report reflects what the engine will send.
    return { ...message, checks: checkMessage({ ...input, subject: message.subject, body: message.body }) };
  }
  return first ?? message;
}

/** `count` A/B variants; variant n leads with the n-th best unused angle and its own subject. */
export function composeVariants(input: WriterInput, count = 3): WrittenMessage[] {
  return Array.from({ length: count }, (_, variant) => composeMessage({ ...input, variant }));
}
