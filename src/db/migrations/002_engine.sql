-- The sequence engine: sequences, sending accounts (the spec's outreach_channels), enrollments,
-- messages (one row per enrollment and step: the never-send-twice key), message_events (the spec's
-- vocabulary), replies, and the writer's cache.

CREATE TABLE sequences (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  name text NOT NULL,
  preset text,
  steps jsonb NOT NULL,
  schedule jsonb NOT NULL,
  fallback jsonb NOT NULL DEFAULT '{}',
  settings jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sequences_page ON sequences (workspace_id, created_at, id);

-- Sending accounts. Counters are derived from messages (exact under concurrency: the account row is
-- locked while a send is reserved); sent_today/last_reset_at of the spec are computed in the API.
CREATE TABLE senders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('email', 'linkedin', 'whatsapp', 'sms', 'call')),
  provider text NOT NULL,
  name text,
  from_email text,
  from_name text,
  from_phone text,
  linkedin_free boolean NOT NULL DEFAULT false,
  credentials bytea,
  daily_limit integer NOT NULL,
  hourly_limit integer,
  weekly_limit integer,
  min_gap_seconds integer NOT NULL DEFAULT 0,
  warmup jsonb,
  warmup_started_at timestamptz NOT NULL DEFAULT now(),
  timezone text NOT NULL DEFAULT 'UTC',
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'failing', 'disconnected')),
  status_reason text,
  deleted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX senders_channel ON senders (workspace_id, channel) WHERE deleted_at IS NULL;

CREATE TABLE enrollments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  sequence_id uuid NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
  contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'completed', 'stopped')),
  stop_reason text CHECK (stop_reason IN ('replied', 'unsubscribed', 'bounced', 'manual', 'failed', 'erased')),
  pause_reason text,
  paused_until timestamptz,
  current_step integer NOT NULL DEFAULT 0,
  -- channel → sender id: a contact keeps the same account for the whole sequence.
  senders jsonb NOT NULL DEFAULT '{}',
  variant integer NOT NULL DEFAULT 0,
  enrolled_at timestamptz NOT NULL,
  next_run_at timestamptz,
  stopped_at timestamptz,
  completed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (sequence_id, contact_id)
);
CREATE INDEX enrollments_due ON enrollments (next_run_at) WHERE status IN ('active', 'paused') AND next_run_at IS NOT NULL;
CREATE INDEX enrollments_contact ON enrollments (workspace_id, contact_id);

CREATE TABLE messages (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  enrollment_id uuid NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
  contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  sequence_id uuid NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
  step integer NOT NULL,
  channel text NOT NULL,
  purpose text NOT NULL,
  provider text NOT NULL,
  sender_id uuid REFERENCES senders (id),
  variant integer NOT NULL DEFAULT 0,
  -- sending: reserved, provider call under way (lease_until) · deferred: a retryable failure, the
  -- step runs again · unknown: a crash left it unconfirmed and the provider cannot tell us.
  status text NOT NULL CHECK (status IN ('sending', 'deferred', 'sent', 'delivered', 'failed', 'bounced', 'unknown', 'cancelled')),
  subject text,
  body text NOT NULL,
  recipient text,
  recipient_domain text,
  rfc_message_id text,
  provider_message_id text,
  provider_thread_id text,
  error text,
  attempts integer NOT NULL DEFAULT 1,
  lease_until timestamptz,
  reserved_at timestamptz NOT NULL,
  sent_at timestamptz,
  opened_at timestamptz,
  clicked_at timestamptz,
  writer jsonb NOT NULL DEFAULT '{}',
  UNIQUE (enrollment_id, step)
);
CREATE INDEX messages_sender_usage ON messages (sender_id, reserved_at) WHERE status IN ('sending', 'sent', 'delivered', 'bounced', 'unknown');
CREATE INDEX messages_domain_usage ON messages (workspace_id, recipient_domain, reserved_at);
CREATE INDEX messages_page ON messages (workspace_id, id);
CREATE INDEX messages_provider ON messages (provider, provider_message_id);
CREATE INDEX messages_rfc ON messages (rfc_message_id);

CREATE TABLE message_events (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  event_type text NOT NULL CHECK (event_type IN ('sent', 'delivered', 'opened', 'clicked', 'replied', 'bounced', 'unsubscribed', 'complained')),
  machine boolean NOT NULL DEFAULT false,
  provider_event_id text,
  metadata jsonb NOT NULL DEFAULT '{}',
  occurred_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, provider_event_id)
);
CREATE INDEX message_events_message ON message_events (message_id);

CREATE TABLE replies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  enrollment_id uuid NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
  contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  source text NOT NULL,
  subject text,
  body text NOT NULL,
  intent text NOT NULL,
  confidence real NOT NULL,
  return_date date,
  referral jsonb,
  provider_event_id text,
  received_at timestamptz NOT NULL,
  processed_at timestamptz,
  UNIQUE (workspace_id, provider_event_id)
);
CREATE INDEX replies_enrollment ON replies (enrollment_id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['sequences', 'senders', 'enrollments', 'messages', 'message_events', 'replies'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I TO quotahit_app USING (workspace_id = qh_current_workspace()) WITH CHECK (workspace_id = qh_current_workspace())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO quotahit_app', t);
  END LOOP;
END
$$;
