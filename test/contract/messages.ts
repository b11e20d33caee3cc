// Messages the contract suite sends, per channel.
import type { OutboundMessage } from '../../src/channels/types.ts';

export function emailMessage(id: string, to = 'dana@globex.example'): OutboundMessage {
  return {
    id,
    channel: 'email',
    purpose: 'intro',
    to: { email: to, name: 'Dana' },
    from: { email: 'sam@acme.example', name: 'Sam' },
    subject: 'Hello Dana',
    text: 'Hi Dana,\n\nA short note.\n\nSam',
    headers: { 'Message-ID': `<${id}@acme.example>` },
  };
}

export function whatsappMessage(id: string, to = '+16505551234'): OutboundMessage {
  return {
    id,
    channel: 'whatsapp',
    purpose: 'casual_checkin',
    to: { phone: to, name: 'Ana Lima' },
    from: { phone: '+15550783881', name: 'Sam' },
    text: 'Hi Ana, a short note about your rollout.',
  };
}
