-- Reserving and recording steps for many enrollments in one statement. A worker runs dozens of
-- enrollments at once; their reservations (and their recorded sends) that queue up while one batch
-- is in flight go together in the next (src/db/coalesce.ts). Each function loops over its items in
-- PL/pgSQL, where a statement costs a tenth of what it costs sent from the client, and runs each
-- item exactly as it would run alone: in its own subtransaction (an item that fails is reported,
-- and the others stand), reading the account's counters after the account's lock is held and after
-- the items before it in the batch (one transaction: it sees its own writes).

-- items: [{ord, enrollment, seenStep, account, quota, reservedAt, daily, hourly, weekly, minGap,
-- domainCap, domain, id, workspace, contact, sequence, step, channel, purpose, provider, sender,
-- variant, subject, body, recipient, rfcMessageId, threadId, leaseUntil, writer, senders}]
-- (account: the account whose caps apply, null for the sandbox; caps null = none). One jsonb per
-- item: {ord, enrollment, fits, inserted, status, today, hour, week, last, domainToday}, or
-- {ord, error, code} when the item failed.
CREATE FUNCTION qh_claim_steps(items jsonb) RETURNS SETOF jsonb
LANGUAGE plpgsql
-- Planned once per connection: a custom plan of the claim statement costs more than running it.
SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
  r record;
  outcome jsonb;
BEGIN
  -- Lock order, the same in every batch: all the enrollments by id, then the accounts by id as the
  -- items (sorted by account) reach them. A lone reservation locks its enrollment, then its account.
  PERFORM 1 FROM enrollments
   WHERE id = ANY (ARRAY(SELECT (i ->> 'enrollment')::uuid FROM jsonb_array_elements(items) AS i))
   ORDER BY id FOR UPDATE;
  FOR r IN
    SELECT * FROM jsonb_to_recordset(items) AS x (
      ord int, enrollment uuid, "seenStep" int, account uuid, quota text, "reservedAt" timestamptz,
      daily int, hourly int, weekly int, "minGap" int, "domainCap" int, domain text, id uuid,
      workspace uuid, contact uuid, sequence uuid, step int, channel text, purpose text, provider text,
      sender uuid, variant int, subject text, body text, recipient text, "rfcMessageId" text,
      "threadId" text, "leaseUntil" timestamptz, writer jsonb, senders jsonb)
    ORDER BY account NULLS LAST, enrollment
  LOOP
    BEGIN
      -- The lock in a statement of its own: the next statement reads the counters with a fresh
      -- snapshot, taken once the lock is ours.
      PERFORM 1 FROM senders WHERE id = r.account FOR UPDATE;
      WITH e AS (SELECT id FROM enrollments
                  WHERE id = r.enrollment AND status = 'active' AND current_step = r."seenStep"),
      s AS (SELECT id, status, timezone FROM senders
             WHERE id = r.account AND deleted_at IS NULL AND EXISTS (SELECT 1 FROM e)),
      u AS (SELECT s.status, q.today, q.hour, q.week, q.last,
              CASE WHEN r."domainCap" IS NULL OR r.domain IS NULL THEN 0
                   ELSE (SELECT count(*)::int FROM messages
                          WHERE recipient_domain = r.domain AND reserved_at >= q.day_start
                            AND status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown')) END AS "domainToday"
            FROM s, qh_sender_usage(s.id, s.timezone, r.quota, r."reservedAt") AS q),
      ok AS (SELECT 1 WHERE EXISTS (SELECT 1 FROM e)
               AND (r.account IS NULL OR EXISTS (SELECT 1 FROM u WHERE u.status = 'active' AND u.today < r.daily
                      AND (r.hourly IS NULL OR u.hour < r.hourly) AND (r.weekly IS NULL OR u.week < r.weekly)
                      AND (r."minGap" = 0 OR u.last IS NULL OR u.last + r."minGap" * interval '1 second' <= r."reservedAt")
                      AND (r."domainCap" IS NULL OR r.domain IS NULL OR u."domainToday" < r."domainCap")))),
      ins AS (
        INSERT INTO messages AS m (id, workspace_id, enrollment_id, contact_id, sequence_id, step, channel, purpose,
          provider, sender_id, variant, status, subject, body, recipient, recipient_domain, rfc_message_id,
          provider_thread_id, lease_until, reserved_at, writer)
        SELECT r.id, r.workspace, r.enrollment, r.contact, r.sequence, r.step, r.channel, r.purpose, r.provider,
               r.sender, r.variant, 'sending', r.subject, r.body, r.recipient, r.domain, r."rfcMessageId",
               r."threadId", r."leaseUntil", r."reservedAt", r.writer
         WHERE EXISTS (SELECT 1 FROM ok)
        ON CONFLICT (enrollment_id, step) DO UPDATE SET
          status = 'sending', channel = excluded.channel, purpose = excluded.purpose, provider = excluded.provider,
          sender_id = excluded.sender_id, subject = excluded.subject, body = excluded.body,
          recipient = excluded.recipient, recipient_domain = excluded.recipient_domain,
          lease_until = excluded.lease_until, reserved_at = excluded.reserved_at, writer = excluded.writer,
          attempts = m.attempts + 1, error = NULL
        WHERE m.status = 'deferred'
        RETURNING id, workspace_id AS "workspaceId", enrollment_id AS "enrollmentId", contact_id AS "contactId",
          sequence_id AS "sequenceId", step, channel, purpose, provider, sender_id AS "senderId", variant, status,
          subject, body, recipient, rfc_message_id AS "rfcMessageId", provider_message_id AS "providerMessageId",
          provider_thread_id AS "providerThreadId", error, attempts, lease_until AS "leaseUntil",
          reserved_at AS "reservedAt", sent_at AS "sentAt", opened_at AS "openedAt", clicked_at AS "clickedAt"),
      adv AS (
        UPDATE enrollments SET current_step = r.step + 1, next_run_at = r."leaseUntil", senders = r.senders,
               updated_at = now()
         WHERE id = r.enrollment AND EXISTS (SELECT 1 FROM ins)
        RETURNING 1)
      SELECT jsonb_build_object(
               'ord', r.ord, 'enrollment', EXISTS (SELECT 1 FROM e), 'fits', EXISTS (SELECT 1 FROM ok),
               'inserted', (SELECT to_jsonb(ins) FROM ins), 'advanced', (SELECT count(*) FROM adv),
               'status', u.status, 'today', coalesce(u.today, 0), 'hour', coalesce(u.hour, 0),
               'week', coalesce(u.week, 0), 'last', u.last, 'domainToday', coalesce(u."domainToday", 0))
        INTO outcome
        FROM (SELECT 1) AS one LEFT JOIN u ON true;
      RETURN NEXT outcome;
    EXCEPTION WHEN OTHERS THEN
      RETURN NEXT jsonb_build_object('ord', r.ord, 'error', SQLERRM, 'code', SQLSTATE);
    END;
  END LOOP;
END
$fn$;

-- items: [{ord, workspace, message, enrollment, contact, providerMessageId, threadId, sentAt,
-- summary, data, activity, last}]. One jsonb per item: {ord, recorded, continues, completed}, or
-- {ord, error, code}. Per item, exactly what recording one send does: the message `sent` (only
-- while it is `sending`), its `sent` event, the contact `contacted`, the timeline entry, and the
-- enrollment's next step due now or, after its last step, the enrollment completed.
CREATE FUNCTION qh_record_sent(items jsonb) RETURNS SETOF jsonb
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
  r record;
  outcome jsonb;
BEGIN
  FOR r IN
    SELECT * FROM jsonb_to_recordset(items) AS x (
      ord int, workspace uuid, message uuid, enrollment uuid, contact uuid, "providerMessageId" text,
      "threadId" text, "sentAt" timestamptz, summary text, data jsonb, activity uuid, last boolean)
    ORDER BY enrollment
  LOOP
    BEGIN
      WITH e AS (SELECT id, status FROM enrollments WHERE id = r.enrollment FOR UPDATE),
      m AS (UPDATE messages SET status = 'sent', provider_message_id = r."providerMessageId",
               provider_thread_id = coalesce(r."threadId", provider_thread_id), error = NULL, sent_at = r."sentAt",
               lease_until = NULL
             WHERE id = r.message AND status = 'sending' AND EXISTS (SELECT 1 FROM e)
            RETURNING id),
      ev AS (INSERT INTO message_events (workspace_id, message_id, event_type, machine, metadata, occurred_at)
             SELECT r.workspace, m.id, 'sent', false, '{}', r."sentAt" FROM m),
      c AS (UPDATE contacts SET status = 'contacted', updated_at = now()
             WHERE id = r.contact AND status = 'new' AND EXISTS (SELECT 1 FROM m)),
      a AS (INSERT INTO activities (workspace_id, contact_id, type, summary, data, occurred_at, id)
            SELECT r.workspace, r.contact, 'sent', r.summary, r.data, r."sentAt", r.activity FROM m),
      n AS (UPDATE enrollments AS en
               SET next_run_at = CASE WHEN r.last AND en.status = 'active' THEN NULL ELSE r."sentAt" END,
                   status = CASE WHEN r.last AND en.status = 'active' THEN 'completed' ELSE en.status END,
                   completed_at = CASE WHEN r.last AND en.status = 'active' THEN r."sentAt" ELSE en.completed_at END,
                   updated_at = now()
             WHERE en.id = r.enrollment AND en.status IN ('active', 'paused') AND EXISTS (SELECT 1 FROM m)
            RETURNING (r.last AND (SELECT status FROM e) = 'active') AS completed)
      SELECT jsonb_build_object(
               'ord', r.ord, 'recorded', EXISTS (SELECT 1 FROM m),
               'continues', coalesce((SELECT NOT completed FROM n), false),
               'completed', coalesce((SELECT completed FROM n), false))
        INTO outcome;
      RETURN NEXT outcome;
    EXCEPTION WHEN OTHERS THEN
      RETURN NEXT jsonb_build_object('ord', r.ord, 'error', SQLERRM, 'code', SQLSTATE);
    END;
  END LOOP;
END
$fn$;

-- The claim's count of a recipient domain's sends today, planned once per connection: on a table
-- without statistics yet (a new database) the planner took the workspace's paging index for it and
-- scanned every message of the workspace. Partial on the statuses it counts, this index is the
-- cheaper path with or without statistics.
DROP INDEX messages_domain_usage;
CREATE INDEX messages_domain_usage ON messages (workspace_id, recipient_domain, reserved_at)
  WHERE status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown');
