-- WhatsApp's limits counted sends "in the last second" (and people reached in the moving 24 h, and
-- the last message to a person) as reserved_at in (at − window, at]. Workers' clocks differ by a
-- second or two: a worker behind did not see what a worker ahead had already recorded "later", and
-- let a fifth message into a second whose limit was 4 (R-limits, 5,000 sends, ±2 s skew). A send
-- recorded after `at` happened no later than now in truth: it counts too. Same columns as 051.
CREATE OR REPLACE FUNCTION qh_whatsapp_usage(p_account uuid, p_recipient text, p_at timestamptz)
RETURNS TABLE (second integer, second_oldest timestamptz, reached integer, reached_recipient boolean,
  reached_frees timestamptz, pair_last timestamptz)
LANGUAGE sql STABLE AS $$
  WITH people AS (
    SELECT m.recipient, max(m.reserved_at) AS latest FROM messages m
     WHERE m.sender_id = p_account AND m.initiates AND m.reserved_at > p_at - interval '24 hours'
       AND m.status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown')
     GROUP BY m.recipient),
  last_second AS (
    SELECT m.reserved_at FROM messages m
     WHERE m.sender_id = p_account AND m.reserved_at > p_at - interval '1 second'
       AND m.status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown'))
  SELECT (SELECT count(*)::int FROM last_second), (SELECT min(reserved_at) FROM last_second),
         (SELECT count(*)::int FROM people),
         EXISTS (SELECT 1 FROM people WHERE recipient = p_recipient),
         (SELECT min(latest) FROM people),
         (SELECT max(m.reserved_at) FROM messages m
           WHERE m.sender_id = p_account AND m.recipient = p_recipient
             AND m.reserved_at > p_at - interval '1 hour'
             AND m.status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown'))
$$;
