// The events a workspace's outbound targets can subscribe to. Triggers write them (migration 070,
// and 071 for hand-offs) in the transaction of the change that caused them.
export const OUTBOUND_EVENTS = [
  'contact.replied',
  'contact.interested',
  'contact.handed_off',
  'contact.unsubscribed',
  'contact.stage_changed',
  'message.sent',
  'message.delivered',
  'message.opened',
  'message.clicked',
  'message.bounced',
  'message.failed',
  'enrollment.completed',
  'enrollment.stopped',
  'sender.paused',
  'handoff.reminder',
  'task.created',
  'task.completed',
] as const;
export type OutboundEvent = (typeof OUTBOUND_EVENTS)[number];

export const isOutboundEvent = (value: string): value is OutboundEvent =>
  (OUTBOUND_EVENTS as readonly string[]).includes(value);
