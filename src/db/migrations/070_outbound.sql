-- The outbound side: where a workspace's events go (signed webhooks, Slack-compatible
-- notifications, email notifications, HubSpot, Pipedrive) and the durable outbox that carries
-- them. Events are written by triggers in the same transaction as the change that caused them (a
-- message event, a reply, a stage change, an enrollment's end, a paused account, a hand-off), and
-- only when an enabled target of the workspace subscribes to the type: nothing is written for a
-- workspace with no targets. Each (event, target) pair is one delivery, a job of its own with
-- back-off, claimed with a lease so a killed worker's delivery is picked up again.

CREATE TABLE outbound_targets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('webhook', 'slack', 'email', 'hubspot', 'pipedrive')),
  -- webhook: the receiver's URL. Slack's URL is a secret and lives sealed in `secret`.
  url text,
  events text[] NOT NULL,
  -- AES-256-GCM sealed JSON (src/engine/accounts/secrets.ts): the whsec_ secret, the Slack URL,
  -- the CRM token. The previous webhook secret keeps signing, alongside, until previous_until.
  secret bytea NOT NULL,
  previous_secret bytea,
  previous_until timestamptz,
  -- Non-secret settings: a CRM's base URL, pipeline and stage; an email target's address.
  settings jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled', 'deleted')),
  status_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbound_targets_enabled ON outbound_targets (workspace_id) WHERE status = 'enabled';

CREATE TABLE outbound_events (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  type text NOT NULL,
  data jsonb NOT NULL,
  occurred_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE outbound_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  event_id uuid NOT NULL REFERENCES outbound_events (id) ON DELETE CASCADE,
  target_id uuid NOT NULL REFERENCES outbound_targets (id) ON DELETE CASCADE,
  -- pending: due at next_attempt_at (NULL: at once), in flight while lease_until is ahead.
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  lease_until timestamptz,
  last_attempt_at timestamptz,
  last_status integer,
  last_error text,
  delivered_at timestamptz,
  -- What a multi-call delivery (a CRM's person, then its deal, then a note) has done so far.
  progress jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, target_id)
);
CREATE INDEX outbound_deliveries_due ON outbound_deliveries (next_attempt_at NULLS FIRST) WHERE status = 'pending';
CREATE INDEX outbound_deliveries_target ON outbound_deliveries (target_id, created_at DESC, id DESC);

CREATE TABLE outbound_attempts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  delivery_id uuid NOT NULL REFERENCES outbound_deliveries (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  attempted_at timestamptz NOT NULL,
  status_code integer,
  error text,
  duration_ms integer NOT NULL
);
CREATE INDEX outbound_attempts_delivery ON outbound_attempts (delivery_id, attempt);

-- The ids a CRM gave our contacts (and their deals): never created twice.
CREATE TABLE crm_links (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  target_id uuid NOT NULL REFERENCES outbound_targets (id) ON DELETE CASCADE,
  contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  person_id text NOT NULL,
  deal_id text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target_id, contact_id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['outbound_targets', 'outbound_events', 'outbound_deliveries', 'outbound_attempts', 'crm_links'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I TO quotahit_app USING (workspace_id = qh_current_workspace()) WITH CHECK (workspace_id = qh_current_workspace())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO quotahit_app', t);
  END LOOP;
END
$$;

-- A contact as every payload names it.
CREATE FUNCTION qh_outbound_contact(contact uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object('id', c.id, 'email', c.email, 'firstName', c.first_name, 'lastName', c.last_name,
                            'company', c.company, 'title', c.title, 'phone', c.phone, 'stage', c.status)
    FROM contacts c WHERE c.id = contact
$$;

-- Writes events (a JSON array of {workspace_id, type, data, occurred_at}) and one delivery per
-- enabled target subscribed to each; events nobody subscribes to are not written.
CREATE FUNCTION qh_outbound_emit(items jsonb) RETURNS void LANGUAGE sql AS $$
  WITH e AS (
    SELECT gen_random_uuid() AS id, i.workspace_id, i.type, i.data, i.occurred_at
      FROM jsonb_to_recordset(coalesce(items, '[]')) AS i (workspace_id uuid, type text, data jsonb, occurred_at timestamptz)
     WHERE EXISTS (SELECT 1 FROM outbound_targets t
                    WHERE t.workspace_id = i.workspace_id AND t.status = 'enabled' AND i.type = ANY (t.events))
  ), ins AS (
    INSERT INTO outbound_events (id, workspace_id, type, data, occurred_at)
    SELECT id, workspace_id, type, data, occurred_at FROM e
    RETURNING id, workspace_id, type
  )
  INSERT INTO outbound_deliveries (workspace_id, event_id, target_id)
  SELECT ins.workspace_id, ins.id, t.id
    FROM ins JOIN outbound_targets t
      ON t.workspace_id = ins.workspace_id AND t.status = 'enabled' AND ins.type = ANY (t.events)
$$;

-- Whether any enabled target exists in the workspace (the triggers' cheap first question).
CREATE FUNCTION qh_outbound_listening(workspace uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM outbound_targets WHERE workspace_id = workspace AND status = 'enabled')
$$;

-- message.sent|delivered|opened|clicked|bounced: one statement's message events at once.
CREATE FUNCTION qh_outbound_message_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM outbound_targets t WHERE t.status = 'enabled'
                    AND t.workspace_id IN (SELECT workspace_id FROM new_rows)) THEN
    RETURN NULL;
  END IF;
  PERFORM qh_outbound_emit(jsonb_agg(jsonb_build_object(
    'workspace_id', n.workspace_id, 'type', 'message.' || n.event_type, 'occurred_at', n.occurred_at,
    'data', jsonb_build_object(
      'contact', qh_outbound_contact(m.contact_id),
      'message', jsonb_build_object('id', m.id, 'channel', m.channel, 'step', m.step, 'subject', m.subject,
                                    'enrollmentId', m.enrollment_id, 'sequenceId', m.sequence_id,
                                    'provider', m.provider, 'senderId', m.sender_id),
      'machine', n.machine))))
    FROM new_rows n JOIN messages m ON m.id = n.message_id
   WHERE n.event_type IN ('sent', 'delivered', 'opened', 'clicked', 'bounced');
  RETURN NULL;
END
$$;
CREATE TRIGGER outbound_message_events AFTER INSERT ON message_events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION qh_outbound_message_events();

-- message.failed
CREATE FUNCTION qh_outbound_message_failed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF qh_outbound_listening(NEW.workspace_id) THEN
    PERFORM qh_outbound_emit(jsonb_build_array(jsonb_build_object(
      'workspace_id', NEW.workspace_id, 'type', 'message.failed', 'occurred_at', now(),
      'data', jsonb_build_object(
        'contact', qh_outbound_contact(NEW.contact_id),
        'message', jsonb_build_object('id', NEW.id, 'channel', NEW.channel, 'step', NEW.step, 'subject', NEW.subject,
                                      'enrollmentId', NEW.enrollment_id, 'sequenceId', NEW.sequence_id,
                                      'provider', NEW.provider, 'senderId', NEW.sender_id),
        'error', NEW.error))));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER outbound_message_failed AFTER UPDATE OF status ON messages
  FOR EACH ROW WHEN (NEW.status = 'failed' AND OLD.status IS DISTINCT FROM 'failed')
  EXECUTE FUNCTION qh_outbound_message_failed();

-- contact.replied, and contact.interested for a positive reply (core/replyHeuristics.ts POSITIVE_INTENTS).
CREATE FUNCTION qh_outbound_reply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  data jsonb;
BEGIN
  IF NOT qh_outbound_listening(NEW.workspace_id) THEN RETURN NULL; END IF;
  data := jsonb_build_object(
    'contact', qh_outbound_contact(NEW.contact_id),
    'reply', jsonb_build_object('id', NEW.id, 'messageId', NEW.message_id, 'enrollmentId', NEW.enrollment_id,
                                'intent', NEW.intent, 'confidence', NEW.confidence, 'subject', NEW.subject,
                                'body', left(NEW.body, 20000), 'source', NEW.source));
  PERFORM qh_outbound_emit(jsonb_build_array(
    jsonb_build_object('workspace_id', NEW.workspace_id, 'type', 'contact.replied', 'occurred_at', NEW.received_at, 'data', data)));
  IF NEW.intent IN ('interested', 'meeting_request', 'question') THEN
    PERFORM qh_outbound_emit(jsonb_build_array(
      jsonb_build_object('workspace_id', NEW.workspace_id, 'type', 'contact.interested', 'occurred_at', NEW.received_at, 'data', data)));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER outbound_reply AFTER INSERT ON replies FOR EACH ROW EXECUTE FUNCTION qh_outbound_reply();

-- contact.stage_changed (every stage move) and contact.unsubscribed.
CREATE FUNCTION qh_outbound_contact_stage() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  data jsonb;
BEGIN
  IF NOT qh_outbound_listening(NEW.workspace_id) THEN RETURN NULL; END IF;
  data := jsonb_build_object('contact', qh_outbound_contact(NEW.id), 'from', OLD.status, 'to', NEW.status);
  PERFORM qh_outbound_emit(jsonb_build_array(
    jsonb_build_object('workspace_id', NEW.workspace_id, 'type', 'contact.stage_changed', 'occurred_at', now(), 'data', data)));
  IF NEW.status = 'unsubscribed' THEN
    PERFORM qh_outbound_emit(jsonb_build_array(
      jsonb_build_object('workspace_id', NEW.workspace_id, 'type', 'contact.unsubscribed', 'occurred_at', now(), 'data', data)));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER outbound_contact_stage AFTER UPDATE OF status ON contacts
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION qh_outbound_contact_stage();

-- enrollment.completed|stopped
CREATE FUNCTION qh_outbound_enrollment_end() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF qh_outbound_listening(NEW.workspace_id) THEN
    PERFORM qh_outbound_emit(jsonb_build_array(jsonb_build_object(
      'workspace_id', NEW.workspace_id, 'type', 'enrollment.' || NEW.status,
      'occurred_at', coalesce(CASE NEW.status WHEN 'completed' THEN NEW.completed_at ELSE NEW.stopped_at END, now()),
      'data', jsonb_build_object(
        'contact', qh_outbound_contact(NEW.contact_id),
        'enrollment', jsonb_build_object('id', NEW.id, 'sequenceId', NEW.sequence_id, 'status', NEW.status,
                                         'stopReason', NEW.stop_reason, 'step', NEW.current_step)))));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER outbound_enrollment_end AFTER UPDATE OF status ON enrollments
  FOR EACH ROW WHEN (NEW.status IN ('completed', 'stopped') AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION qh_outbound_enrollment_end();

-- sender.paused
CREATE FUNCTION qh_outbound_sender_paused() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF qh_outbound_listening(NEW.workspace_id) THEN
    PERFORM qh_outbound_emit(jsonb_build_array(jsonb_build_object(
      'workspace_id', NEW.workspace_id, 'type', 'sender.paused', 'occurred_at', now(),
      'data', jsonb_build_object('sender', jsonb_build_object('id', NEW.id, 'channel', NEW.channel, 'provider', NEW.provider,
                                                              'fromEmail', NEW.from_email, 'reason', NEW.status_reason)))));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER outbound_sender_paused AFTER UPDATE OF status ON senders
  FOR EACH ROW WHEN (NEW.status = 'paused' AND OLD.status IS DISTINCT FROM 'paused')
  EXECUTE FUNCTION qh_outbound_sender_paused();
