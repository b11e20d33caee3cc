import { describe, expect, it } from 'vitest';
import { planChannel, type ChannelPlan, type ReachableContact } from '../../src/core/channelPlanner.ts';
import type { FallbackPolicy, Step } from '../../src/core/sequence.ts';

const full: ReachableContact = {
  email: 'jane@acme.com',
  phone: '+4915112345678',
  linkedinUrl: 'https://www.linkedin.com/in/jane',
  whatsappOptIn: true,
  smsOptIn: true,
};

type Case = {
  name: string;
  step: Pick<Step, 'channel' | 'template' | 'fallback'>;
  contact: ReachableContact;
  policy?: FallbackPolicy;
  linkedinConnected?: boolean;
  expected: ChannelPlan;
};

const cases: Case[] = [
  {
    name: 'reachable on its own channel',
    step: { channel: 'whatsapp', template: 'casual_checkin' },
    contact: full,
    expected: { skip: false, channel: 'whatsapp' },
  },
  {
    name: 'WhatsApp without opt-in falls back to SMS',
    step: { channel: 'whatsapp', template: 'casual_checkin' },
    contact: { ...full, whatsappOptIn: null },
    expected: { skip: false, channel: 'sms', fellBackFrom: ['whatsapp'], reason: 'WhatsApp: no WhatsApp opt-in → SMS' },
  },
  {
    name: 'WhatsApp without phone falls through SMS to email',
    step: { channel: 'whatsapp', template: 'casual_checkin' },
    contact: { ...full, phone: null },
    expected: {
      skip: false,
      channel: 'email',
      fellBackFrom: ['whatsapp', 'sms'],
      reason: 'WhatsApp: no phone number; SMS: no phone number → email',
    },
  },
  {
    name: 'SMS needs consent: unknown consent is none, and the step falls back',
    step: { channel: 'sms', template: 'casual_checkin' },
    contact: { ...full, smsOptIn: undefined },
    expected: {
      skip: false,
      channel: 'email',
      fellBackFrom: ['sms'],
      reason: 'SMS: no SMS consent (smsOptIn is not true) → email',
    },
  },
  {
    name: 'a number the carrier cannot reach by SMS falls back',
    step: { channel: 'sms', template: 'casual_checkin' },
    contact: { ...full, smsOptIn: true, unreachable: ['sms'] },
    expected: {
      skip: false,
      channel: 'email',
      fellBackFrom: ['sms'],
      reason: 'SMS: the number cannot receive SMS → email',
    },
  },
  {
    name: 'SMS opt-out falls back to email',
    step: { channel: 'sms', template: 'casual_checkin' },
    contact: { ...full, smsOptIn: false },
    expected: { skip: false, channel: 'email', fellBackFrom: ['sms'], reason: 'SMS: opted out of SMS → email' },
  },
  {
    name: 'a call without phone falls back to email',
    step: { channel: 'call', template: 'discovery_call' },
    contact: { ...full, phone: '  ' },
    expected: { skip: false, channel: 'email', fellBackFrom: ['call'], reason: 'call: no phone number → email' },
  },
  {
    name: 'LinkedIn without URL falls back to email',
    step: { channel: 'linkedin', template: 'connection_request' },
    contact: { ...full, linkedinUrl: null },
    expected: {
      skip: false,
      channel: 'email',
      fellBackFrom: ['linkedin'],
      reason: 'LinkedIn: no LinkedIn URL → email',
    },
  },
  {
    name: 'a LinkedIn DM before the invitation was accepted falls back to email',
    step: { channel: 'linkedin', template: 'linkedin_dm' },
    contact: full,
    linkedinConnected: false,
    expected: {
      skip: false,
      channel: 'email',
      fellBackFrom: ['linkedin'],
      reason: 'LinkedIn: not connected on LinkedIn yet → email',
    },
  },
  {
    name: 'a LinkedIn DM once connected',
    step: { channel: 'linkedin', template: 'linkedin_dm' },
    contact: full,
    linkedinConnected: true,
    expected: { skip: false, channel: 'linkedin' },
  },
  {
    name: 'a connection request to someone already connected is skipped',
    step: { channel: 'linkedin', template: 'connection_request' },
    contact: full,
    linkedinConnected: true,
    expected: { skip: true, reason: 'already connected on LinkedIn' },
  },
  {
    name: 'email without address has no default fallback',
    step: { channel: 'email', template: 'intro' },
    contact: { ...full, email: '' },
    expected: { skip: true, reason: 'email: no email address; no fallback' },
  },
  {
    name: 'the step fallback overrides the sequence policy',
    step: { channel: 'whatsapp', template: 'casual_checkin', fallback: ['call'] },
    contact: { ...full, whatsappOptIn: false },
    policy: { whatsapp: 'skip' },
    expected: {
      skip: false,
      channel: 'call',
      fellBackFrom: ['whatsapp'],
      reason: 'WhatsApp: no WhatsApp opt-in → call',
    },
  },
  {
    name: "the sequence policy's skip",
    step: { channel: 'whatsapp', template: 'casual_checkin' },
    contact: { ...full, whatsappOptIn: false },
    policy: { whatsapp: 'skip' },
    expected: { skip: true, reason: 'WhatsApp: no WhatsApp opt-in; no fallback' },
  },
  {
    name: 'a step-level skip',
    step: { channel: 'call', template: 'discovery_call', fallback: 'skip' },
    contact: { email: 'x@y.z' },
    expected: { skip: true, reason: 'call: no phone number; no fallback' },
  },
  {
    name: 'a policy without the channel uses the default',
    step: { channel: 'sms', template: 'casual_checkin' },
    contact: { email: 'x@y.z' },
    policy: { whatsapp: 'skip' },
    expected: { skip: false, channel: 'email', fellBackFrom: ['sms'], reason: 'SMS: no phone number → email' },
  },
  {
    name: 'nothing in the chain reaches the contact',
    step: { channel: 'whatsapp', template: 'casual_checkin' },
    contact: { linkedinUrl: 'https://www.linkedin.com/in/x' },
    expected: {
      skip: true,
      reason:
        'WhatsApp: no phone number; SMS: no phone number; email: no email address; no fallback channel can reach the contact',
    },
  },
  {
    name: 'falling back to LinkedIn needs a connection for anything but an invitation',
    step: { channel: 'email', template: 'followup_1', fallback: ['linkedin'] },
    contact: { linkedinUrl: 'https://www.linkedin.com/in/x' },
    linkedinConnected: false,
    expected: {
      skip: true,
      reason:
        'email: no email address; LinkedIn: not connected on LinkedIn yet; no fallback channel can reach the contact',
    },
  },
];

describe('planChannel', () => {
  it.each(cases)('$name', ({ step, contact, policy, linkedinConnected, expected }) => {
    expect(
      planChannel({
        step,
        contact,
        ...(policy ? { policy } : {}),
        ...(linkedinConnected !== undefined ? { linkedinConnected } : {}),
      }),
    ).toEqual(expected);
  });
});
