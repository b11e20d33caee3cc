-- Email integration: inbound provider events stored raw before anything acts on them (the
-- never-lose-an-event invariant), per-account poll cursors (Gmail history id, IMAP UID), and the
-- health pause of a whole sequence.

CREATE TABLE inbound_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Known when the event names one of our messages or a per-account secret verified it.
  workspace_id uuid REFERENCES workspaces (id) ON DELETE CASCADE,
  provider text NOT NULL,
  provider_event_id text NOT NULL,
  payload jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  outcome text,
  UNIQUE (provider, provider_event_id)
);
CREATE INDEX inbound_events_unprocessed ON inbound_events (received_at) WHERE processed_at IS NULL;

-- Gmail: {"historyId"}; IMAP: {"uid", "uidValidity"}. Written only by the pollers.
ALTER TABLE senders ADD COLUMN inbound_cursor jsonb NOT NULL DEFAULT '{}';
ALTER TABLE senders ADD COLUMN inbound_polled_at timestamptz;

-- A sequence paused by its health (bounces/complaints over its last sends) sends nothing until resumed.
ALTER TABLE sequences ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused'));
ALTER TABLE sequences ADD COLUMN status_reason text;
