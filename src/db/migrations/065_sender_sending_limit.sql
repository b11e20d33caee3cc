-- A provider's own sending limit reached by an account (Gmail's daily sending limit, Resend's daily
-- quota): until when it can send nothing, and the provider's words. Shown with the account; it ends
-- by itself when the time passes.
ALTER TABLE senders ADD COLUMN limited_until timestamptz;
ALTER TABLE senders ADD COLUMN limited_reason text;
