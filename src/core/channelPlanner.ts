// Which channel a step actually goes out on for one contact. A channel needs something from the
// contact (an address, a phone, an opt-in, a LinkedIn connection); when the step's own channel
// cannot reach the contact, the step's fallback (else the sequence's policy, else the default
// policy) is tried in order. The reasons are written for the contact's timeline.
import { CHANNEL_LABELS, CONNECTION_REQUEST, isLinkedinMessage, type Channel } from './channels.ts';
import { DEFAULT_FALLBACK_POLICY, type FallbackPolicy, type Step, type StepFallback } from './sequence.ts';

/** The contact fields channel planning reads; database rows may carry null. */
export type ReachableContact = {
  email?: string | null;
  phone?: string | null;
  linkedinUrl?: string | null;
  whatsappOptIn?: boolean | null;
  smsOptIn?: boolean | null;
  /** Channels the contact's identity cannot receive on (a carrier said so: Twilio 30003/30005/30006). */
  unreachable?: readonly Channel[];
};

export type ChannelPlan =
  { skip: false; channel: Channel; fellBackFrom?: Channel[]; reason?: string } | { skip: true; reason: string };

/**
 * Why `channel` cannot carry `template` to the contact, or null when it can.
 * SMS and WhatsApp need an explicit opt-in (TCPA for SMS, WhatsApp Business policy): an unknown
 * consent (null) is no consent. A channel the carrier said cannot reach the contact takes the fallback.
 * A LinkedIn message (anything but a connection request) also needs an accepted connection.
 */
export function unreachableReason(
  channel: Channel,
  template: string,
  contact: ReachableContact,
  linkedinConnected: boolean,
): string | null {
  const phone = present(contact.phone);
  if (contact.unreachable?.includes(channel))
    return `the ${channel === 'email' ? 'address' : 'number'} cannot receive ${CHANNEL_LABELS[channel]}`;
  switch (channel) {
    case 'email':
      return present(contact.email) ? null : 'no email address';
    case 'whatsapp':
      if (!phone) return 'no phone number';
      return contact.whatsappOptIn === true ? null : 'no WhatsApp opt-in';
    case 'sms':
      if (!phone) return 'no phone number';
      if (contact.smsOptIn === true) return null;
      return contact.smsOptIn === false ? 'opted out of SMS' : 'no SMS consent (smsOptIn is not true)';
    case 'call':
      return phone ? null : 'no phone number';
    case 'linkedin':
      if (!present(contact.linkedinUrl)) return 'no LinkedIn URL';
      if (isLinkedinMessage(channel, template) && !linkedinConnected) return 'not connected on LinkedIn yet';
      return null;
  }
}

/** The fallback that applies to a step: its own, else the sequence's for its channel, else the default. */
export function fallbackFor(step: Pick<Step, 'channel' | 'fallback'>, policy?: FallbackPolicy): StepFallback {
  return step.fallback ?? policy?.[step.channel] ?? DEFAULT_FALLBACK_POLICY[step.channel];
}

export function planChannel(input: {
  step: Pick<Step, 'channel' | 'template' | 'fallback'>;
  contact: ReachableContact;
  policy?: FallbackPolicy;
  linkedinConnected?: boolean;
}): ChannelPlan {
  const { step, contact } = input;
  const connected = input.linkedinConnected ?? false;
  if (step.channel === 'linkedin' && step.template === CONNECTION_REQUEST && connected) {
    return { skip: true, reason: 'already connected on LinkedIn' };
  }
  const primaryReason = unreachableReason(step.channel, step.template, contact, connected);
  if (primaryReason === null) return { skip: false, channel: step.channel };

  const tried: Channel[] = [step.channel];
  const reasons: string[] = [`${CHANNEL_LABELS[step.channel]}: ${primaryReason}`];
  const fallback = fallbackFor(step, input.policy);
  if (fallback !== 'skip') {
    for (const channel of fallback) {
      if (tried.includes(channel)) continue;
      const reason = unreachableReason(channel, step.template, contact, connected);
      if (reason === null) {
        return {
          skip: false,
          channel,
          fellBackFrom: tried,
          reason: `${reasons.join('; ')} → ${CHANNEL_LABELS[channel]}`,
        };
      }
      tried.push(channel);
      reasons.push(`${CHANNEL_LABELS[channel]}: ${reason}`);
    }
  }
  const ending = fallback === 'skip' ? 'no fallback' : 'no fallback channel can reach the contact';
  return { skip: true, reason: `${reasons.join('; ')}; ${ending}` };
}

function present(value: string | null | undefined): boolean {
  return typeof value === 'string' && value.trim() !== '';
}
