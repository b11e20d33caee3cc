-- task.created and task.completed (call tasks, migration 055) as outbound events, written by
-- triggers in the transaction that creates the task or logs its outcome, like every other event
-- of the outbox (migration 070).

CREATE FUNCTION qh_outbound_task_data(t tasks) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'contact', qh_outbound_contact(t.contact_id),
    'task', jsonb_build_object('id', t.id, 'kind', t.kind, 'status', t.status, 'enrollmentId', t.enrollment_id,
                               'sequenceId', t.sequence_id, 'step', t.step, 'phone', t.phone, 'reason', t.reason,
                               'dueAt', t.due_at, 'outcome', t.outcome, 'note', t.outcome_note,
                               'returnDate', t.return_date, 'outcomeAt', t.outcome_at))
$$;

CREATE FUNCTION qh_outbound_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF qh_outbound_listening(NEW.workspace_id) THEN
    PERFORM qh_outbound_emit(jsonb_build_array(jsonb_build_object(
      'workspace_id', NEW.workspace_id,
      'type', CASE TG_OP WHEN 'INSERT' THEN 'task.created' ELSE 'task.completed' END,
      'occurred_at', CASE TG_OP WHEN 'INSERT' THEN NEW.created_at ELSE coalesce(NEW.outcome_at, now()) END,
      'data', qh_outbound_task_data(NEW))));
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER outbound_task_created AFTER INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION qh_outbound_task();
CREATE TRIGGER outbound_task_completed AFTER UPDATE OF status ON tasks
  FOR EACH ROW WHEN (NEW.status = 'done' AND OLD.status IS DISTINCT FROM 'done')
  EXECUTE FUNCTION qh_outbound_task();
