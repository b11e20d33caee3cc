-- A webhook whose message is not ours yet (its provider id not committed when it arrived) is
-- matched again for a while: which workspaces it may concern is kept with it, as verified (the
-- accounts whose secret verified it; `global` when the installation's own secret did).
ALTER TABLE inbound_events ADD COLUMN owner_candidates jsonb;
