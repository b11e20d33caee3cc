// Dashboard sessions: the cookie holds a random token, the table its SHA-256 and the CSRF token
// every state-changing request must echo.
import type { Db, Sql } from './database.ts';
import type { MemberRole } from './members.ts';

export type SessionMember = {
  sessionId: string;
  workspaceId: string;
  memberId: string;
  role: MemberRole;
  csrfToken: string;
};

export async function insertSession(
  sql: Sql,
  input: { workspaceId: string; memberId: string; tokenHash: string; csrfToken: string; expiresAt: Date },
): Promise<void> {
  await sql.query(
    `INSERT INTO sessions (workspace_id, member_id, token_hash, csrf_token, expires_at) VALUES ($1, $2, $3, $4, $5)`,
    [input.workspaceId, input.memberId, input.tokenHash, input.csrfToken, input.expiresAt],
  );
}

/** The live session of a cookie token (system scope: the workspace is not known yet). */
export async function findSession(db: Db, tokenHash: string, now: Date): Promise<SessionMember | undefined> {
  return db.system(async (sql) => {
    const { rows } = await sql.query<SessionMember>(
      `SELECT s.id AS "sessionId", s.workspace_id AS "workspaceId", s.member_id AS "memberId", m.role,
              s.csrf_token AS "csrfToken"
         FROM sessions s JOIN members m ON m.id = s.member_id AND m.workspace_id = s.workspace_id
        WHERE s.token_hash = $1 AND s.expires_at > $2`,
      [tokenHash, now],
    );
    return rows[0];
  });
}

export async function deleteSession(sql: Sql, id: string): Promise<void> {
  await sql.query('DELETE FROM sessions WHERE id = $1', [id]);
}

/** Signs a member out everywhere (password reset, removal). */
export async function deleteSessionsOf(sql: Sql, memberId: string): Promise<void> {
  await sql.query('DELETE FROM sessions WHERE member_id = $1', [memberId]);
}

/** Sessions past their end are dropped when their member signs in again. */
export async function deleteExpiredSessionsOf(sql: Sql, memberId: string, now: Date): Promise<void> {
  await sql.query('DELETE FROM sessions WHERE member_id = $1 AND expires_at <= $2', [memberId, now]);
}
