-- Stage sync: an enrollment that ends without an answer moves its contact to `unreachable` — it
-- ran through every step (completed) or could not be delivered (stopped: failed; a bounce keeps
-- its own stage, bounced) — unless
-- the contact is still in another running enrollment or already further along (replied,
-- interested, handed_off, not_interested, unsubscribed keep their stage). The stage move is a
-- contact.stage_changed event (migration 070) in the same transaction.
CREATE FUNCTION qh_stage_on_enrollment_end() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'completed' OR NEW.stop_reason = 'failed' THEN
    UPDATE contacts SET status = 'unreachable', updated_at = now()
     WHERE id = NEW.contact_id AND status IN ('new', 'contacted')
       AND NOT EXISTS (SELECT 1 FROM enrollments e WHERE e.contact_id = NEW.contact_id AND e.id <> NEW.id
                          AND e.status IN ('active', 'paused'));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER stage_on_enrollment_end AFTER UPDATE OF status ON enrollments
  FOR EACH ROW WHEN (NEW.status IN ('completed', 'stopped') AND OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION qh_stage_on_enrollment_end();
