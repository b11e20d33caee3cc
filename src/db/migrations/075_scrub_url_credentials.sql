-- Provider error text written before issue 16 could carry the credentials of an HTTP sender's URL
-- (user:password@, ?token=…) in messages.error, the timeline and an account's status reason. New
-- text is redacted before it is stored (core/redact.ts); this removes the user info and the query
-- of every URL in what is already stored. The patterns never cross a double quote or a backslash, so
-- the jsonb text stays valid JSON.
CREATE FUNCTION pg_temp.qh_scrub(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT regexp_replace(
           regexp_replace(t, '([a-zA-Z][a-zA-Z0-9+.-]*://)[^\s/?#@"\\<>'']*@', '\1', 'g'),
           '([a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#"\\<>'']*)\?[^\s#"\\<>'']*', '\1', 'g')
$$;

UPDATE messages SET error = pg_temp.qh_scrub(error) WHERE error ~ '://';
UPDATE activities SET summary = pg_temp.qh_scrub(summary) WHERE summary ~ '://';
UPDATE activities SET data = pg_temp.qh_scrub(data::text)::jsonb WHERE data::text ~ '://';
UPDATE senders SET status_reason = pg_temp.qh_scrub(status_reason) WHERE status_reason ~ '://';
DROP FUNCTION pg_temp.qh_scrub(text);
