// Workspace members (people who sign in to the dashboard) and the one-time links that set a
// member's password: the owner's first-run link and invitations.
import type { Db, Sql } from './database.ts';

export type MemberRole = 'owner' | 'member';

export type Member = {
  id: string;
  workspaceId: string;
  email: string;
  name: string;
  role: MemberRole;
  createdAt: string;
};

export type AccessLinkKind = 'owner' | 'invite';

export type AccessLink = {
  id: string;
  workspaceId: string;
  kind: AccessLinkKind;
  email: string | null;
  role: MemberRole;
  expiresAt: Date;
  usedAt: Date | null;
};

const MEMBER_COLUMNS = `id, workspace_id AS "workspaceId", email, name, role,
  to_json(created_at) #>> '{}' AS "createdAt"`;

export async function listMembers(sql: Sql): Promise<Member[]> {
  const { rows } = await sql.query<Member>(`SELECT ${MEMBER_COLUMNS} FROM members ORDER BY created_at, id`);
  return rows;
}

export async function getMember(sql: Sql, id: string): Promise<Member | undefined> {
  const { rows } = await sql.query<Member>(`SELECT ${MEMBER_COLUMNS} FROM members WHERE id = $1`, [id]);
  return rows[0];
}

export async function ownerOf(sql: Sql): Promise<Member | undefined> {
  const { rows } = await sql.query<Member>(
    `SELECT ${MEMBER_COLUMNS} FROM members WHERE role = 'owner' ORDER BY created_at LIMIT 1`,
  );
  return rows[0];
}

/** The member with this address in any workspace, with its hash (system scope: sign-in). */
export async function findMemberForSignIn(
  db: Db,
  email: string,
): Promise<(Member & { passwordHash: string }) | undefined> {
  return db.system(async (sql) => {
    const { rows } = await sql.query<Member & { passwordHash: string }>(
      `SELECT ${MEMBER_COLUMNS}, password_hash AS "passwordHash" FROM members WHERE lower(email) = lower($1)`,
      [email],
    );
    return rows[0];
  });
}

/** Whether an address is taken by a member of any workspace (system scope: addresses are global). */
export async function emailTaken(db: Db, email: string, exceptMemberId?: string): Promise<boolean> {
  return db.system(async (sql) => {
    const { rows } = await sql.query(
      'SELECT 1 FROM members WHERE lower(email) = lower($1) AND ($2::uuid IS NULL OR id <> $2)',
      [email, exceptMemberId ?? null],
    );
    return rows.length > 0;
  });
}

export async function insertMember(
  sql: Sql,
  input: { workspaceId: string; email: string; name: string; role: MemberRole; passwordHash: string },
): Promise<Member> {
  const { rows } = await sql.query<Member>(
    `INSERT INTO members (workspace_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5)
     RETURNING ${MEMBER_COLUMNS}`,
    [input.workspaceId, input.email, input.name, input.role, input.passwordHash],
  );
  return rows[0] as Member;
}

export async function updateMemberCredentials(
  sql: Sql,
  id: string,
  input: { email: string; name: string; passwordHash: string },
): Promise<Member | undefined> {
  const { rows } = await sql.query<Member>(
    `UPDATE members SET email = $2, name = $3, password_hash = $4, updated_at = now() WHERE id = $1
     RETURNING ${MEMBER_COLUMNS}`,
    [id, input.email, input.name, input.passwordHash],
  );
  return rows[0];
}

export async function deleteMember(sql: Sql, id: string): Promise<boolean> {
  const { rowCount } = await sql.query('DELETE FROM members WHERE id = $1', [id]);
  return rowCount === 1;
}

export async function countMembers(db: Db): Promise<number> {
  return db.system(async (sql) => Number((await sql.query('SELECT count(*) AS n FROM members')).rows[0]?.n ?? 0));
}

export async function insertAccessLink(
  sql: Sql,
  input: {
    workspaceId: string;
    kind: AccessLinkKind;
    tokenHash: string;
    email: string | null;
    role: MemberRole;
    invitedBy: string | null;
    expiresAt: Date;
  },
): Promise<{ id: string }> {
  const { rows } = await sql.query<{ id: string }>(
    `INSERT INTO access_links (workspace_id, kind, token_hash, email, role, invited_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [input.workspaceId, input.kind, input.tokenHash, input.email, input.role, input.invitedBy, input.expiresAt],
  );
  return rows[0] as { id: string };
}

/** The link a token opens (system scope: the workspace is not known before). */
export async function findAccessLink(db: Db, tokenHash: string): Promise<AccessLink | undefined> {
  return db.system(async (sql) => {
    const { rows } = await sql.query<AccessLink>(
      `SELECT id, workspace_id AS "workspaceId", kind, email, role, expires_at AS "expiresAt", used_at AS "usedAt"
         FROM access_links WHERE token_hash = $1`,
      [tokenHash],
    );
    return rows[0];
  });
}

/** Marks a link used; false when it was used meanwhile (two tabs submitting the same link). */
export async function useAccessLink(sql: Sql, id: string, now: Date): Promise<boolean> {
  const { rowCount } = await sql.query(
    'UPDATE access_links SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2',
    [id, now],
  );
  return rowCount === 1;
}

export async function listPendingInvites(
  sql: Sql,
  now: Date,
): Promise<{ id: string; email: string | null; role: MemberRole; expiresAt: string }[]> {
  const { rows } = await sql.query<{ id: string; email: string | null; role: MemberRole; expiresAt: string }>(
    `SELECT id, email, role, to_json(expires_at) #>> '{}' AS "expiresAt" FROM access_links
      WHERE kind = 'invite' AND used_at IS NULL AND expires_at > $1 ORDER BY created_at`,
    [now],
  );
  return rows;
}
