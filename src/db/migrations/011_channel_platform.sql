-- The channel platform: what holds a step is data, inbound events carry their parsed form, an
-- account can be found by the key its webhooks name, and events of every channel can be recorded.

-- What holds an enrollment's next step (an account, a sequence, a sending window, a quota …), what
-- it names (an account id, a sequence id, a channel) and until when. A hold is current only while
-- next_run_at still equals held_until: any later decision moves next_run_at and so ends it, and a
-- resume releases exactly the steps held by what resumed (src/engine/accounts/resume.ts).
ALTER TABLE enrollments ADD COLUMN held_by text;
ALTER TABLE enrollments ADD COLUMN held_ref text;
ALTER TABLE enrollments ADD COLUMN held_until timestamptz;
CREATE INDEX enrollments_held ON enrollments (workspace_id, held_by, held_ref) WHERE held_by IS NOT NULL;

-- Steps deferred before this migration were told apart by the wording of their last deferral.
-- Carry the two holds a resume releases over to the columns.
WITH latest AS (
  SELECT DISTINCT ON (a.data->>'enrollmentId') (a.data->>'enrollmentId')::uuid AS enrollment_id, a.data
    FROM activities a
   WHERE a.type = 'deferred' AND a.data ? 'enrollmentId' AND a.data ? 'until'
   ORDER BY a.data->>'enrollmentId', a.occurred_at DESC, a.id DESC
)
UPDATE enrollments e
   SET held_by = 'sequence', held_ref = e.sequence_id::text, held_until = e.next_run_at
  FROM latest l
 WHERE l.enrollment_id = e.id AND e.status = 'active' AND (l.data->>'until')::timestamptz = e.next_run_at
   AND position('the sequence is paused' IN l.data->>'reason') > 0;

WITH latest AS (
  SELECT DISTINCT ON (a.data->>'enrollmentId') (a.data->>'enrollmentId')::uuid AS enrollment_id, a.data
    FROM activities a
   WHERE a.type = 'deferred' AND a.data ? 'enrollmentId' AND a.data ? 'until'
   ORDER BY a.data->>'enrollmentId', a.occurred_at DESC, a.id DESC
)
UPDATE enrollments e
   SET held_by = 'account', held_ref = s.id::text, held_until = e.next_run_at
  FROM latest l, senders s
 WHERE l.enrollment_id = e.id AND e.status = 'active' AND e.held_by IS NULL
   AND (l.data->>'until')::timestamptz = e.next_run_at AND s.workspace_id = e.workspace_id
   AND position('account ' || coalesce(s.name, s.from_email, s.from_phone, s.id::text) IN l.data->>'reason') > 0;

-- The events a stored webhook request carries, as the adapter parsed them when it was received.
ALTER TABLE inbound_events ADD COLUMN events jsonb;

-- The key an account's webhooks name it by (WhatsApp's phone_number_id …), not secret: requests are
-- routed to the account without decrypting every account's credentials.
ALTER TABLE senders ADD COLUMN inbound_key text;
CREATE INDEX senders_inbound_key ON senders (provider, inbound_key) WHERE inbound_key IS NOT NULL AND deleted_at IS NULL;

-- Events of every channel: read receipts, failures reported later, opt-ins, LinkedIn connections, calls.
ALTER TABLE message_events DROP CONSTRAINT message_events_event_type_check;
ALTER TABLE message_events ADD CONSTRAINT message_events_event_type_check CHECK (event_type IN (
  'sent', 'delivered', 'read', 'opened', 'clicked', 'replied', 'bounced', 'unsubscribed', 'complained', 'failed',
  'opted_in', 'connection', 'call'));
