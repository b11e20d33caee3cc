-- Call tasks (issue 14): a call step becomes work for a person, with the writer's talk track; the
-- sequence waits on it until its due time; click-to-call through Twilio records the call's sid and
-- statuses; the outcome the person logs steers the sequence. One task per enrollment and step.
CREATE TABLE tasks (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  kind text NOT NULL DEFAULT 'call' CHECK (kind IN ('call')),
  enrollment_id uuid NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
  contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  sequence_id uuid NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
  step integer NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'calling', 'done')),
  owner jsonb NOT NULL DEFAULT '{}',
  phone text NOT NULL,
  timezone text NOT NULL,
  reason text NOT NULL,
  talk_track text NOT NULL,
  due_at timestamptz NOT NULL,
  sender_id uuid,
  call_sid text,
  call_status text,
  calls jsonb NOT NULL DEFAULT '[]',
  outcome text CHECK (outcome IN ('connected_interested', 'connected_not_now', 'connected_not_interested',
    'voicemail', 'no_answer', 'wrong_number', 'do_not_call')),
  outcome_note text,
  return_date date,
  outcome_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (enrollment_id, step)
);
CREATE INDEX tasks_open ON tasks (workspace_id, status, due_at, id);
CREATE INDEX tasks_call_sid ON tasks (call_sid) WHERE call_sid IS NOT NULL;

ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON tasks TO quotahit_app
  USING (workspace_id = qh_current_workspace()) WITH CHECK (workspace_id = qh_current_workspace());
GRANT SELECT, INSERT, UPDATE, DELETE ON tasks TO quotahit_app;
