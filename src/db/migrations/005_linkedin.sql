-- LinkedIn connection state per contact: set when an invitation is accepted (logged through the API
-- or reported by a LinkedIn provider); the `linkedin_connected` condition and LinkedIn DMs read it.
ALTER TABLE contacts ADD COLUMN linkedin_connected_at timestamptz;
