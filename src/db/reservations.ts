// The two statements of a step's life that run for every send, each one implicit transaction:
// reserving the step with the account's quota (claimAndReserve), and recording the provider's
// acceptance (recordSent). Both are functions of migration 009 that take a batch: the calls a
// worker makes at once are coalesced into one statement (coalesce.ts).
import type { QuotaClass } from '../core/quota.ts';
import type { WhatsAppLimits, WhatsAppUsage } from '../core/whatsappLimits.ts';
import { ItemFailed, perOwner } from './coalesce.ts';
import { execute, prepare, type Db, type Prepared } from './database.ts';
import type { MessageRow, Reservation } from './messages.ts';

/** An account's caps for one more send, as numbers (effective daily cap with the warm-up applied). */
export type QuotaCaps = {
  senderId: string;
  quota: QuotaClass;
  daily: number;
  hourly: number | null;
  weekly: number | null;
  minGapSeconds: number;
  domainCap: number | null;
  /** WhatsApp's own limits (per second, tier, pair), checked under the same lock (migration 051). */
  whatsapp?: WhatsAppLimits | null;
};

export type Claim =
  | { kind: 'reserved'; message: MessageRow }
  /** The step already has a final message (it went out before a crash was recorded). */
  | { kind: 'exists' }
  /** The enrollment moved on or stopped since the decision: nothing to do. */
  | { kind: 'moved' }
  | {
      kind: 'refused';
      status: string | null;
      usage: { today: number; thisHour: number; thisWeek: number; lastSentAt: Date | null };
      domainToday: number;
      /** Refused by WhatsApp's own limits: the account's WhatsApp usage as read under the lock. */
      whatsapp?: WhatsAppUsage;
    };

/** A reservation with what claiming it needs: the step the decision saw and the account's caps. */
export type ClaimInput = Reservation & { seenStep: number; senders: Record<string, string>; caps: QuotaCaps | null };

type ClaimOutcome = {
  enrollment: boolean;
  fits: boolean;
  inserted: MessageRow | null;
  status: string | null;
  today: number;
  hour: number;
  week: number;
  last: string | null;
  domainToday: number;
  whatsapp?: Omit<WhatsAppUsage, 'secondOldest' | 'reachedFrees' | 'pairLast'> & {
    secondOldest: string | null;
    reachedFrees: string | null;
    pairLast: string | null;
  };
};

const CLAIM_STEPS = prepare(['jsonb'], 'SELECT qh_claim_steps($1) AS outcome');

/** One item of qh_claim_steps (migration 009): the reservation and the caps its account must fit. */
const claimItem = (r: ClaimInput, ord: number) => ({
  ord,
  enrollment: r.enrollmentId,
  seenStep: r.seenStep,
  account: r.caps?.senderId ?? null,
  quota: r.caps?.quota ?? 'all',
  reservedAt: r.reservedAt,
  daily: r.caps?.daily ?? null,
  hourly: r.caps?.hourly ?? null,
  weekly: r.caps?.weekly ?? null,
  minGap: r.caps?.minGapSeconds ?? 0,
  domainCap: r.caps?.domainCap ?? null,
  whatsapp: r.caps?.whatsapp ?? null,
  domain: r.recipientDomain,
  id: r.id,
  workspace: r.workspaceId,
  contact: r.contactId,
  sequence: r.sequenceId,
  step: r.step,
  channel: r.channel,
  purpose: r.purpose,
  provider: r.provider,
  sender: r.senderId,
  variant: r.variant,
  subject: r.subject,
  body: r.body,
  recipient: r.recipient,
  rfcMessageId: r.rfcMessageId,
  threadId: r.providerThreadId,
  leaseUntil: r.leaseUntil,
  writer: r.writer ?? {},
  senders: r.senders,
});

/**
 * Runs a batch through a set-returning function of migration 009 (one jsonb per item, tagged with
 * its `ord`), as one statement in the workspace's tenant context: results in the items' order, an
 * ItemFailed for an item that failed on its own.
 */
async function runItems<O>(db: Db, workspaceId: string, statement: Prepared, items: object[]) {
  const { rows } = await db.statement<{ outcome: O & { ord: number; error?: string; code?: string } }>(
    workspaceId,
    execute(statement, [JSON.stringify(items)]),
    [statement],
  );
  const byOrd = new Map(rows.map((r) => [r.outcome.ord, r.outcome]));
  return items.map((_, ord) => {
    const outcome = byOrd.get(ord);
    if (!outcome) return new ItemFailed(`no outcome for item ${ord} of the batch`, undefined);
    return outcome.error !== undefined ? new ItemFailed(outcome.error, outcome.code) : outcome;
  });
}

// One batch per workspace: a batch holds its accounts' locks until it commits, so batches that
// share an account wait for each other; measured, fewer and bigger batches still win (the work is
// per statement), and two in flight keep the wait short.
const claims = perOwner((db: Db, workspaceId: string, batch: ClaimInput[]) =>
  runItems<ClaimOutcome>(db, workspaceId, CLAIM_STEPS, batch.map(claimItem)),
);

/**
 * Reserves the step and, for an account, claims its quota, in one implicit transaction: lock the
 * enrollment (still active at the decided step) and the account, read the account's counters and
 * the recipient domain's sends under that lock, and only when every cap has room insert the
 * message `sending` (the counters' trigger counts it) and advance the enrollment. Reservations a
 * worker makes at once go in one statement (qh_claim_steps, coalesce.ts), each exactly as it would
 * go alone; the account's lock ends with that statement, so reservations on one account queue for
 * a statement, never for a round trip to a busy worker.
 */
export async function claimAndReserve(db: Db, r: ClaimInput): Promise<Claim> {
  const row = await claims(db, r.workspaceId, r);
  if (!row.enrollment) return { kind: 'moved' };
  if (row.inserted) return { kind: 'reserved', message: messageFromJson(row.inserted) };
  if (row.fits) return { kind: 'exists' };
  return {
    kind: 'refused',
    status: row.status,
    usage: {
      today: row.today,
      thisHour: row.hour,
      thisWeek: row.week,
      lastSentAt: row.last === null ? null : new Date(row.last),
    },
    domainToday: row.domainToday,
    ...(row.whatsapp ? { whatsapp: whatsappUsageFromJson(row.whatsapp) } : {}),
  };
}

function whatsappUsageFromJson(usage: NonNullable<ClaimOutcome['whatsapp']>): WhatsAppUsage {
  const date = (value: string | null) => (value === null ? null : new Date(value));
  return {
    ...usage,
    secondOldest: date(usage.secondOldest),
    reachedFrees: date(usage.reachedFrees),
    pairLast: date(usage.pairLast),
  };
}

/** A message row that came back as JSON (timestamps as strings). */
function messageFromJson(row: MessageRow): MessageRow {
  const date = (value: unknown) => (value === null || value === undefined ? null : new Date(String(value)));
  return {
    ...row,
    leaseUntil: date(row.leaseUntil),
    reservedAt: date(row.reservedAt) as Date,
    sentAt: date(row.sentAt),
    openedAt: date(row.openedAt),
    clickedAt: date(row.clickedAt),
  };
}

const RECORD_SENT = prepare(['jsonb'], 'SELECT qh_record_sent($1) AS outcome');

export type SentInput = {
  workspaceId: string;
  messageId: string;
  enrollmentId: string;
  contactId: string;
  providerMessageId: string;
  providerThreadId: string | null;
  sentAt: Date;
  activity: { id: string; summary: string; data: unknown };
  /** The sequence has no step after this one. */
  last: boolean;
  /** The id of the "Completed" timeline entry, written when recording this send completes the enrollment. */
  completedActivityId?: string;
};

type Recorded = { recorded: boolean; continues: boolean; completed: boolean };

const records = perOwner((db: Db, workspaceId: string, batch: SentInput[]) =>
  runItems<Recorded>(
    db,
    workspaceId,
    RECORD_SENT,
    batch.map((input, ord) => ({
      ord,
      workspace: input.workspaceId,
      message: input.messageId,
      enrollment: input.enrollmentId,
      contact: input.contactId,
      providerMessageId: input.providerMessageId,
      threadId: input.providerThreadId,
      sentAt: input.sentAt,
      summary: input.activity.summary,
      data: input.activity.data,
      activity: input.activity.id,
      last: input.last,
      completedActivity: input.completedActivityId ?? null,
    })),
  ),
);

/**
 * The common outcome — the provider accepted the message — recorded in one implicit transaction:
 * the message `sent` (only if it is still `sending`: a reservation is settled once), its `sent`
 * event, the contact `contacted`, the timeline entry, and, while the enrollment runs, its next step
 * due now, or, when this was the sequence's last step, the enrollment `completed` (a paused
 * enrollment is left for its next run to finish). Sends a worker records at once go in one
 * statement (qh_record_sent, coalesce.ts). Returns whether it was recorded, whether the enrollment
 * runs on, and whether it completed.
 */
export async function recordSent(db: Db, input: SentInput): Promise<Recorded> {
  const { recorded, continues, completed } = await records(db, input.workspaceId, input);
  return { recorded, continues, completed };
}
