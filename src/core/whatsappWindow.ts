// WhatsApp's customer-service window: free-form (session) messages may go to a person only within
// 24 hours of their last inbound message, and each inbound message restarts it. Outside it only an
// approved template may go out. Pure: `now` is an argument.
export const WHATSAPP_WINDOW_MS = 24 * 3600 * 1000;

/** Whether a session message may go at `now`, given the person's last inbound message (or none). */
export function isWindowOpen(lastInboundAt: Date | null, now: Date): boolean {
  if (!lastInboundAt) return false;
  const age = now.getTime() - lastInboundAt.getTime();
  return age >= 0 ? age < WHATSAPP_WINDOW_MS : true;
}

/** When the window closes (undefined when it is not open). */
export function windowClosesAt(lastInboundAt: Date | null, now: Date): Date | undefined {
  if (!isWindowOpen(lastInboundAt, now) || !lastInboundAt) return undefined;
  return new Date(lastInboundAt.getTime() + WHATSAPP_WINDOW_MS);
}
