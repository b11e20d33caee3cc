// The two statements of a step's life that run for every send, each one round trip and one implicit
// transaction: reserving the step with the account's quota (claimAndReserve), and recording the
// provider's acceptance (recordSent). Both are prepared once per connection (database.ts).
import { execute, prepare, type Db, type Prepared } from './database.ts';
import { MESSAGE_COLUMNS, type MessageRow, type Reservation } from './messages.ts';

/** An account's caps for one more send, as numbers (effective daily cap with the warm-up applied). */
export type QuotaCaps = {
  senderId: string;
  quota: 'all' | 'invite' | 'message';
  daily: number;
  hourly: number | null;
  weekly: number | null;
  minGapSeconds: number;
  domainCap: number | null;
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
    };

const LOCK_ENROLLMENT = prepare(['uuid'], 'SELECT 1 FROM enrollments WHERE id = $1 FOR UPDATE');
const LOCK_SENDER = prepare(['uuid'], 'SELECT 1 FROM senders WHERE id = $1 FOR UPDATE');

// $1 enrollment, $2 step the decision saw, $3 account (NULL: the sandbox, no caps), $4 quota class,
// $5 reserved at, $6–$10 caps (daily, hourly, weekly, min gap s, recipient-domain daily; NULL = none),
// $11 recipient domain, $12… the message row, $29 the enrollment's sticky accounts.
const CLAIM = prepare(
  [
    'uuid',
    'int',
    'uuid',
    'text',
    'timestamptz',
    'int',
    'int',
    'int',
    'int',
    'int',
    'text',
    'uuid',
    'uuid',
    'uuid',
    'uuid',
    'int',
    'text',
    'text',
    'text',
    'uuid',
    'int',
    'text',
    'text',
    'text',
    'text',
    'text',
    'timestamptz',
    'jsonb',
    'jsonb',
  ],
  `WITH e AS (SELECT id FROM enrollments WHERE id = $1 AND status = 'active' AND current_step = $2 FOR UPDATE),
   s AS (SELECT id, status, timezone FROM senders
          WHERE id = $3 AND deleted_at IS NULL AND EXISTS (SELECT 1 FROM e) FOR UPDATE),
   u AS (SELECT s.status, q.today, q.hour, q.week, q.last,
           CASE WHEN $10 IS NULL OR $11 IS NULL THEN 0
                ELSE (SELECT count(*)::int FROM messages WHERE recipient_domain = $11 AND reserved_at >= q.day_start
                         AND status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown')) END AS "domainToday"
         FROM s, qh_sender_usage(s.id, s.timezone, $4, $5) AS q),
   ok AS (SELECT 1 WHERE EXISTS (SELECT 1 FROM e)
            AND ($3 IS NULL OR EXISTS (SELECT 1 FROM u WHERE u.status = 'active' AND u.today < $6
                   AND ($7 IS NULL OR u.hour < $7) AND ($8 IS NULL OR u.week < $8)
                   AND ($9 = 0 OR u.last IS NULL OR u.last + $9 * interval '1 second' <= $5)
                   AND ($10 IS NULL OR $11 IS NULL OR u."domainToday" < $10)))),
   ins AS (
     INSERT INTO messages AS m (id, workspace_id, enrollment_id, contact_id, sequence_id, step, channel, purpose, provider,
       sender_id, variant, status, subject, body, recipient, recipient_domain, rfc_message_id, provider_thread_id,
       lease_until, reserved_at, writer)
     SELECT $12, $13, $1, $14, $15, $16, $17, $18, $19, $20, $21, 'sending', $22, $23, $24, $11, $25, $26, $27, $5, $28
      WHERE EXISTS (SELECT 1 FROM ok)
     ON CONFLICT (enrollment_id, step) DO UPDATE SET
       status = 'sending', channel = excluded.channel, purpose = excluded.purpose, provider = excluded.provider,
       sender_id = excluded.sender_id, subject = excluded.subject, body = excluded.body, recipient = excluded.recipient,
       recipient_domain = excluded.recipient_domain, lease_until = excluded.lease_until,
       reserved_at = excluded.reserved_at, writer = excluded.writer, attempts = m.attempts + 1, error = NULL
     WHERE m.status = 'deferred'
     RETURNING ${MESSAGE_COLUMNS}),
   adv AS (
     UPDATE enrollments SET current_step = $16 + 1, next_run_at = $27, senders = $29, updated_at = now()
      WHERE id = $1 AND EXISTS (SELECT 1 FROM ins)
     RETURNING 1)
   SELECT EXISTS (SELECT 1 FROM e) AS enrollment, EXISTS (SELECT 1 FROM ok) AS fits,
          (SELECT row_to_json(ins) FROM ins) AS inserted, (SELECT count(*) FROM adv) AS advanced,
          u.status, coalesce(u.today, 0) AS today, coalesce(u.hour, 0) AS hour, coalesce(u.week, 0) AS week,
          u.last, coalesce(u."domainToday", 0) AS "domainToday"
     FROM (SELECT 1) AS one LEFT JOIN u ON true`,
);

/**
 * Reserves the step and, for an account, claims its quota, in one round trip and one implicit
 * transaction: lock the enrollment (still active at the decided step) and the account, read the
 * account's counters and the recipient domain's sends under that lock, and only when every cap
 * has room insert the message `sending` (the counters' trigger counts it) and advance the
 * enrollment. The account's lock ends with that transaction, so reservations on one account queue
 * for a statement, never for a round trip to a busy worker.
 */
export async function claimAndReserve(
  db: Db,
  r: Reservation & { seenStep: number; senders: Record<string, string>; caps: QuotaCaps | null },
): Promise<Claim> {
  const caps = r.caps;
  const { rows } = await db.statement<{
    enrollment: boolean;
    status: string | null;
    today: number;
    hour: number;
    week: number;
    last: Date | null;
    domainToday: number;
    fits: boolean;
    inserted: MessageRow | null;
  }>(
    r.workspaceId,
    // The locks first, in statements of their own: each statement of the batch reads with a fresh
    // snapshot, so the counters below are read after the account's lock is ours (read in the
    // locking statement itself, they would be as of before the wait, and a cap could overshoot).
    `${execute(LOCK_ENROLLMENT, [r.enrollmentId])}; ${execute(LOCK_SENDER, [caps?.senderId ?? null])};
     ${execute(CLAIM, [
       r.enrollmentId,
       r.seenStep,
       caps?.senderId ?? null,
       caps?.quota ?? 'all',
       r.reservedAt,
       caps?.daily ?? null,
       caps?.hourly ?? null,
       caps?.weekly ?? null,
       caps?.minGapSeconds ?? 0,
       caps?.domainCap ?? null,
       r.recipientDomain,
       r.id,
       r.workspaceId,
       r.contactId,
       r.sequenceId,
       r.step,
       r.channel,
       r.purpose,
       r.provider,
       r.senderId,
       r.variant,
       r.subject,
       r.body,
       r.recipient,
       r.rfcMessageId,
       r.providerThreadId,
       r.leaseUntil,
       JSON.stringify(r.writer ?? {}),
       JSON.stringify(r.senders),
     ])}`,
    [LOCK_ENROLLMENT, LOCK_SENDER, CLAIM],
  );
  const row = rows[0];
  if (!row?.enrollment) return { kind: 'moved' };
  if (row.inserted) return { kind: 'reserved', message: messageFromJson(row.inserted) };
  if (row.fits) return { kind: 'exists' };
  return {
    kind: 'refused',
    status: row.status,
    usage: { today: row.today, thisHour: row.hour, thisWeek: row.week, lastSentAt: row.last },
    domainToday: row.domainToday,
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

// $1 workspace, $2 message, $3 enrollment, $4 contact, $5 provider message id, $6 provider thread id,
// $7 sent at, $8/$9/$10 the timeline entry's summary, data and id, $11 whether this was the last step.
const RECORD_SENT = prepare(
  ['uuid', 'uuid', 'uuid', 'uuid', 'text', 'text', 'timestamptz', 'text', 'jsonb', 'uuid', 'boolean'],
  `WITH e AS (SELECT id, status FROM enrollments WHERE id = $3 FOR UPDATE),
   m AS (UPDATE messages SET status = 'sent', provider_message_id = $5,
            provider_thread_id = coalesce($6, provider_thread_id), error = NULL, sent_at = $7, lease_until = NULL
          WHERE id = $2 AND status = 'sending' AND EXISTS (SELECT 1 FROM e)
         RETURNING id),
   ev AS (INSERT INTO message_events (workspace_id, message_id, event_type, machine, metadata, occurred_at)
          SELECT $1, m.id, 'sent', false, '{}', $7 FROM m),
   c AS (UPDATE contacts SET status = 'contacted', updated_at = now()
          WHERE id = $4 AND status = 'new' AND EXISTS (SELECT 1 FROM m)),
   a AS (INSERT INTO activities (workspace_id, contact_id, type, summary, data, occurred_at, id)
         SELECT $1, $4, 'sent', $8, $9, $7, $10 FROM m),
   n AS (UPDATE enrollments AS en
            SET next_run_at = CASE WHEN $11 AND en.status = 'active' THEN NULL ELSE $7 END,
                status = CASE WHEN $11 AND en.status = 'active' THEN 'completed' ELSE en.status END,
                completed_at = CASE WHEN $11 AND en.status = 'active' THEN $7 ELSE en.completed_at END,
                updated_at = now()
          WHERE en.id = $3 AND en.status IN ('active', 'paused') AND EXISTS (SELECT 1 FROM m)
         RETURNING ($11 AND (SELECT status FROM e) = 'active') AS completed)
   SELECT EXISTS (SELECT 1 FROM m) AS recorded, coalesce((SELECT NOT completed FROM n), false) AS continues,
          coalesce((SELECT completed FROM n), false) AS completed`,
);

/**
 * The common outcome — the provider accepted the message — recorded in one statement and one
 * round trip: the message `sent` (only if it is still `sending`: a reservation is settled once),
 * its `sent` event, the contact `contacted`, the timeline entry, and, while the enrollment runs,
 * its next step due now, or, when this was the sequence's last step, the enrollment `completed`
 * (a paused enrollment is left for its next run to finish). Returns whether it was recorded,
 * whether the enrollment runs on, and whether it completed; `then` rides in the same round trip.
 */
export async function recordSent(
  db: Db,
  input: {
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
  },
  /** More statements for the same round trip, run after the record when the enrollment runs on. */
  then?: { text: string; uses: readonly Prepared[] },
): Promise<{ recorded: boolean; continues: boolean; completed: boolean; then?: unknown[][] }> {
  const results = await db.statements(
    input.workspaceId,
    `${execute(RECORD_SENT, [
      input.workspaceId,
      input.messageId,
      input.enrollmentId,
      input.contactId,
      input.providerMessageId,
      input.providerThreadId,
      input.sentAt,
      input.activity.summary,
      JSON.stringify(input.activity.data),
      input.activity.id,
      input.last,
    ])}${then ? `;\n${then.text}` : ''}`,
    [RECORD_SENT, ...(then?.uses ?? [])],
  );
  // After the tenant settings' result: the record's, then those of `then`.
  const row = results[1]?.rows[0] as { recorded: boolean; continues: boolean; completed: boolean } | undefined;
  const continues = row?.continues ?? false;
  return {
    recorded: row?.recorded ?? false,
    continues,
    completed: row?.completed ?? false,
    ...(then && continues ? { then: results.slice(2).map((r) => r.rows) } : {}),
  };
}
