// Messages: one row per enrollment and step, written `sending` before the provider is called.
import { encodeIdCursor } from './cursor.ts';
import { literal, type Db, type Sql } from './database.ts';

export type MessageStatus =
  'sending' | 'deferred' | 'sent' | 'delivered' | 'failed' | 'bounced' | 'unknown' | 'cancelled';

export type MessageRow = {
  id: string;
  workspaceId: string;
  enrollmentId: string;
  contactId: string;
  sequenceId: string;
  step: number;
  channel: string;
  purpose: string;
  provider: string;
  senderId: string | null;
  variant: number;
  status: MessageStatus;
  subject: string | null;
  body: string;
  recipient: string | null;
  rfcMessageId: string | null;
  providerMessageId: string | null;
  providerThreadId: string | null;
  error: string | null;
  attempts: number;
  leaseUntil: Date | null;
  reservedAt: Date;
  sentAt: Date | null;
  openedAt: Date | null;
  clickedAt: Date | null;
};

export const MESSAGE_COLUMNS = `id, workspace_id AS "workspaceId", enrollment_id AS "enrollmentId", contact_id AS "contactId",
  sequence_id AS "sequenceId", step, channel, purpose, provider, sender_id AS "senderId", variant, status, subject, body,
  recipient, rfc_message_id AS "rfcMessageId", provider_message_id AS "providerMessageId",
  provider_thread_id AS "providerThreadId", error, attempts, lease_until AS "leaseUntil", reserved_at AS "reservedAt",
  sent_at AS "sentAt", opened_at AS "openedAt", clicked_at AS "clickedAt"`;

export async function messagesOfEnrollment(sql: Sql, enrollmentId: string): Promise<MessageRow[]> {
  const { rows } = await sql.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE enrollment_id = $1 ORDER BY step`,
    [enrollmentId],
  );
  return rows;
}

export async function getMessage(sql: Sql, id: string): Promise<MessageRow | undefined> {
  const { rows } = await sql.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1`, [id]);
  return rows[0];
}

export type Reservation = Pick<
  MessageRow,
  | 'id'
  | 'workspaceId'
  | 'enrollmentId'
  | 'contactId'
  | 'sequenceId'
  | 'step'
  | 'channel'
  | 'purpose'
  | 'provider'
  | 'senderId'
  | 'variant'
  | 'subject'
  | 'body'
  | 'recipient'
  | 'rfcMessageId'
  | 'providerThreadId'
> & { recipientDomain: string | null; leaseUntil: Date; reservedAt: Date; writer: unknown };

/** Takes an unconfirmed reservation over for a reconciliation, under a fresh lease. */
export async function renewLease(sql: Sql, id: string, leaseUntil: Date): Promise<void> {
  await sql.query(`UPDATE messages SET lease_until = $2 WHERE id = $1 AND status = 'sending'`, [id, leaseUntil]);
}

export async function markMessage(
  sql: Sql,
  id: string,
  patch: {
    status: MessageStatus;
    providerMessageId?: string;
    providerThreadId?: string;
    error?: string | null;
    sentAt?: Date;
  },
): Promise<void> {
  await sql.query(
    `UPDATE messages SET status = $2, provider_message_id = coalesce($3, provider_message_id),
       provider_thread_id = coalesce($4, provider_thread_id), error = $5, sent_at = coalesce($6, sent_at), lease_until = NULL
     WHERE id = $1`,
    [
      id,
      patch.status,
      patch.providerMessageId ?? null,
      patch.providerThreadId ?? null,
      patch.error ?? null,
      patch.sentAt ?? null,
    ],
  );
}

export async function addMessageEvent(
  sql: Sql,
  e: {
    workspaceId: string;
    messageId: string;
    type: string;
    occurredAt: Date;
    machine?: boolean;
    providerEventId?: string;
    metadata?: unknown;
  },
): Promise<boolean> {
  const { rowCount } = await sql.query(
    `INSERT INTO message_events (workspace_id, message_id, event_type, machine, provider_event_id, metadata, occurred_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (workspace_id, provider_event_id) DO NOTHING`,
    [
      e.workspaceId,
      e.messageId,
      e.type,
      e.machine ?? false,
      e.providerEventId ?? null,
      JSON.stringify(e.metadata ?? {}),
      e.occurredAt,
    ],
  );
  return rowCount === 1;
}

export type MessageFilter = {
  contactId?: string;
  enrollmentId?: string;
  status?: MessageStatus;
  channel?: string;
  limit: number;
  afterId?: string;
};

export async function listMessages(
  sql: Sql,
  f: MessageFilter,
): Promise<{ data: MessageRow[]; nextCursor: string | null }> {
  const { rows } = await sql.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages
      WHERE ($1::uuid IS NULL OR contact_id = $1) AND ($2::uuid IS NULL OR enrollment_id = $2)
        AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR channel = $4)
        AND ($5::uuid IS NULL OR id > $5)
      ORDER BY id LIMIT $6`,
    [f.contactId ?? null, f.enrollmentId ?? null, f.status ?? null, f.channel ?? null, f.afterId ?? null, f.limit + 1],
  );
  const data = rows.slice(0, f.limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > f.limit && last ? encodeIdCursor(last.id) : null };
}

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

/**
 * Reserves the step and, for an account, claims its quota, in one statement and one implicit
 * transaction: lock the enrollment (still at the decided step and running) and the account, read
 * the account's counters and the recipient domain's sends under that lock, and only when every cap
 * has room insert the message `sending` (the counters' trigger counts it) and advance the
 * enrollment. The account's lock ends with that statement's commit, so reservations on one account
 * queue for a statement, never for a round trip to a busy worker.
 */
export async function claimAndReserve(
  db: Db,
  r: Reservation & { seenStep: number; senders: Record<string, string>; caps: QuotaCaps | null },
): Promise<Claim> {
  // Values are written into the statement as quoted literals (one simple-protocol round trip), so
  // the planner sees them as constants and every lookup below is an index lookup.
  const q = (value: string | number | null) => (value === null ? 'NULL' : literal(String(value)));
  const at = q(r.reservedAt.toISOString());
  const caps = r.caps;
  const room = caps
    ? `EXISTS (SELECT 1 FROM u WHERE u.status = 'active' AND u.today < ${q(caps.daily)}::int
         ${caps.hourly === null ? '' : `AND u.hour < ${q(caps.hourly)}::int`}
         ${caps.weekly === null ? '' : `AND u.week < ${q(caps.weekly)}::int`}
         ${caps.minGapSeconds === 0 ? '' : `AND (u.last IS NULL OR u.last + ${q(caps.minGapSeconds)}::int * interval '1 second' <= ${at}::timestamptz)`}
         ${caps.domainCap === null || r.recipientDomain === null ? '' : `AND u."domainToday" < ${q(caps.domainCap)}::int`})`
    : 'true';
  const usage = (kind: string, window: string) =>
    `coalesce((SELECT n FROM sender_usage WHERE sender_id = s.id AND class = ${q(caps?.quota ?? 'all')}
       AND kind = '${kind}' AND window_start = w.${window}), 0)`;
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
    `SELECT 1 FROM enrollments WHERE id = ${q(r.enrollmentId)}::uuid FOR UPDATE;
     ${caps ? `SELECT 1 FROM senders WHERE id = ${q(caps.senderId)}::uuid FOR UPDATE;` : ''}
     WITH e AS (SELECT id FROM enrollments WHERE id = ${q(r.enrollmentId)}::uuid AND status IN ('active', 'paused')
                   AND current_step = ${q(r.seenStep)}::int FOR UPDATE),
     s AS (SELECT id, status, timezone FROM senders
            WHERE id = ${q(caps?.senderId ?? null)}::uuid AND deleted_at IS NULL AND EXISTS (SELECT 1 FROM e) FOR UPDATE),
     u AS (SELECT s.status, ${usage('day', 'day_start')} AS today, ${usage('hour', 'hour_start')} AS hour,
             ${usage('week', 'week_start')} AS week,
             (SELECT last_at FROM sender_usage WHERE sender_id = s.id AND class = ${q(caps?.quota ?? 'all')} AND kind = 'hour'
               ORDER BY window_start DESC LIMIT 1) AS last,
             ${
               caps !== null && caps.domainCap !== null && r.recipientDomain !== null
                 ? `(SELECT count(*)::int FROM messages WHERE recipient_domain = ${q(r.recipientDomain)} AND reserved_at >= w.day_start
                       AND status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown'))`
                 : '0'
             } AS "domainToday"
           FROM s, qh_quota_windows(${at}::timestamptz, s.timezone) AS w),
     ok AS (SELECT 1 WHERE EXISTS (SELECT 1 FROM e) AND ${room}),
     ins AS (
       INSERT INTO messages AS m (id, workspace_id, enrollment_id, contact_id, sequence_id, step, channel, purpose, provider,
         sender_id, variant, status, subject, body, recipient, recipient_domain, rfc_message_id, provider_thread_id,
         lease_until, reserved_at, writer)
       SELECT ${q(r.id)}::uuid, ${q(r.workspaceId)}::uuid, ${q(r.enrollmentId)}::uuid, ${q(r.contactId)}::uuid,
              ${q(r.sequenceId)}::uuid, ${q(r.step)}::int, ${q(r.channel)}, ${q(r.purpose)}, ${q(r.provider)},
              ${q(r.senderId)}::uuid, ${q(r.variant)}::int, 'sending', ${q(r.subject)}, ${q(r.body)}, ${q(r.recipient)},
              ${q(r.recipientDomain)}, ${q(r.rfcMessageId)}, ${q(r.providerThreadId)},
              ${q(r.leaseUntil.toISOString())}::timestamptz, ${at}::timestamptz, ${q(JSON.stringify(r.writer ?? {}))}::jsonb
        WHERE EXISTS (SELECT 1 FROM ok)
       ON CONFLICT (enrollment_id, step) DO UPDATE SET
         status = 'sending', channel = excluded.channel, purpose = excluded.purpose, provider = excluded.provider,
         sender_id = excluded.sender_id, subject = excluded.subject, body = excluded.body, recipient = excluded.recipient,
         recipient_domain = excluded.recipient_domain, lease_until = excluded.lease_until,
         reserved_at = excluded.reserved_at, writer = excluded.writer, attempts = m.attempts + 1, error = NULL
       WHERE m.status = 'deferred'
       RETURNING ${MESSAGE_COLUMNS}),
     adv AS (
       UPDATE enrollments SET current_step = ${q(r.step + 1)}::int, next_run_at = ${q(r.leaseUntil.toISOString())}::timestamptz,
              senders = ${q(JSON.stringify(r.senders))}::jsonb, status = 'active', updated_at = now()
        WHERE id = ${q(r.enrollmentId)}::uuid AND EXISTS (SELECT 1 FROM ins)
       RETURNING 1)
     SELECT EXISTS (SELECT 1 FROM e) AS enrollment, EXISTS (SELECT 1 FROM ok) AS fits,
            (SELECT row_to_json(ins) FROM ins) AS inserted, (SELECT count(*) FROM adv) AS advanced,
            u.status, coalesce(u.today, 0) AS today, coalesce(u.hour, 0) AS hour, coalesce(u.week, 0) AS week,
            u.last, coalesce(u."domainToday", 0) AS "domainToday"
       FROM (SELECT 1) AS one LEFT JOIN u ON true`,
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

/**
 * The common outcome — the provider accepted the message — recorded in one statement and one
 * round trip: the message `sent` (only if it is still `sending`: a reservation is settled once),
 * its `sent` event, the contact `contacted`, the timeline entry, and, while the enrollment runs,
 * its next step due now. Returns whether it was recorded and whether the enrollment runs on.
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
  },
): Promise<{ recorded: boolean; continues: boolean }> {
  const q = (value: string | null) => (value === null ? 'NULL' : literal(value));
  const ws = `${q(input.workspaceId)}::uuid`;
  const at = `${q(input.sentAt.toISOString())}::timestamptz`;
  const enrollment = `${q(input.enrollmentId)}::uuid`;
  const { rows } = await db.statement<{ recorded: boolean; continues: boolean }>(
    input.workspaceId,
    `WITH e AS (SELECT id FROM enrollments WHERE id = ${enrollment} FOR UPDATE),
     m AS (UPDATE messages SET status = 'sent', provider_message_id = ${q(input.providerMessageId)},
              provider_thread_id = coalesce(${q(input.providerThreadId)}, provider_thread_id), error = NULL,
              sent_at = ${at}, lease_until = NULL
            WHERE id = ${q(input.messageId)}::uuid AND status = 'sending' AND EXISTS (SELECT 1 FROM e)
           RETURNING id),
     ev AS (INSERT INTO message_events (workspace_id, message_id, event_type, machine, metadata, occurred_at)
            SELECT ${ws}, m.id, 'sent', false, '{}', ${at} FROM m),
     c AS (UPDATE contacts SET status = 'contacted', updated_at = now()
            WHERE id = ${q(input.contactId)}::uuid AND status = 'new' AND EXISTS (SELECT 1 FROM m)),
     a AS (INSERT INTO activities (workspace_id, contact_id, type, summary, data, occurred_at, id)
           SELECT ${ws}, ${q(input.contactId)}::uuid, 'sent', ${q(input.activity.summary)},
                  ${q(JSON.stringify(input.activity.data))}::jsonb, ${at}, ${q(input.activity.id)}::uuid FROM m),
     n AS (UPDATE enrollments SET next_run_at = ${at}, updated_at = now()
            WHERE id = ${enrollment} AND status IN ('active', 'paused') AND EXISTS (SELECT 1 FROM m)
           RETURNING 1)
     SELECT EXISTS (SELECT 1 FROM m) AS recorded, EXISTS (SELECT 1 FROM n) AS continues`,
  );
  return { recorded: rows[0]?.recorded ?? false, continues: rows[0]?.continues ?? false };
}
