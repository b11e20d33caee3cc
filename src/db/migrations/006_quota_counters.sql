-- Per-account usage counters, kept by a trigger on messages, so a quota check reads three small rows
-- instead of counting the account's messages (a cost that grew with every send).
--
-- A message counts against its account while its status is one of sending, sent, delivered,
-- bounced or unknown (exactly the set the quota used to count): the trigger adds one to the day, hour
-- and week windows of its reservation time when it enters that set and takes one away when it
-- leaves it (deferred, failed, cancelled). Windows are the account's local day, hour and ISO week,
-- computed in one place (qh_quota_windows) for both the trigger and the reader. LinkedIn
-- invitations and LinkedIn messages have separate caps, hence `class`. The hour rows also keep the
-- latest reservation time (last_at), which the minimum gap between two sends reads.
CREATE FUNCTION qh_quota_windows(at timestamptz, tz text,
  OUT day_start timestamptz, OUT hour_start timestamptz, OUT week_start timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT date_trunc('day', at AT TIME ZONE tz) AT TIME ZONE tz,
         date_trunc('hour', at AT TIME ZONE tz) AT TIME ZONE tz,
         date_trunc('week', at AT TIME ZONE tz) AT TIME ZONE tz
$$;

CREATE FUNCTION qh_quota_class(channel text, purpose text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN channel <> 'linkedin' THEN 'all'
              WHEN purpose = 'connection_request' THEN 'invite' ELSE 'message' END
$$;

CREATE TABLE sender_usage (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  sender_id uuid NOT NULL REFERENCES senders (id) ON DELETE CASCADE,
  class text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('day', 'hour', 'week')),
  window_start timestamptz NOT NULL,
  n integer NOT NULL DEFAULT 0,
  last_at timestamptz,
  PRIMARY KEY (sender_id, class, kind, window_start)
);

CREATE FUNCTION qh_usage_add(m messages, delta integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  zone text;
  w record;
BEGIN
  SELECT timezone INTO zone FROM senders WHERE id = m.sender_id;
  IF zone IS NULL THEN RETURN; END IF;
  w := qh_quota_windows(m.reserved_at, zone);
  INSERT INTO sender_usage AS u (workspace_id, sender_id, class, kind, window_start, n, last_at)
  VALUES (m.workspace_id, m.sender_id, qh_quota_class(m.channel, m.purpose), 'day', w.day_start, greatest(delta, 0), NULL),
         (m.workspace_id, m.sender_id, qh_quota_class(m.channel, m.purpose), 'hour', w.hour_start, greatest(delta, 0),
          CASE WHEN delta > 0 THEN m.reserved_at END),
         (m.workspace_id, m.sender_id, qh_quota_class(m.channel, m.purpose), 'week', w.week_start, greatest(delta, 0), NULL)
  ON CONFLICT (sender_id, class, kind, window_start) DO UPDATE
    SET n = greatest(u.n + delta, 0), last_at = greatest(u.last_at, excluded.last_at);
END
$$;

CREATE FUNCTION qh_count_usage() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  counted constant text[] := ARRAY['sending', 'sent', 'delivered', 'bounced', 'unknown'];
  was boolean := TG_OP = 'UPDATE' AND OLD.sender_id IS NOT NULL AND OLD.status = ANY (counted);
  is_now boolean := NEW.sender_id IS NOT NULL AND NEW.status = ANY (counted);
BEGIN
  IF was AND is_now AND OLD.sender_id = NEW.sender_id AND OLD.reserved_at = NEW.reserved_at
     AND OLD.channel = NEW.channel AND OLD.purpose = NEW.purpose THEN
    RETURN NULL;
  END IF;
  IF was THEN PERFORM qh_usage_add(OLD, -1); END IF;
  IF is_now THEN PERFORM qh_usage_add(NEW, 1); END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER messages_count_usage AFTER INSERT OR UPDATE OF status, sender_id, reserved_at, channel, purpose
  ON messages FOR EACH ROW EXECUTE FUNCTION qh_count_usage();

-- Recounts one account from its messages: the backfill below, and after an account's timezone
-- (so its windows) changed.
CREATE FUNCTION qh_rebuild_sender_usage(account uuid) RETURNS void
LANGUAGE sql AS $$
  DELETE FROM sender_usage WHERE sender_id = account;
  INSERT INTO sender_usage (workspace_id, sender_id, class, kind, window_start, n, last_at)
  SELECT m.workspace_id, m.sender_id, qh_quota_class(m.channel, m.purpose), k.kind,
         CASE k.kind WHEN 'day' THEN w.day_start WHEN 'hour' THEN w.hour_start ELSE w.week_start END,
         count(*), CASE WHEN k.kind = 'hour' THEN max(m.reserved_at) END
    FROM messages m
    JOIN senders s ON s.id = m.sender_id
   CROSS JOIN LATERAL qh_quota_windows(m.reserved_at, s.timezone) w
   CROSS JOIN (VALUES ('day'), ('hour'), ('week')) AS k (kind)
   WHERE m.sender_id = account AND m.status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown')
   GROUP BY 1, 2, 3, 4, 5;
$$;

SELECT qh_rebuild_sender_usage(id) FROM senders;

ALTER TABLE sender_usage ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON sender_usage TO quotahit_app
  USING (workspace_id = qh_current_workspace()) WITH CHECK (workspace_id = qh_current_workspace());
GRANT SELECT, INSERT, UPDATE, DELETE ON sender_usage TO quotahit_app;
