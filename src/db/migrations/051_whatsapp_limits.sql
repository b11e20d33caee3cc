-- WhatsApp's own limits per number (PROVIDERS.md, Meta): messages per second (80 by default), the
-- messaging tier (unique people reached outside the 24-hour window per moving 24 h: 250 by default,
-- then 2,000 / 10,000 / 100,000 / unlimited as Meta raises it; NULL = unlimited), and the pair
-- limit (one message to one person every few seconds). Checked under the account's lock in the same
-- statement that reserves a step (qh_claim_steps, wrapping 010's as qh_claim_steps_core), like the
-- other caps: a step over a limit is deferred to the moment it fits, never dropped, never early.
ALTER TABLE senders ADD COLUMN messaging_tier integer DEFAULT 250 CHECK (messaging_tier > 0);
ALTER TABLE senders ADD COLUMN per_second_limit integer NOT NULL DEFAULT 80 CHECK (per_second_limit > 0);

-- Whether a message opened a business-initiated conversation: sent outside the person's 24-hour
-- window (no inbound WhatsApp message from them in the 24 h before it). Set when it is reserved.
ALTER TABLE messages ADD COLUMN initiates boolean;
CREATE INDEX messages_whatsapp_reached ON messages (sender_id, reserved_at) WHERE initiates;
-- The window's lookup (the contact's last inbound message), here and when a message is prepared.
CREATE INDEX replies_contact ON replies (contact_id, received_at);

-- Whether a message to the contact at `at` starts a conversation (their window is closed); the
-- same rule as core/whatsappWindow.ts and the window prepare reads (db/conversation.ts).
CREATE FUNCTION qh_whatsapp_initiates(p_contact uuid, p_at timestamptz) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT NOT EXISTS (SELECT 1 FROM replies r JOIN messages m ON m.id = r.message_id
                      WHERE r.contact_id = p_contact AND m.channel = 'whatsapp'
                        AND r.received_at > p_at - interval '24 hours')
$$;

-- A WhatsApp account's usage around `at`, for one more message to `p_recipient`: its sends in the
-- last second (and the oldest of them), the people its conversations reached in the moving 24 h
-- (whether this one is among them, and when the earliest of them leaves the window), and its last
-- message to this person.
CREATE FUNCTION qh_whatsapp_usage(p_account uuid, p_recipient text, p_at timestamptz)
RETURNS TABLE (second integer, second_oldest timestamptz, reached integer, reached_recipient boolean,
  reached_frees timestamptz, pair_last timestamptz)
LANGUAGE sql STABLE AS $$
  WITH people AS (
    SELECT m.recipient, max(m.reserved_at) AS latest FROM messages m
     WHERE m.sender_id = p_account AND m.initiates AND m.reserved_at > p_at - interval '24 hours'
       AND m.reserved_at <= p_at AND m.status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown')
     GROUP BY m.recipient),
  last_second AS (
    SELECT m.reserved_at FROM messages m
     WHERE m.sender_id = p_account AND m.reserved_at > p_at - interval '1 second' AND m.reserved_at <= p_at
       AND m.status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown'))
  SELECT (SELECT count(*)::int FROM last_second), (SELECT min(reserved_at) FROM last_second),
         (SELECT count(*)::int FROM people),
         EXISTS (SELECT 1 FROM people WHERE recipient = p_recipient),
         (SELECT min(latest) FROM people),
         (SELECT max(m.reserved_at) FROM messages m
           WHERE m.sender_id = p_account AND m.recipient = p_recipient AND m.reserved_at <= p_at
             AND m.reserved_at > p_at - interval '1 hour'
             AND m.status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown'))
$$;

ALTER FUNCTION qh_claim_steps(jsonb) RENAME TO qh_claim_steps_core;

-- Reserving a batch (items as in 010; a WhatsApp item carries `whatsapp`: {perSecond, tier,
-- pairGap}). Items without it go to qh_claim_steps_core as one batch, exactly as before. Each
-- WhatsApp item is judged alone under the locks (taken first, in the core's order: enrollments by
-- id, then accounts by id), then reserved alone, so the next one sees it: when it does not fit, its
-- outcome is `refused` with its account's WhatsApp usage (`whatsapp`), which the engine explains
-- (core/whatsappLimits.ts). When it fits, the message is marked with whether it starts a
-- conversation (the tier counts those).
CREATE FUNCTION qh_claim_steps(items jsonb) RETURNS SETOF jsonb
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
DECLARE
  r record;
  u record;
  outcome jsonb;
  others jsonb := '[]';
  opens boolean;
  ids uuid[] := ARRAY(SELECT (i ->> 'enrollment')::uuid FROM jsonb_array_elements(items) AS i);
  accounts uuid[] := ARRAY(SELECT (i ->> 'account')::uuid FROM jsonb_array_elements(items) AS i
                            WHERE i ->> 'account' IS NOT NULL);
BEGIN
  IF NOT EXISTS (SELECT 1 FROM jsonb_array_elements(items) AS i WHERE jsonb_typeof(i -> 'whatsapp') = 'object') THEN
    RETURN QUERY SELECT * FROM qh_claim_steps_core(items);
    RETURN;
  END IF;
  PERFORM 1 FROM enrollments WHERE id = ANY (ids) ORDER BY id FOR UPDATE;
  PERFORM 1 FROM senders WHERE id = ANY (accounts) ORDER BY id FOR UPDATE;
  FOR r IN
    SELECT i AS item, i -> 'whatsapp' AS wa, (i ->> 'account')::uuid AS account, (i ->> 'contact')::uuid AS contact,
           i ->> 'recipient' AS recipient, (i ->> 'reservedAt')::timestamptz AS at
      FROM jsonb_array_elements(items) AS i
     ORDER BY (i ->> 'account') NULLS LAST, i ->> 'enrollment', (i ->> 'ord')::int
  LOOP
    IF jsonb_typeof(r.wa) IS DISTINCT FROM 'object' OR r.account IS NULL THEN
      others := others || jsonb_build_array(r.item);
      CONTINUE;
    END IF;
    opens := qh_whatsapp_initiates(r.contact, r.at);
    SELECT * INTO u FROM qh_whatsapp_usage(r.account, r.recipient, r.at);
    IF EXISTS (SELECT 1 FROM enrollments e WHERE e.id = (r.item ->> 'enrollment')::uuid AND e.status = 'active'
                 AND e.current_step = (r.item ->> 'seenStep')::int)
       AND EXISTS (SELECT 1 FROM senders s WHERE s.id = r.account AND s.status = 'active' AND s.deleted_at IS NULL)
       AND NOT (u.second < (r.wa ->> 'perSecond')::int
                AND (NOT opens OR r.wa ->> 'tier' IS NULL OR u.reached_recipient OR u.reached < (r.wa ->> 'tier')::int)
                AND (u.pair_last IS NULL OR u.pair_last + (r.wa ->> 'pairGap')::int * interval '1 second' <= r.at)) THEN
      RETURN NEXT jsonb_build_object('ord', (r.item ->> 'ord')::int, 'enrollment', true, 'fits', false,
        'inserted', NULL, 'status', 'active', 'today', 0, 'hour', 0, 'week', 0, 'last', NULL, 'domainToday', 0,
        'whatsapp', jsonb_build_object('second', u.second, 'secondOldest', u.second_oldest, 'reached', u.reached,
          'reachedRecipient', u.reached_recipient, 'reachedFrees', u.reached_frees, 'pairLast', u.pair_last, 'initiates', opens));
      CONTINUE;
    END IF;
    FOR outcome IN SELECT * FROM qh_claim_steps_core(jsonb_build_array(r.item)) LOOP
      IF outcome -> 'inserted' ->> 'id' IS NOT NULL THEN
        UPDATE messages SET initiates = opens WHERE id = (outcome -> 'inserted' ->> 'id')::uuid;
      END IF;
      RETURN NEXT outcome;
    END LOOP;
  END LOOP;
  IF jsonb_array_length(others) > 0 THEN
    RETURN QUERY SELECT * FROM qh_claim_steps_core(others);
  END IF;
END
$fn$;
