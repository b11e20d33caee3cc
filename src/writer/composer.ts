// Offline composer: writes a message for any channel and purpose from the contact's own data,
// with no model. Deterministic for a seed; every draft goes through the guardrails, and a draft
// that fails is rewritten with other phrasings, then with fewer facts, before giving up.
import { resolvePath } from '../core/personalize.ts';
import { checkMessage, isConnectionNote, LIMITS } from './guardrails.ts';
import { createContext } from './composerContext.ts';
import { bodyParagraphs, fitParagraphs } from './composerBody.ts';
import { composeSubject } from './composerEmail.ts';
import { composeConnectionNote, composeSms } from './composerShort.ts';
import { composeCallScript } from './composerCall.ts';
import type { WriterContact, WriterInput, WrittenMessage } from './types.ts';

const PHRASING_ATTEMPTS = 4;
const BASE_FIELDS = ['firstName', 'lastName', 'title', 'company', 'city', 'country'] as const;

function normalize(text: string): string {
  return ` ${text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
}

/** Keeps the recorded fact paths whose value really is in the final text, plus base fields used. */
function factsPresent(contact: WriterContact, recorded: Iterable<string>, text: string): string[] {
  const haystack = normalize(text);
  const source: Record<string, unknown> = { ...contact };
  const appears = (path: string): boolean => {
    const value = resolvePath(source, path);
    if (value === undefined) return false;
    const raw = resolvePath(source, path.replace(/\[\d+\]$/, ''));
    const items =
      path === 'enrichment.techStack' && Array.isArray(contact.enrichment.techStack)
        ? contact.enrichment.techStack.filter((item): item is string => typeof item === 'string')
        : [value, raw ?? value];
    return items.some((item) => haystack.includes(normalize(item)));
  };
  const facts = new Set<string>();
  for (const field of BASE_FIELDS) if (appears(field)) facts.add(field);
  for (const path of recorded) if (!BASE_FIELDS.some((field) => field === path) && appears(path)) facts.add(path);
  return [...facts];
}

function draft(input: WriterInput, attempt: number): WrittenMessage {
  const ctx = createContext(input, attempt);
  let subject: string | undefined;
  let body: string;
  switch (input.channel) {
    case 'email':
      subject = composeSubject(ctx, attempt < 2);
      body = fitParagraphs(bodyParagraphs(ctx, 'email'), LIMITS.emailBody);
      break;
    case 'linkedin':
      body = isConnectionNote('linkedin', input.purpose)
        ? composeConnectionNote(ctx, input.sender.linkedinFree === true ? LIMITS.linkedinNoteFree : LIMITS.linkedinNote)
        : fitParagraphs(bodyParagraphs(ctx, 'chat'), LIMITS.linkedinDm);
      break;
    case 'whatsapp':
      body = fitParagraphs(bodyParagraphs(ctx, 'chat'), LIMITS.whatsapp);
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
  const factsUsed = factsPresent(input.contact, ctx.factsUsed, `${subject ?? ''}\n${body}`);
  return subject === undefined ? { body, factsUsed, checks } : { subject, body, factsUsed, checks };
}

/** The same input with only the contact's name and company: the last resort before blocking. */
function plainInput(input: WriterInput): WriterInput {
  const { firstName, lastName, company } = input.contact;
  return {
    ...input,
    contact: { id: input.contact.id, firstName, lastName, company, tags: [], enrichment: {}, custom: {} },
    workspace: { name: input.workspace.name },
  };
}

export function composeMessage(input: WriterInput): WrittenMessage {
  let first: WrittenMessage | undefined;
  for (let attempt = 0; attempt < PHRASING_ATTEMPTS; attempt++) {
    const message = draft(input, attempt);
    if (message.checks.passed) return message;
    first ??= message;
  }
  const plain = draft(plainInput(input), 0);
  if (plain.checks.passed) {
    // Re-check against the full input so the report reflects what the engine will send.
    return { ...plain, checks: checkMessage({ ...input, subject: plain.subject, body: plain.body }) };
  }
  return first ?? plain;
}

/** `count` A/B variants; variant n leads with the n-th best unused angle and its own subject. */
export function composeVariants(input: WriterInput, count = 3): WrittenMessage[] {
  return Array.from({ length: count }, (_, variant) => composeMessage({ ...input, variant }));
}
