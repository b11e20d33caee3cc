// The words of a hand-off notification (Slack-compatible webhook, email): who, what they said,
// who it is assigned to, and the link to the contact.

type HandoffData = {
  contact?: { email?: string | null; firstName?: string | null; lastName?: string | null; company?: string | null };
  handoff?: {
    intent?: string | null;
    url?: string;
    assignee?: { name?: string | null; email?: string } | null;
    summary?: { conversation?: { direction: string; text: string }[] };
  };
};

export function notificationText(
  type: string,
  data: Record<string, unknown>,
): { title: string; lines: string[]; url: string } {
  const { contact, handoff } = data as HandoffData;
  const name = [contact?.firstName, contact?.lastName].filter(Boolean).join(' ') || contact?.email || 'A contact';
  const who = contact?.company ? `${name} (${contact.company})` : name;
  const assignee = handoff?.assignee ? handoff.assignee.name || handoff.assignee.email : 'nobody yet';
  const lastReply = [...(handoff?.summary?.conversation ?? [])].reverse().find((l) => l.direction === 'in');
  const title =
    type === 'handoff.reminder'
      ? `Reminder: ${who} is still waiting for a follow-up`
      : `Hand-off: ${who} replied${handoff?.intent ? ` (${handoff.intent.replaceAll('_', ' ')})` : ''}`;
  const lines = [
    `Assigned to ${assignee}${contact?.email ? ` · ${contact.email}` : ''}`,
    ...(lastReply ? [`“${lastReply.text.slice(0, 500)}”`] : []),
  ];
  return { title, lines, url: handoff?.url ?? '' };
}
