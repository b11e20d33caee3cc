-- Reserving and recording a batch of steps as sets instead of item by item. Migration 009 runs each
-- item of a batch through its own statements in its own subtransaction; most of PostgreSQL's work
-- per step was then starting and ending those statements and the per-row triggers they fire, not
-- the rows themselves. Here a batch is one statement, with the item-by-item functions of 009 kept
-- (renamed *_each) for the cases a set cannot decide exactly, and as the fallback when the set
-- statement fails (each item then fails or succeeds on its own, as before).

ALTER FUNCTION qh_claim_steps(jsonb) RENAME TO qh_claim_steps_each;
ALTER FUNCTION qh_record_sent(jsonb) RENAME TO qh_record_sent_each;

-- The usage counters, kept per statement instead of per row: one aggregated upsert for every
-- message a statement inserts or updates (a reservation batch, a recorded batch), from the
-- statement's transition tables. What counts is unchanged (006): a message counts against its
-- account's day, hour and week while its status is one of sending, sent, delivered, bounced or
-- unknown; it is added when it enters that set (or moves to another window, account or quota class)
-- and taken away when it leaves. Increments and decrements are applied separately, each in the
-- counters' key order (two statements on the same counters never lock them in opposite orders), and
-- a decrement never takes a counter below zero.
-- The counter windows a list of changes touches, one row per account, class, kind and window:
-- `direction` 1 for the messages that entered the counted set, -1 for those that left it.
CREATE FUNCTION qh_usage_groups(deltas jsonb, direction integer)
RETURNS TABLE (workspace_id uuid, sender_id uuid, class text, kind text, window_start timestamptz, n integer,
  last_at timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT d.workspace_id, d.sender_id, qh_quota_class(d.channel, d.purpose), k.kind,
         CASE k.kind WHEN 'day' THEN w.day_start WHEN 'hour' THEN w.hour_start ELSE w.week_start END,
         count(*)::int, max(CASE WHEN k.kind = 'hour' THEN d.reserved_at END)
    FROM jsonb_to_recordset(deltas) AS d (workspace_id uuid, sender_id uuid, channel text, purpose text,
           reserved_at timestamptz, delta int)
    JOIN senders s ON s.id = d.sender_id
   CROSS JOIN LATERAL qh_quota_windows(d.reserved_at, s.timezone) AS w
   CROSS JOIN (VALUES ('day'), ('hour'), ('week')) AS k (kind)
   WHERE d.delta = direction
   GROUP BY 1, 2, 3, 4, 5
$$;

CREATE FUNCTION qh_usage_apply_deltas(deltas jsonb) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
BEGIN
  -- Taken away: the windows of the messages that left the counted set (or moved).
  UPDATE sender_usage AS u SET n = greatest(u.n - g.n, 0)
    FROM (SELECT * FROM qh_usage_groups(deltas, -1) ORDER BY sender_id, class, kind, window_start) AS g
   WHERE u.sender_id = g.sender_id AND u.class = g.class AND u.kind = g.kind AND u.window_start = g.window_start;
  -- Added: the windows of the messages that entered it; the hour rows keep the latest reservation.
  INSERT INTO sender_usage AS u (workspace_id, sender_id, class, kind, window_start, n, last_at)
  SELECT * FROM qh_usage_groups(deltas, 1) ORDER BY sender_id, class, kind, window_start
  ON CONFLICT (sender_id, class, kind, window_start) DO UPDATE
    SET n = u.n + excluded.n, last_at = greatest(u.last_at, excluded.last_at);
END
$fn$;

CREATE FUNCTION qh_count_usage_inserted() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  deltas jsonb;
BEGIN
  SELECT jsonb_agg(jsonb_build_object('workspace_id', n.workspace_id, 'sender_id', n.sender_id, 'channel', n.channel,
           'purpose', n.purpose, 'reserved_at', n.reserved_at, 'delta', 1))
    INTO deltas
    FROM new_rows n
   WHERE n.sender_id IS NOT NULL AND n.status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown');
  IF deltas IS NOT NULL THEN PERFORM qh_usage_apply_deltas(deltas); END IF;
  RETURN NULL;
END
$fn$;

CREATE FUNCTION qh_count_usage_updated() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  deltas jsonb;
BEGIN
  WITH pairs AS (
    SELECT o.workspace_id, o.sender_id AS o_sender, o.channel AS o_channel, o.purpose AS o_purpose,
           o.reserved_at AS o_reserved, n.sender_id AS n_sender, n.channel AS n_channel, n.purpose AS n_purpose,
           n.reserved_at AS n_reserved,
           o.sender_id IS NOT NULL AND o.status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown') AS was,
           n.sender_id IS NOT NULL AND n.status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown') AS is_now
      FROM old_rows o JOIN new_rows n ON n.id = o.id),
  moved AS (
    SELECT * FROM pairs
     WHERE (was OR is_now)
       AND NOT (was AND is_now AND o_sender = n_sender AND o_reserved = n_reserved AND o_channel = n_channel
                AND o_purpose = n_purpose))
  SELECT jsonb_agg(x) INTO deltas FROM (
    SELECT jsonb_build_object('workspace_id', workspace_id, 'sender_id', o_sender, 'channel', o_channel,
             'purpose', o_purpose, 'reserved_at', o_reserved, 'delta', -1) AS x FROM moved WHERE was
    UNION ALL
    SELECT jsonb_build_object('workspace_id', workspace_id, 'sender_id', n_sender, 'channel', n_channel,
             'purpose', n_purpose, 'reserved_at', n_reserved, 'delta', 1) FROM moved WHERE is_now) AS all_deltas;
  IF deltas IS NOT NULL THEN PERFORM qh_usage_apply_deltas(deltas); END IF;
  RETURN NULL;
END
$fn$;

DROP TRIGGER messages_count_usage ON messages;
CREATE TRIGGER messages_count_usage_inserted AFTER INSERT ON messages
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION qh_count_usage_inserted();
CREATE TRIGGER messages_count_usage_updated AFTER UPDATE ON messages
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION qh_count_usage_updated();

-- Reserving a batch (items as in 009's qh_claim_steps, now qh_claim_steps_each). The locks are taken
-- first, in the same order as always: every enrollment of the batch by id, then every account of
-- the batch by id. The set statement after them (a fresh snapshot, so it reads the counters as they
-- are once the locks are ours) checks each item as if every earlier item of the batch (in the order
-- of 009: by account, then enrollment) had been reserved. When every item whose enrollment is still
-- at its step fits that way, none of the true counts can be higher, so all of them fit one by one
-- too, and the statement reserves them together. When any item does not fit, a cap is binding
-- somewhere in the batch and only going item by item says which items get the last places: the
-- batch then runs through qh_claim_steps_each, under the locks already held.
CREATE FUNCTION qh_claim_steps(items jsonb) RETURNS SETOF jsonb
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
  outcomes jsonb;
  -- Every row the statements touch is named by these arrays too: each scan of a table is then a
  -- primary-key lookup whatever the planner thinks of the table's size (a plan made before the
  -- first ANALYZE of a new database would otherwise scan the workspace's rows for each item).
  ids uuid[] := ARRAY(SELECT (i ->> 'enrollment')::uuid FROM jsonb_array_elements(items) AS i);
  accounts uuid[] := ARRAY(SELECT (i ->> 'account')::uuid FROM jsonb_array_elements(items) AS i
                            WHERE i ->> 'account' IS NOT NULL);
BEGIN
  PERFORM 1 FROM enrollments WHERE id = ANY (ids) ORDER BY id FOR UPDATE;
  PERFORM 1 FROM senders WHERE id = ANY (accounts) ORDER BY id FOR UPDATE;
  BEGIN
    WITH x AS (
      SELECT x.*, row_number() OVER (ORDER BY x.account NULLS LAST, x.enrollment, x.ord) AS pos
        FROM jsonb_to_recordset(items) AS x (
          ord int, enrollment uuid, "seenStep" int, account uuid, quota text, "reservedAt" timestamptz,
          daily int, hourly int, weekly int, "minGap" int, "domainCap" int, domain text, id uuid,
          workspace uuid, contact uuid, sequence uuid, step int, channel text, purpose text, provider text,
          sender uuid, variant int, subject text, body text, recipient text, "rfcMessageId" text,
          "threadId" text, "leaseUntil" timestamptz, writer jsonb, senders jsonb)),
    -- The items whose enrollment is still active at the step they saw (one per enrollment).
    live AS (
      SELECT DISTINCT ON (x.enrollment) x.pos FROM x JOIN enrollments e ON e.id = x.enrollment
       WHERE e.id = ANY (ids) AND e.status = 'active' AND e.current_step = x."seenStep"
       ORDER BY x.enrollment, x.pos),
    -- Each live item with its account's counters before this batch and the windows they are kept in.
    lx AS (
      SELECT x.*, s.status AS account_status, q.today, q.hour, q.week, q.last, w.day_start, w.hour_start, w.week_start,
             CASE WHEN x."domainCap" IS NULL OR x.domain IS NULL OR s.id IS NULL THEN 0
                  ELSE (SELECT count(*)::int FROM messages m
                         WHERE m.recipient_domain = x.domain AND m.reserved_at >= w.day_start
                           AND m.status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown')) END AS dom
        FROM x JOIN live USING (pos)
        LEFT JOIN senders s ON s.id = x.account AND s.id = ANY (accounts) AND s.deleted_at IS NULL
        LEFT JOIN LATERAL qh_sender_usage(s.id, s.timezone, x.quota, x."reservedAt") AS q ON s.id IS NOT NULL
        LEFT JOIN LATERAL qh_quota_windows(x."reservedAt", s.timezone) AS w ON s.id IS NOT NULL),
    -- What each live item sees with every earlier live item of the batch reserved (for the domain,
    -- every earlier one to that domain, whatever its day: a count that can only be higher).
    seen AS (
      SELECT lx.*,
             lx.today + count(*) OVER (PARTITION BY account, quota, day_start ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)::int AS today_b,
             lx.hour + count(*) OVER (PARTITION BY account, quota, hour_start ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)::int AS hour_b,
             lx.week + count(*) OVER (PARTITION BY account, quota, week_start ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)::int AS week_b,
             greatest(lx.last, max("reservedAt") OVER (PARTITION BY account, quota ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) AS last_b,
             lx.dom + count(*) OVER (PARTITION BY domain ORDER BY pos ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)::int AS dom_b
        FROM lx),
    judged AS (
      SELECT seen.*,
             account IS NULL OR coalesce(account_status = 'active' AND today_b < daily
               AND (hourly IS NULL OR hour_b < hourly) AND (weekly IS NULL OR week_b < weekly)
               AND ("minGap" = 0 OR last_b IS NULL OR last_b + "minGap" * interval '1 second' <= "reservedAt")
               AND ("domainCap" IS NULL OR domain IS NULL OR dom_b < "domainCap"), false) AS fits
        FROM seen),
    verdict AS (SELECT coalesce(bool_and(fits), true) AS all_fit FROM judged),
    ins AS (
      INSERT INTO messages AS m (id, workspace_id, enrollment_id, contact_id, sequence_id, step, channel, purpose,
        provider, sender_id, variant, status, subject, body, recipient, recipient_domain, rfc_message_id,
        provider_thread_id, lease_until, reserved_at, writer)
      SELECT j.id, j.workspace, j.enrollment, j.contact, j.sequence, j.step, j.channel, j.purpose, j.provider,
             j.sender, j.variant, 'sending', j.subject, j.body, j.recipient, j.domain, j."rfcMessageId",
             j."threadId", j."leaseUntil", j."reservedAt", j.writer
        FROM judged j
       WHERE (SELECT all_fit FROM verdict)
       ORDER BY j.enrollment
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
    -- A reservation that takes over a deferred message keeps that message's id: rows are matched
    -- by enrollment (one live item each), not by the id the item proposed.
    adv AS (
      UPDATE enrollments AS en SET current_step = j.step + 1, next_run_at = j."leaseUntil", senders = j.senders,
             updated_at = now()
        FROM ins JOIN judged j ON j.enrollment = ins."enrollmentId"
       WHERE en.id = ins."enrollmentId" AND en.id = ANY (ids))
    SELECT CASE WHEN (SELECT all_fit FROM verdict) THEN
             jsonb_agg(jsonb_build_object(
               'ord', x.ord, 'enrollment', j.pos IS NOT NULL, 'fits', j.pos IS NOT NULL,
               'inserted', CASE WHEN ins.id IS NULL THEN NULL ELSE to_jsonb(ins) END,
               'status', j.account_status, 'today', coalesce(j.today, 0), 'hour', coalesce(j.hour, 0),
               'week', coalesce(j.week, 0), 'last', j.last, 'domainToday', coalesce(j.dom, 0)))
           END
      INTO outcomes
      FROM x LEFT JOIN judged j USING (pos) LEFT JOIN ins ON ins."enrollmentId" = j.enrollment;
  EXCEPTION WHEN OTHERS THEN
    -- A constraint one item breaks (a duplicate id, say): item by item, it fails alone.
    outcomes := NULL;
  END;
  IF outcomes IS NULL THEN
    RETURN QUERY SELECT * FROM qh_claim_steps_each(items);
    RETURN;
  END IF;
  RETURN QUERY SELECT jsonb_array_elements(outcomes);
END
$fn$;

-- Recording a batch of accepted sends (items as in 009's qh_record_sent, now qh_record_sent_each):
-- per item exactly what recording one send does, for all items in one statement. A message is
-- recorded once (only while `sending`, and only the first item of a batch that names it). When the
-- statement fails, the batch goes item by item, so a bad item fails alone.
CREATE FUNCTION qh_record_sent(items jsonb) RETURNS SETOF jsonb
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
  outcomes jsonb;
  -- As in qh_claim_steps: every table is reached through its primary key.
  ids uuid[] := ARRAY(SELECT (i ->> 'enrollment')::uuid FROM jsonb_array_elements(items) AS i);
  messages_ uuid[] := ARRAY(SELECT (i ->> 'message')::uuid FROM jsonb_array_elements(items) AS i);
  contacts_ uuid[] := ARRAY(SELECT (i ->> 'contact')::uuid FROM jsonb_array_elements(items) AS i);
BEGIN
  BEGIN
    WITH x AS (
      SELECT * FROM jsonb_to_recordset(items) AS x (
        ord int, workspace uuid, message uuid, enrollment uuid, contact uuid, "providerMessageId" text,
        "threadId" text, "sentAt" timestamptz, summary text, data jsonb, activity uuid, last boolean,
        "completedActivity" uuid)),
    firsts AS (SELECT DISTINCT ON (message) * FROM x ORDER BY message, ord),
    e AS (SELECT id, status, sequence_id FROM enrollments WHERE id = ANY (ids) ORDER BY id FOR UPDATE),
    m AS (
      UPDATE messages SET status = 'sent', provider_message_id = f."providerMessageId",
             provider_thread_id = coalesce(f."threadId", messages.provider_thread_id), error = NULL,
             sent_at = f."sentAt", lease_until = NULL
        FROM firsts f
       WHERE messages.id = ANY (messages_) AND messages.id = f.message AND messages.status = 'sending'
         AND f.enrollment IN (SELECT id FROM e)
      RETURNING messages.id, f.ord),
    recorded AS (SELECT f.* FROM firsts f JOIN m ON m.ord = f.ord),
    ev AS (
      INSERT INTO message_events (workspace_id, message_id, event_type, machine, metadata, occurred_at)
      SELECT r.workspace, r.message, 'sent', false, '{}', r."sentAt" FROM recorded r ORDER BY r.message),
    c AS (
      UPDATE contacts SET status = 'contacted', updated_at = now()
       WHERE id = ANY (contacts_) AND id IN (SELECT contact FROM recorded) AND status = 'new'),
    a AS (
      INSERT INTO activities (workspace_id, contact_id, type, summary, data, occurred_at, id)
      SELECT r.workspace, r.contact, 'sent', r.summary, r.data, r."sentAt", r.activity FROM recorded r ORDER BY r.activity),
    n AS (
      UPDATE enrollments AS en
         SET next_run_at = CASE WHEN r.last AND en.status = 'active' THEN NULL ELSE r."sentAt" END,
             status = CASE WHEN r.last AND en.status = 'active' THEN 'completed' ELSE en.status END,
             completed_at = CASE WHEN r.last AND en.status = 'active' THEN r."sentAt" ELSE en.completed_at END,
             updated_at = now()
        FROM recorded r
       WHERE en.id = ANY (ids) AND en.id = r.enrollment AND en.status IN ('active', 'paused')
      RETURNING r.ord, (r.last AND (SELECT e.status FROM e WHERE e.id = en.id) = 'active') AS completed),
    -- The outcome on the timeline ("Completed …"), written with the last send; the
    -- outreach/sequence.completed job then finds it logged (src/engine/completed.ts).
    done AS (
      INSERT INTO activities (workspace_id, contact_id, type, summary, data, occurred_at, id)
      SELECT r.workspace, r.contact, 'completed',
             format('Completed "%s": %s message%s sent, no reply', s.name, c.sent, CASE WHEN c.sent = 1 THEN '' ELSE 's' END),
             jsonb_build_object('enrollmentId', r.enrollment, 'sequenceId', e.sequence_id, 'sent', c.sent),
             r."sentAt", r."completedActivity"
        FROM n JOIN recorded r ON r.ord = n.ord JOIN e ON e.id = r.enrollment
        JOIN sequences s ON s.id = e.sequence_id
       -- This statement sees the message it records as still sending: it is one of the sent.
       CROSS JOIN LATERAL (SELECT count(*)::int + 1 AS sent FROM messages m
                            WHERE m.enrollment_id = r.enrollment AND m.id <> r.message
                              AND m.status IN ('sent', 'delivered')) AS c
       WHERE n.completed AND r."completedActivity" IS NOT NULL)
    SELECT jsonb_agg(jsonb_build_object(
             'ord', x.ord, 'recorded', recorded.ord IS NOT NULL,
             'continues', coalesce(NOT n.completed, false), 'completed', coalesce(n.completed, false)))
      INTO outcomes
      FROM x LEFT JOIN recorded ON recorded.ord = x.ord LEFT JOIN n ON n.ord = x.ord;
  EXCEPTION WHEN OTHERS THEN
    outcomes := NULL;
  END;
  IF outcomes IS NULL THEN
    RETURN QUERY SELECT * FROM qh_record_sent_each(items);
    RETURN;
  END IF;
  RETURN QUERY SELECT jsonb_array_elements(outcomes);
END
$fn$;

-- Foreign keys a step's rows no longer check. Each check is a lookup and a row lock on the parent
-- (the workspace's and the sequence's rows are locked by every concurrent step), done per row:
-- about half of what inserting a reserved message cost. Every row keeps the keys that carry its
-- deletion: a message goes with its enrollment (which goes with its contact, sequence and
-- workspace), an event with its message, an activity with its contact; erasing a contact or a
-- sequence, or deleting a workspace, still removes all of them. What the dropped keys checked is
-- checked where the row is written: the tenant's id by row-level security (WITH CHECK), the
-- enrollment's contact and sequence by the reservation, which takes them from the enrollment, and
-- the account by the reservation's lock on it. Accounts are never deleted (DELETE /v1/senders
-- marks them deleted), so a message's sender_id always names one.
ALTER TABLE messages
  DROP CONSTRAINT messages_workspace_id_fkey,
  DROP CONSTRAINT messages_contact_id_fkey,
  DROP CONSTRAINT messages_sequence_id_fkey,
  DROP CONSTRAINT messages_sender_id_fkey;
ALTER TABLE message_events DROP CONSTRAINT message_events_workspace_id_fkey;
ALTER TABLE activities DROP CONSTRAINT activities_workspace_id_fkey;
