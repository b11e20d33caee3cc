-- The quota counters' hot path without per-call SQL-function overhead. A LANGUAGE sql function that
-- PostgreSQL cannot inline is parsed and planned again on every call (per statement execution, and
-- per transaction inside a trigger): qh_quota_windows, called by the claim statement, the accounts'
-- usage query and the messages trigger for every reservation, cost more than the lookups around it.
-- As a one-row set-returning function it is inlined into every query that calls it in FROM; the
-- trigger's counter update becomes a single statement that joins it, and reading an account's
-- counters (qh_sender_usage, below) is defined once for the claim and the ranking of accounts.
DROP FUNCTION qh_quota_windows(timestamptz, text);

CREATE FUNCTION qh_quota_windows(at timestamptz, tz text)
RETURNS TABLE (day_start timestamptz, hour_start timestamptz, week_start timestamptz)
LANGUAGE sql STABLE ROWS 1 AS $$
  SELECT date_trunc('day', at AT TIME ZONE tz) AT TIME ZONE tz,
         date_trunc('hour', at AT TIME ZONE tz) AT TIME ZONE tz,
         date_trunc('week', at AT TIME ZONE tz) AT TIME ZONE tz
$$;

-- An account's counters around a moment (its local day, hour and week) and its last send, read by
-- the claim statement (under the account's lock) and by the ranking of accounts: one definition.
CREATE FUNCTION qh_sender_usage(p_sender uuid, p_zone text, p_class text, p_at timestamptz)
RETURNS TABLE (today integer, hour integer, week integer, last timestamptz, day_start timestamptz)
LANGUAGE sql STABLE ROWS 1 AS $$
  SELECT coalesce((SELECT n FROM sender_usage WHERE sender_id = p_sender AND class = p_class AND kind = 'day'
                     AND window_start = w.day_start), 0),
         coalesce((SELECT n FROM sender_usage WHERE sender_id = p_sender AND class = p_class AND kind = 'hour'
                     AND window_start = w.hour_start), 0),
         coalesce((SELECT n FROM sender_usage WHERE sender_id = p_sender AND class = p_class AND kind = 'week'
                     AND window_start = w.week_start), 0),
         (SELECT last_at FROM sender_usage WHERE sender_id = p_sender AND class = p_class AND kind = 'hour'
           ORDER BY window_start DESC LIMIT 1),
         w.day_start
    FROM qh_quota_windows(p_at, p_zone) AS w
$$;

CREATE OR REPLACE FUNCTION qh_usage_add(m messages, delta integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sender_usage AS u (workspace_id, sender_id, class, kind, window_start, n, last_at)
  SELECT m.workspace_id, m.sender_id, qh_quota_class(m.channel, m.purpose), k.kind,
         CASE k.kind WHEN 'day' THEN w.day_start WHEN 'hour' THEN w.hour_start ELSE w.week_start END,
         greatest(delta, 0), CASE WHEN k.kind = 'hour' AND delta > 0 THEN m.reserved_at END
    FROM senders s
   CROSS JOIN LATERAL qh_quota_windows(m.reserved_at, s.timezone) AS w
   CROSS JOIN (VALUES ('day'), ('hour'), ('week')) AS k (kind)
   WHERE s.id = m.sender_id
  ON CONFLICT (sender_id, class, kind, window_start) DO UPDATE
    SET n = greatest(u.n + delta, 0), last_at = greatest(u.last_at, excluded.last_at);
END
$$;
