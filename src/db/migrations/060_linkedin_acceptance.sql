-- A LinkedIn account's acceptance health, judged at each of its polls (core/linkedinAcceptance.ts):
-- how many of its last connection requests sent at least a week ago were accepted, and whether the
-- daily request cap is halved because too few were. NULL: not judged yet.
ALTER TABLE senders ADD COLUMN linkedin_acceptance jsonb;
