-- Hand-offs: an interested person given to a salesperson with everything needed to follow up
-- (who, company, the conversation, the classified intent, facts), assigned by a workspace rule,
-- acknowledged, and reminded about when the SLA passes unacknowledged. Their creation and their
-- reminders are outbound events (migration 070). The contact stages gain handed_off and unreachable.

ALTER TABLE contacts DROP CONSTRAINT contacts_status_check;
ALTER TABLE contacts ADD CONSTRAINT contacts_status_check CHECK (status IN (
  'new', 'contacted', 'replied', 'interested', 'not_interested', 'unsubscribed', 'bounced', 'handed_off', 'unreachable'));

-- One per workspace: how hand-offs are assigned and how soon they must be acknowledged.
CREATE TABLE handoff_settings (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
  -- owner: the sequence's owner (the workspace owner while sequences carry none) · round_robin:
  -- members in turn · territory: the first rule whose tag the contact carries, else round robin.
  rule text NOT NULL DEFAULT 'owner' CHECK (rule IN ('owner', 'round_robin', 'territory')),
  territories jsonb NOT NULL DEFAULT '[]',
  sla_minutes integer NOT NULL DEFAULT 30 CHECK (sla_minutes BETWEEN 1 AND 10080),
  next_turn integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE handoffs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  source text NOT NULL CHECK (source IN ('reply', 'call', 'manual')),
  -- The reply (or call task) that caused it: one hand-off per cause.
  source_ref text,
  intent text,
  summary jsonb NOT NULL,
  contact_url text NOT NULL,
  assignee_id uuid REFERENCES members (id) ON DELETE SET NULL,
  assignee_email text,
  assignee_name text,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged')),
  due_at timestamptz NOT NULL,
  reminded_at timestamptz,
  acknowledged_at timestamptz,
  acknowledged_by uuid REFERENCES members (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (workspace_id, source, source_ref)
);
CREATE INDEX handoffs_page ON handoffs (workspace_id, created_at DESC, id DESC);
CREATE INDEX handoffs_overdue ON handoffs (due_at) WHERE status = 'open' AND reminded_at IS NULL;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['handoff_settings', 'handoffs'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I TO quotahit_app USING (workspace_id = qh_current_workspace()) WITH CHECK (workspace_id = qh_current_workspace())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO quotahit_app', t);
  END LOOP;
END
$$;

CREATE FUNCTION qh_outbound_handoff_data(h handoffs) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'contact', qh_outbound_contact(h.contact_id),
    'handoff', jsonb_build_object('id', h.id, 'source', h.source, 'intent', h.intent, 'summary', h.summary,
                                  'url', h.contact_url, 'dueAt', h.due_at, 'createdAt', h.created_at,
                                  'assignee', CASE WHEN h.assignee_email IS NULL THEN NULL ELSE
                                    jsonb_build_object('id', h.assignee_id, 'email', h.assignee_email, 'name', h.assignee_name) END))
$$;

-- contact.handed_off
CREATE FUNCTION qh_outbound_handoff() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF qh_outbound_listening(NEW.workspace_id) THEN
    PERFORM qh_outbound_emit(jsonb_build_array(jsonb_build_object(
      'workspace_id', NEW.workspace_id, 'type', 'contact.handed_off', 'occurred_at', NEW.created_at,
      'data', qh_outbound_handoff_data(NEW))));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER outbound_handoff AFTER INSERT ON handoffs FOR EACH ROW EXECUTE FUNCTION qh_outbound_handoff();

-- handoff.reminder: the SLA passed unacknowledged.
CREATE FUNCTION qh_outbound_handoff_reminder() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF qh_outbound_listening(NEW.workspace_id) THEN
    PERFORM qh_outbound_emit(jsonb_build_array(jsonb_build_object(
      'workspace_id', NEW.workspace_id, 'type', 'handoff.reminder', 'occurred_at', NEW.reminded_at,
      'data', qh_outbound_handoff_data(NEW))));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER outbound_handoff_reminder AFTER UPDATE OF reminded_at ON handoffs
  FOR EACH ROW WHEN (OLD.reminded_at IS NULL AND NEW.reminded_at IS NOT NULL)
  EXECUTE FUNCTION qh_outbound_handoff_reminder();
