// Which workspaces exist (system scope: the CLI picks one before any tenant work).
import type { Db } from './database.ts';

export async function listWorkspaceIds(db: Db): Promise<string[]> {
  return db.system(async (sql) => {
    const { rows } = await sql.query<{ id: string }>('SELECT id FROM workspaces ORDER BY created_at, id LIMIT 1000');
    return rows.map((r) => r.id);
  });
}
