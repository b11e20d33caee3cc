-- Per-account pacing (issue 14): a provider that takes only so many units a second from one sender
-- (Twilio: SMS segments per second per number, one new call per second per account) is paced by the
-- engine. paced_until is the account's next free instant (a generic cell rate: each send moves it
-- on by its units over the rate); a send before it waits for it. Absent: the account is free.
ALTER TABLE senders ADD COLUMN paced_until timestamptz;
