-- The domains a workspace's click links redirect to straight away (and every subdomain of them),
-- besides its sending accounts' own domains; a click to any other destination gets a page that
-- shows where the link goes (QUOTAHIT_CLICK_UNLISTED, docs/security.md).
ALTER TABLE workspaces ADD COLUMN click_domains text[] NOT NULL DEFAULT '{}';
