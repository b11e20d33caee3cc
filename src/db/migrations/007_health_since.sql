-- Health is judged from a point in time: resuming a paused account or sequence (POST …/resume,
-- PATCH /v1/senders/:id {"status":"active"}) sets health_since to the resume's time, and the health
-- rates then count only the messages reserved at or after it (NULL: all of them). Otherwise the
-- sends that caused the pause would still fill the window, and one late bounce of an old message
-- would pause it again at once.
ALTER TABLE senders ADD COLUMN health_since timestamptz;
ALTER TABLE sequences ADD COLUMN health_since timestamptz;
