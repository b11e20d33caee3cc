-- Webhook deliveries deduplicate within who vouched for them, not across the installation: with
-- UNIQUE (provider, provider_event_id) a workspace could sign an event id with its own secret first
-- and make another workspace's genuine event a "duplicate". dedupe_scope is the workspaces whose
-- accounts verified the request (their ids, sorted, comma-separated), `installation` when the
-- installation's own secret did, or the polled account's workspace. Stored rows keep their owner
-- (or `installation` when none was known): every existing row stays unique.
ALTER TABLE inbound_events ADD COLUMN dedupe_scope text;
UPDATE inbound_events SET dedupe_scope = coalesce(workspace_id::text, 'installation');
ALTER TABLE inbound_events ALTER COLUMN dedupe_scope SET NOT NULL;
ALTER TABLE inbound_events DROP CONSTRAINT inbound_events_provider_provider_event_id_key;
ALTER TABLE inbound_events
  ADD CONSTRAINT inbound_events_scoped_event UNIQUE (provider, dedupe_scope, provider_event_id);
