-- The writer: a persistent cache of model-written messages (so the same contact, step and variant
-- are never paid for twice) and outreach plans (analyse leads → review → execute).

CREATE TABLE writer_cache (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  -- cacheKey(): sha256 of contact, purpose, channel, variant, model, prompt version and every input.
  key text NOT NULL,
  -- The WriteOutcome as the writer returned it (text, checks, model, usage of the calls that paid for it).
  outcome jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, key)
);

CREATE TABLE outreach_plans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  -- draft: proposed, waiting for review · executing: enrolling now · executed: done (result set).
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'executing', 'executed')),
  -- What was asked: {"contactIds":[…]} or {"tag"}, plus "sequenceId" or "preset" when given.
  request jsonb NOT NULL,
  -- An existing sequence to enroll into, or the preset a new sequence is created from on execute.
  sequence_id uuid REFERENCES sequences (id) ON DELETE SET NULL,
  preset text,
  -- One entry per lead: reachable channels, angle, per-step channel plan, first touch, or why excluded.
  leads jsonb NOT NULL,
  summary jsonb NOT NULL,
  -- The execution summary (messages_sent, channels_used, errors, lead_updates, …).
  result jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  executed_at timestamptz
);
CREATE INDEX outreach_plans_page ON outreach_plans (workspace_id, created_at, id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['writer_cache', 'outreach_plans'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I TO quotahit_app USING (workspace_id = qh_current_workspace()) WITH CHECK (workspace_id = qh_current_workspace())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO quotahit_app', t);
  END LOOP;
END
$$;
