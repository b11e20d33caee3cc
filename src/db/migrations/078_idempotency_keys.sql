-- Idempotency-Key on the POST routes that create or start things (docs/api.md): a workspace's key
-- remembers the request it came with (a fingerprint of method, route, path and body) and, once
-- answered, the answer — replayed for 24 hours to a retry with the same key and body.
CREATE TABLE idempotency_keys (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  key text NOT NULL,
  fingerprint text NOT NULL,
  -- running: the first request is still being answered (a second gets 409); done: answered.
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done')),
  response_status integer,
  response_type text,
  response_body text,
  started_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON idempotency_keys TO quotahit_app
  USING (workspace_id = qh_current_workspace()) WITH CHECK (workspace_id = qh_current_workspace());
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO quotahit_app;
