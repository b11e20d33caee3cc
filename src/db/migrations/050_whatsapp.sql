-- WhatsApp: each account's message templates as last synced from the provider (Meta's WABA or
-- Gallabox's account), and when a message was read (WhatsApp read receipts).
CREATE TABLE sender_templates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  sender_id uuid NOT NULL REFERENCES senders (id) ON DELETE CASCADE,
  name text NOT NULL,
  language text NOT NULL,
  category text NOT NULL,
  body text NOT NULL,
  -- As the provider says: APPROVED, PENDING, REJECTED, PAUSED, DISABLED …; only APPROVED is used.
  status text NOT NULL,
  -- Registered through POST /v1/senders/:id/templates (kept when the provider stops listing it: then its status is MISSING).
  registered boolean NOT NULL DEFAULT false,
  synced_at timestamptz NOT NULL,
  UNIQUE (sender_id, name, language)
);
CREATE INDEX sender_templates_workspace ON sender_templates (workspace_id, sender_id);
ALTER TABLE sender_templates ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON sender_templates TO quotahit_app
  USING (workspace_id = qh_current_workspace()) WITH CHECK (workspace_id = qh_current_workspace());
GRANT SELECT, INSERT, UPDATE, DELETE ON sender_templates TO quotahit_app;

ALTER TABLE messages ADD COLUMN read_at timestamptz;
