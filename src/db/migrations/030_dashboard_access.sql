-- The dashboard's people: workspace members who sign in with a password, their sessions, the
-- one-time links that set a password (the owner's first-run link and invitations), and what a
-- person did with a reply in the inbox.

CREATE TABLE members (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  email text NOT NULL,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'member')),
  -- argon2id (PHC string); NULL never happens for a member: a member exists once a password is set.
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- One person, one sign-in: the address identifies the member across workspaces.
CREATE UNIQUE INDEX members_email ON members (lower(email));
CREATE INDEX members_workspace ON members (workspace_id);

-- Only the SHA-256 of the cookie's token is stored (the token has 256 bits of entropy).
CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  member_id uuid NOT NULL REFERENCES members (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_member ON sessions (member_id);

-- owner: sets (or resets) the owner's name, email and password · invite: creates a member.
CREATE TABLE access_links (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('owner', 'invite')),
  token_hash text NOT NULL UNIQUE,
  email text,
  role text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'member')),
  invited_by uuid REFERENCES members (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX access_links_workspace ON access_links (workspace_id, created_at);

-- What a person did with a reply: handed off, snoozed until a date, unsubscribed, answered, the
-- hand-off's outcome. A reply with no action is "waiting".
CREATE TABLE reply_actions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  reply_id uuid NOT NULL REFERENCES replies (id) ON DELETE CASCADE,
  action text NOT NULL CHECK (action IN ('handoff', 'snooze', 'unsubscribe', 'respond', 'outcome')),
  data jsonb NOT NULL DEFAULT '{}',
  member_id uuid REFERENCES members (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reply_actions_reply ON reply_actions (reply_id, created_at);
CREATE INDEX replies_inbox ON replies (workspace_id, received_at DESC, id DESC);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['members', 'sessions', 'access_links', 'reply_actions'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant ON %I TO quotahit_app USING (workspace_id = qh_current_workspace()) WITH CHECK (workspace_id = qh_current_workspace())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO quotahit_app', t);
  END LOOP;
END
$$;
