-- Lookups by id under row-level security. Every tenant statement carries the policy's
-- `workspace_id = qh_current_workspace()`, and the engine's prepared statements look rows up by a
-- list of ids (`id = ANY($1)`, `enrollment_id = ANY($1)`), which a generic plan estimates at 10
-- rows. With only a workspace-leading index beside the id's own (enrollments_contact, messages_page),
-- PostgreSQL ANDed the two bitmaps: it read every index entry of the workspace to find a handful of
-- rows, so each step's cost grew with the workspace (R-limits at a million sends: 277 entries of
-- enrollments_contact read per scan in its first virtual hours, and rising). With the workspace and the id in one index,
-- both conditions are index conditions and a lookup reads only the rows it returns.
CREATE INDEX enrollments_page ON enrollments (workspace_id, id);
CREATE INDEX messages_enrollment ON messages (workspace_id, enrollment_id, step);
