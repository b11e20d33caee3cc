-- Foundation: workspaces, API keys, contacts, suppressions, activities (the timeline).
-- Every tenant table carries workspace_id and is guarded by row-level security for the
-- quotahit_app role, which every tenant-scoped query runs as (see src/db/database.ts).

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'quotahit_app') THEN
    CREATE ROLE quotahit_app NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- another database on this server created it at the same moment
END
$$;

-- The workspace a transaction is scoped to; NULL (no rows visible) when unset.
CREATE FUNCTION qh_current_workspace() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid $$;

CREATE TABLE workspaces (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  postal_address text,
  offer text,
  default_timezone text NOT NULL DEFAULT 'UTC',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  name text NOT NULL,
  prefix text NOT NULL,
  key_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id);

CREATE TABLE contacts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  identity text NOT NULL,
  email text,
  phone text,
  linkedin_url text,
  first_name text,
  last_name text,
  title text,
  company text,
  company_domain text,
  timezone text,
  country text,
  city text,
  tags text[] NOT NULL DEFAULT '{}',
  enrichment jsonb NOT NULL DEFAULT '{}',
  custom jsonb NOT NULL DEFAULT '{}',
  whatsapp_opt_in boolean,
  sms_opt_in boolean,
  status text NOT NULL DEFAULT 'new'
    CHECK (status IN ('new', 'contacted', 'replied', 'interested', 'not_interested', 'unsubscribed', 'bounced')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, identity)
);
-- Contact ids are time-ordered (UUIDv7, src/db/uuidv7.ts): lists page by id.
CREATE INDEX contacts_page ON contacts (workspace_id, id);
CREATE INDEX contacts_tags ON contacts USING gin (tags);

-- Who must never be contacted again. Values are stored as SHA-256 hashes of the normalized
-- identity (lower-cased email, E.164 phone, normalized LinkedIn URL) so an erased person leaves no
-- readable personal data behind. channel 'all' covers every channel.
CREATE TABLE suppressions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('email', 'phone', 'linkedin')),
  value_hash text NOT NULL,
  channel text NOT NULL DEFAULT 'all',
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, kind, value_hash, channel)
);

CREATE INDEX suppressions_hash ON suppressions (workspace_id, value_hash);

-- The contact's timeline: every decision and event, newest first.
CREATE TABLE activities (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  type text NOT NULL,
  summary text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}',
  occurred_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activities_timeline ON activities (workspace_id, contact_id, occurred_at DESC, id DESC);

ALTER TABLE workspaces ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE suppressions ENABLE ROW LEVEL SECURITY;
ALTER TABLE activities ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant ON workspaces TO quotahit_app
  USING (id = qh_current_workspace()) WITH CHECK (id = qh_current_workspace());
CREATE POLICY tenant ON api_keys TO quotahit_app
  USING (workspace_id = qh_current_workspace()) WITH CHECK (workspace_id = qh_current_workspace());
CREATE POLICY tenant ON contacts TO quotahit_app
  USING (workspace_id = qh_current_workspace()) WITH CHECK (workspace_id = qh_current_workspace());
CREATE POLICY tenant ON suppressions TO quotahit_app
  USING (workspace_id = qh_current_workspace()) WITH CHECK (workspace_id = qh_current_workspace());
CREATE POLICY tenant ON activities TO quotahit_app
  USING (workspace_id = qh_current_workspace()) WITH CHECK (workspace_id = qh_current_workspace());

GRANT USAGE ON SCHEMA public TO quotahit_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON workspaces, api_keys, contacts, suppressions, activities TO quotahit_app;
GRANT EXECUTE ON FUNCTION qh_current_workspace() TO quotahit_app;
