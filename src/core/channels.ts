// The channels a sequence step can use and the step purposes ("templates") the presets know.
// A template is a purpose handed to the writer, not a stored text: unknown templates are allowed
// and treated as free-form purposes.
import { z } from 'zod';
import { describeValue } from './validationErrors.ts';

export const CHANNELS = ['email', 'linkedin', 'whatsapp', 'sms', 'call'] as const;

export const Channel = z.enum(CHANNELS, {
  error: (issue) => `must be one of ${CHANNELS.join(', ')}${describeInput(issue.input)}`,
});
export type Channel = z.infer<typeof Channel>;

/** Human names for timeline reasons ("WhatsApp: no phone number"). */
export const CHANNEL_LABELS: Record<Channel, string> = {
  email: 'email',
  linkedin: 'LinkedIn',
  whatsapp: 'WhatsApp',
  sms: 'SMS',
  call: 'call',
};

export const KNOWN_TEMPLATES = [
  'intro',
  'connection_request',
  'linkedin_dm',
  'followup_1',
  'followup_2',
  'followup_3',
  'casual_checkin',
  'value_add',
  'case_study',
  'discovery_call',
  'breakup',
  'reengage',
] as const;
export type KnownTemplate = (typeof KNOWN_TEMPLATES)[number];

export function isKnownTemplate(template: string): template is KnownTemplate {
  return KNOWN_TEMPLATES.some((known) => known === template);
}

/** The LinkedIn invitation purpose: the only LinkedIn action that needs no prior connection. */
export const CONNECTION_REQUEST = 'connection_request';

/**
 * A LinkedIn direct message: template `linkedin_dm` on any channel, or any LinkedIn step other
 * than a connection request. LinkedIn only lets you message first-degree connections.
 */
export function isLinkedinMessage(channel: Channel, template: string): boolean {
  if (template === 'linkedin_dm') return true;
  return channel === 'linkedin' && template !== CONNECTION_REQUEST;
}

function describeInput(input: unknown): string {
  if (input === undefined) return '';
  return ` (got ${describeValue(input)})`;
}

/** Which address field a message's recipient (its `recipient` column) is on a channel. */
export function recipientAddress(
  channel: Channel,
  recipient: string,
): { email: string } | { phone: string } | { linkedinUrl: string } {
  if (channel === 'email') return { email: recipient };
  if (channel === 'linkedin') return { linkedinUrl: recipient };
  return { phone: recipient };
}
