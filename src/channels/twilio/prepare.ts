// An SMS as it goes to Twilio: the first SMS a person gets from a sequence ends with the opt-out
// line (carriers and CTIA expect it), the text is measured in segments (GSM-7 or UCS-2) against the
// sequence's `smsMaxSegments` (default 1), and the status callback points at our one Twilio webhook.
import { smsSegments } from '../../core/smsSegments.ts';
import type { Conversation, OutboundMessage, PrepareContext, PreparedMessage } from '../types.ts';

export const OPT_OUT_LINE = 'Reply STOP to opt out.';
export const DEFAULT_SMS_MAX_SEGMENTS = 1;
/** Where the status callback goes, carried to send() with the message (a Twilio form field). */
export const STATUS_CALLBACK_HEADER = 'StatusCallback';

export function twilioWebhookUrl(publicBaseUrl: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/webhooks/twilio`;
}

export function prepareSms(
  message: OutboundMessage,
  conversation: Conversation,
  context: PrepareContext,
): PreparedMessage {
  if (message.channel !== 'sms') return { ok: true, message };
  const first = conversation.earlier.length === 0;
  const text = first && !/\breply\s+stop\b/i.test(message.text) ? withOptOut(message.text) : message.text;
  const limit = maxSegments(context.sequenceSettings);
  const info = smsSegments(text);
  if (info.segments > limit)
    return {
      ok: false,
      failure: {
        kind: 'rejected',
        message:
          `the SMS needs ${info.segments} segments (${info.encoding}, ${info.units} units` +
          `${info.nonGsm.length > 0 ? `; not GSM-7: ${info.nonGsm.join(' ')}` : ''}); the sequence allows ${limit} (smsMaxSegments)`,
      },
    };
  return {
    ok: true,
    message: {
      ...message,
      text,
      headers: { ...message.headers, [STATUS_CALLBACK_HEADER]: twilioWebhookUrl(context.links.publicBaseUrl) },
    },
  };
}

function withOptOut(text: string): string {
  const trimmed = text.trimEnd();
  return trimmed === '' ? OPT_OUT_LINE : `${trimmed}\n${OPT_OUT_LINE}`;
}

function maxSegments(settings: Record<string, unknown>): number {
  const value = settings.smsMaxSegments;
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : DEFAULT_SMS_MAX_SEGMENTS;
}
