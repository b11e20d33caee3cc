-- LinkedIn's weekly invitation limit is a rolling 7 days, not a calendar week: a LinkedIn account's
-- connection requests (quota class 'invite') count against its weekly cap while they are younger than
-- 7 days (reserved after p_at - 7 days). Every other class keeps its calendar-week counter. The
-- count reads the account's counted messages through messages_sender_usage (sender_id,
-- reserved_at, on exactly the counted statuses); an account sends at most a few hundred requests a
-- week, so it stays a short index range. The signature is unchanged: the claim statement
-- (qh_claim_steps) and the accounts' usage read get the rolling count with no other change.
CREATE OR REPLACE FUNCTION qh_sender_usage(p_sender uuid, p_zone text, p_class text, p_at timestamptz)
RETURNS TABLE (today integer, hour integer, week integer, last timestamptz, day_start timestamptz)
LANGUAGE sql STABLE ROWS 1 AS $$
  SELECT coalesce((SELECT n FROM sender_usage WHERE sender_id = p_sender AND class = p_class AND kind = 'day'
                     AND window_start = w.day_start), 0),
         coalesce((SELECT n FROM sender_usage WHERE sender_id = p_sender AND class = p_class AND kind = 'hour'
                     AND window_start = w.hour_start), 0),
         CASE WHEN p_class = 'invite' THEN
           (SELECT count(*)::int FROM messages m
             WHERE m.sender_id = p_sender AND m.reserved_at > p_at - interval '7 days'
               AND m.status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown')
               AND m.channel = 'linkedin' AND m.purpose = 'connection_request')
         ELSE coalesce((SELECT n FROM sender_usage WHERE sender_id = p_sender AND class = p_class AND kind = 'week'
                          AND window_start = w.week_start), 0) END,
         (SELECT last_at FROM sender_usage WHERE sender_id = p_sender AND class = p_class AND kind = 'hour'
           ORDER BY window_start DESC LIMIT 1),
         w.day_start
    FROM qh_quota_windows(p_at, p_zone) AS w
$$;
