// The CLI addresses records by id alone; these system lookups find the workspace they belong to.
import type { Db } from '../db/database.ts';

export async function workspaceOfSequence(db: Db, sequenceId: string): Promise<string | undefined> {
  return db.system(async (sql) => {
    const { rows } = await sql.query<{ workspaceId: string }>(
      'SELECT workspace_id AS "workspaceId" FROM sequences WHERE id = $1',
      [sequenceId],
    );
    return rows[0]?.workspaceId;
  });
}
