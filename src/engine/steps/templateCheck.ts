// The writer's guardrails on a filled WhatsApp template: what the person reads is the template's
// approved text with our values in it, so the same checks a written message passes apply to it
// (length, leftover braces, placeholder identity, invented facts). A failure holds the step with
// the reason on the timeline (`template_required`), like a template that cannot be filled: the
// values come from the contact's facts and the writer's message, so filling again would give the
// same text; fixing the fact or the template lets it go. What the fill adds is checked: the
// template's own words are the business's, approved by Meta, and the writer's message passed these
// checks as written (flattened into a sentence, its capitalized line starts would read as names),
// so a token found in either is not an invented fact or a placeholder of ours; braces are a leak
// only when a value brought them.
import type { ChannelTemplate, OutboundMessage, SendFailure } from '../../channels/types.ts';
import type { Contact } from '../../db/contacts.ts';
import type { SenderRow } from '../../db/senders.ts';
import { checkMessage } from '../../writer/guardrails.ts';
import type { GuardrailFailure } from '../../writer/types.ts';
import { toWriterContact, toWriterSender, toWriterWorkspace } from './writerInput.ts';

/** Why a filled template may not go (the writer's guardrails); undefined when it may, or it is no template. */
export function filledTemplateFailure(
  message: OutboundMessage,
  templates: readonly ChannelTemplate[],
  input: {
    /** The writer's message as written (it passed these checks when it was written). */
    written: string;
    contact: Contact;
    sender: SenderRow | null;
    workspace: { name: string; offer: string | null; postalAddress: string | null };
  },
): SendFailure | undefined {
  const send = message.template;
  if (!send) return undefined;
  const report = checkMessage({
    channel: 'whatsapp',
    purpose: message.purpose,
    body: message.text,
    contact: toWriterContact(input.contact),
    workspace: toWriterWorkspace(input.workspace),
    sender: toWriterSender(input.sender),
  });
  const template = templates.find((t) => t.name === send.name && t.language === send.language);
  const own = `${(template?.body ?? '').replace(/\{\{[^{}]*\}\}/g, ' ')}\n${input.written}`.toLowerCase();
  const valueBraces = send.parameters.some((p) => /[{}]/.test(p.text));
  const failures = report.failures.filter((failure) => fromTheFill(failure, own, valueBraces));
  if (failures.length === 0) return undefined;
  const why = failures.map((failure) => failure.message).join('; ');
  return {
    kind: 'template_required',
    message: `template "${send.name}" filled fails the writer's checks: ${why}`,
  };
}

/** A failure the filled values caused, not the approved wording around them nor the checked message. */
function fromTheFill(failure: GuardrailFailure, own: string, valueBraces: boolean): boolean {
  if (failure.rule === 'unresolved') return valueBraces;
  if (failure.token === undefined) return true;
  const token = failure.token.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return !new RegExp(`(?<![\\p{L}\\p{N}])${token}(?![\\p{L}\\p{N}])`, 'u').test(own);
}
