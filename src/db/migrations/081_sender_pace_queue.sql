-- Pacing queue (R-provider at battery size): a step the pace turns away reserves the account's next
-- slot after those already promised, instead of all waiting for paced_until at once. With 400 texts
-- on one number every deferred step woke at the same instant, one was sent and the other 399 were
-- deferred again — n²/2 runs and deferral notes for n texts. pace_queued_until is the end of the
-- slots promised so far (absent or past: nobody is waiting); paced_until stays the next free instant.
ALTER TABLE senders ADD COLUMN pace_queued_until timestamptz;
