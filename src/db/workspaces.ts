// Workspaces and their API keys.
import { randomBytes, randomUUID } from 'node:crypto';
import { apiKeyPrefix, formatApiKey, hashApiKey } from '../core/apiKey.ts';
import type { Db, Sql } from './database.ts';

export type Workspace = {
  id: string;
  name: string;
  postalAddress: string | null;
  offer: string | null;
  defaultTimezone: string;
  /** Domains click links redirect to straight away (with their subdomains), besides the accounts' own. */
  clickDomains: string[];
  createdAt: string;
  updatedAt: string;
};

export type WorkspacePatch = Partial<
  Pick<Workspace, 'name' | 'postalAddress' | 'offer' | 'defaultTimezone' | 'clickDomains'>
>;

export type ApiKeyInfo = {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

export const WORKSPACE_COLUMNS = `id, name, postal_address AS "postalAddress", offer, default_timezone AS "defaultTimezone",
  click_domains AS "clickDomains", to_json(created_at) #>> '{}' AS "createdAt", to_json(updated_at) #>> '{}' AS "updatedAt"`;

/** Creates a workspace and its first API key; the key is returned once and never again. */
export async function createWorkspace(
  db: Db,
  input: { name: string; defaultTimezone?: string },
): Promise<{ workspace: Workspace; apiKey: string }> {
  const id = randomUUID();
  return db.tenant(id, async (sql) => {
    const { rows } = await sql.query<Workspace>(
      `INSERT INTO workspaces (id, name, default_timezone) VALUES ($1, $2, $3) RETURNING ${WORKSPACE_COLUMNS}`,
      [id, input.name, input.defaultTimezone ?? 'UTC'],
    );
    const { key } = await createApiKey(sql, id, 'default');
    return { workspace: rows[0] as Workspace, apiKey: key };
  });
}

export async function getWorkspace(sql: Sql): Promise<Workspace | undefined> {
  const { rows } = await sql.query<Workspace>(`SELECT ${WORKSPACE_COLUMNS} FROM workspaces`);
  return rows[0];
}

export async function updateWorkspace(sql: Sql, patch: WorkspacePatch): Promise<Workspace | undefined> {
  const { rows } = await sql.query<Workspace>(
    `UPDATE workspaces SET
       name = CASE WHEN $1::boolean THEN $2 ELSE name END,
       postal_address = CASE WHEN $3::boolean THEN $4 ELSE postal_address END,
       offer = CASE WHEN $5::boolean THEN $6 ELSE offer END,
       default_timezone = CASE WHEN $7::boolean THEN $8 ELSE default_timezone END,
       click_domains = CASE WHEN $9::boolean THEN $10::text[] ELSE click_domains END,
       updated_at = now()
     RETURNING ${WORKSPACE_COLUMNS}`,
    [
      'name' in patch,
      patch.name ?? null,
      'postalAddress' in patch,
      patch.postalAddress ?? null,
      'offer' in patch,
      patch.offer ?? null,
      'defaultTimezone' in patch,
      patch.defaultTimezone ?? 'UTC',
      'clickDomains' in patch,
      patch.clickDomains ?? [],
    ],
  );
  return rows[0];
}

export async function countWorkspaces(db: Db): Promise<number> {
  return db.system(async (sql) => Number((await sql.query('SELECT count(*) AS n FROM workspaces')).rows[0]?.n ?? 0));
}

export async function createApiKey(sql: Sql, workspaceId: string, name: string): Promise<{ id: string; key: string }> {
  const key = formatApiKey(randomBytes(32));
  const { rows } = await sql.query<{ id: string }>(
    'INSERT INTO api_keys (workspace_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4) RETURNING id',
    [workspaceId, name, apiKeyPrefix(key), hashApiKey(key)],
  );
  return { id: (rows[0] as { id: string }).id, key };
}

export async function listApiKeys(sql: Sql): Promise<ApiKeyInfo[]> {
  const { rows } = await sql.query<ApiKeyInfo>(
    `SELECT id, name, prefix, to_json(created_at) #>> '{}' AS "createdAt",
            to_json(last_used_at) #>> '{}' AS "lastUsedAt", to_json(revoked_at) #>> '{}' AS "revokedAt"
       FROM api_keys ORDER BY created_at, id`,
  );
  return rows;
}

/** Revokes a key of the current workspace; false when there is no such key. */
export async function revokeApiKey(sql: Sql, id: string): Promise<boolean> {
  const { rowCount } = await sql.query('UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1', [
    id,
  ]);
  return rowCount === 1;
}

/** Resolves a presented key to its workspace (system lookup: the workspace is not known yet). */
export async function authenticateApiKey(
  db: Db,
  key: string,
): Promise<{ workspaceId: string; keyId: string } | undefined> {
  return db.system(async (sql) => {
    const { rows } = await sql.query<{ workspaceId: string; keyId: string }>(
      `UPDATE api_keys SET last_used_at = now()
        WHERE key_hash = $1 AND revoked_at IS NULL
          AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
        RETURNING workspace_id AS "workspaceId", id AS "keyId"`,
      [hashApiKey(key)],
    );
    if (rows[0]) return rows[0];
    const found = await sql.query<{ workspaceId: string; keyId: string }>(
      `SELECT workspace_id AS "workspaceId", id AS "keyId" FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hashApiKey(key)],
    );
    return found.rows[0];
  });
}
