-- Lookups by id under row-level security. Every tenant statement carries the policy's
-- `workspace_id = qh_current_workspace()`, and the engine's prepared statements look rows up by a
-- list of ids (`id = ANY($1)`, `enrollment_id = ANY($1)`), which a generic plan estimates at 10
-- rows. With only a workspace-leading index beside the id's own (enrollments_contact, messages_page),
-- PostgreSQL could AND the two bitmaps, reading every index entry of the workspace to find a
-- handful of rows (test/db/tenantLookups.test.ts: the generic plans over 40 workspaces of 300
-- enrollments did). With the workspace and the id in one index, both conditions are index
-- conditions and a lookup reads only the rows it returns.
CREATE INDEX enrollments_page ON enrollments (workspace_id, id);
CREATE INDEX messages_enrollment ON messages (workspace_id, enrollment_id, step);
