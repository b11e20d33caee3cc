// Every durable job, declared once: name (as the spec names the events), payload of ids only,
// timeout and retry policy. The worker's handler map must cover every key.
import { z } from 'zod';

const Ids = { workspaceId: z.uuid() };

export const JOBS = {
  'outreach/step.due': {
    payload: z.object({ ...Ids, enrollmentId: z.uuid() }),
    // The provider call has its own timeout (EngineDeps.sendTimeoutMs) well inside this.
    expireInSeconds: 120,
    retryLimit: 5,
    retryDelay: 15,
    retryBackoff: true,
  },
  'outreach/reply.received': {
    payload: z.object({ ...Ids, replyId: z.uuid() }),
    expireInSeconds: 60,
    retryLimit: 10,
    retryDelay: 5,
    retryBackoff: true,
  },
  'outreach/sequence.completed': {
    payload: z.object({ ...Ids, enrollmentId: z.uuid() }),
    expireInSeconds: 60,
    retryLimit: 3,
    retryDelay: 30,
    retryBackoff: true,
  },
  // A stored provider webhook (inbound_events row) to act on; see inboundEvents.ts.
  'inbound/event.received': {
    payload: z.object({ eventId: z.uuid() }),
    expireInSeconds: 60,
    retryLimit: 10,
    retryDelay: 5,
    retryBackoff: true,
  },
  // Read one account's mailbox for replies and bounces (Gmail history, IMAP); see replyPolling.ts.
  'inbound/mailbox.poll': {
    payload: z.object({ ...Ids, senderId: z.uuid() }),
    expireInSeconds: 120,
    retryLimit: 2,
    retryDelay: 30,
    retryBackoff: true,
  },
} as const;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]['payload']>;
export type JobHandlers = { [N in JobName]: (payload: JobPayload<N>) => Promise<void> };

export const JOB_NAMES = Object.keys(JOBS) as JobName[];
