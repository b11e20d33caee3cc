// Preparing a WhatsApp message, for every WhatsApp provider alike: inside the 24-hour window
// (counted from the person's last inbound WhatsApp message) the writer's text goes as a session
// message; outside it only an approved template may go, filled from the message (templates.ts).
// With neither, the step is held (`template_required`, the reason on the timeline): never dropped
// and never sent as free text.
import { isWindowOpen } from '../../core/whatsappWindow.ts';
import type { Conversation, OutboundMessage, PreparedMessage, PrepareContext } from '../types.ts';
import { chooseTemplate, fillTemplate } from './templates.ts';

export function prepareWhatsApp(
  message: OutboundMessage,
  conversation: Conversation,
  context: PrepareContext & { credentials: { defaultTemplate?: string | undefined } },
): PreparedMessage {
  if (isWindowOpen(conversation.lastInboundAt, context.now)) {
    const { template: _ignored, ...session } = message;
    return { ok: true, message: session };
  }
  const window = conversation.lastInboundAt
    ? `the 24-hour window closed (last message from them ${conversation.lastInboundAt.toISOString()})`
    : 'the person has not written on WhatsApp yet (no 24-hour window)';
  const chosen = chooseTemplate(context.templates ?? [], {
    purpose: message.purpose,
    defaultTemplate: context.credentials.defaultTemplate,
  });
  if (!chosen.ok) return { ok: false, failure: { kind: 'template_required', message: `${window}: ${chosen.reason}` } };
  const filled = fillTemplate(chosen.template, message);
  if (!filled.ok) return { ok: false, failure: { kind: 'template_required', message: `${window}: ${filled.reason}` } };
  return { ok: true, message: { ...message, text: filled.text, template: filled.send }, record: { body: filled.text } };
}

/** A phone number in the form WhatsApp APIs take: digits with the country code, no `+`. */
export function waDigits(phone: string | undefined): string | undefined {
  if (!phone) return undefined;
  const digits = phone
    .replace(/[\s().-]/g, '')
    .replace(/^\+/, '')
    .replace(/^00/, '');
  return /^\d{7,15}$/.test(digits) ? digits : undefined;
}

/** A WhatsApp sender id (digits) as the E.164 number our contacts are stored by. */
export function e164(waId: string): string {
  return waId.startsWith('+') ? waId : `+${waId.replace(/\D/g, '')}`;
}
