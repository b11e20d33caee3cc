// Members and sessions: one-time links (the owner's first-run link, invitations), accepting a
// link (sets a password, signs in), signing in and out. Passwords are hashed with argon2id.
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Db } from '../db/database.ts';
import {
  emailTaken,
  findAccessLink,
  findMemberForSignIn,
  insertAccessLink,
  insertMember,
  ownerOf,
  updateMemberCredentials,
  useAccessLink,
  type AccessLinkKind,
  type Member,
  type MemberRole,
} from '../db/members.ts';
import { deleteExpiredSessionsOf, deleteSessionsOf, insertSession } from '../db/sessions.ts';
import { getWorkspace } from '../db/workspaces.ts';

export const OWNER_LINK_HOURS = 24;
export const INVITE_LINK_DAYS = 7;
export const SESSION_DAYS = 30;

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const token = () => randomBytes(32).toString('base64url');

/** A hash to compare against when the address is unknown, so a miss costs what a hit costs. */
let decoyHash: Promise<string> | undefined;

export type NewSession = { token: string; csrfToken: string; expiresAt: Date; member: Member };

/** A fresh one-time link; the token is returned once and only its hash is stored. */
export async function createAccessLink(
  db: Db,
  input: {
    workspaceId: string;
    kind: AccessLinkKind;
    publicUrl: string;
    now: Date;
    email?: string;
    role?: MemberRole;
    invitedBy?: string;
  },
): Promise<{ url: string; expiresAt: Date }> {
  const secret = token();
  const hours = input.kind === 'owner' ? OWNER_LINK_HOURS : INVITE_LINK_DAYS * 24;
  const expiresAt = new Date(input.now.getTime() + hours * 3_600_000);
  await db.tenant(input.workspaceId, (sql) =>
    insertAccessLink(sql, {
      workspaceId: input.workspaceId,
      kind: input.kind,
      tokenHash: sha256(secret),
      email: input.email?.toLowerCase() ?? null,
      role: input.kind === 'owner' ? 'owner' : (input.role ?? 'member'),
      invitedBy: input.invitedBy ?? null,
      expiresAt,
    }),
  );
  const base = input.publicUrl.replace(/\/+$/, '');
  return { url: `${base}/${input.kind === 'owner' ? 'setup' : 'invite'}?token=${secret}`, expiresAt };
}

export type LinkProblem = 'unknown' | 'used' | 'expired';

export type LinkInfo = {
  kind: AccessLinkKind;
  workspaceName: string;
  email: string | null;
  /** The owner's current name and address when the owner link resets an existing owner. */
  owner: { name: string; email: string } | null;
  expiresAt: string;
};

export async function describeAccessLink(db: Db, secret: string, now: Date): Promise<LinkInfo | LinkProblem> {
  const link = await findAccessLink(db, sha256(secret));
  if (!link) return 'unknown';
  if (link.usedAt) return 'used';
  if (link.expiresAt.getTime() <= now.getTime()) return 'expired';
  return db.tenant(link.workspaceId, async (sql) => {
    const workspace = await getWorkspace(sql);
    const owner = link.kind === 'owner' ? await ownerOf(sql) : undefined;
    return {
      kind: link.kind,
      workspaceName: workspace?.name ?? '',
      email: link.email,
      owner: owner ? { name: owner.name, email: owner.email } : null,
      expiresAt: link.expiresAt.toISOString(),
    };
  });
}

export type AcceptOutcome = { ok: true; session: NewSession } | { ok: false; problem: LinkProblem | 'email_taken' };

/**
 * Sets the password a link is for: the owner link creates the owner (or resets the existing
 * owner's name, address and password, signing them out everywhere); an invitation creates a member.
 * Signs the person in.
 */
export async function acceptAccessLink(
  db: Db,
  input: { token: string; name: string; email: string; password: string; now: Date },
): Promise<AcceptOutcome> {
  const link = await findAccessLink(db, sha256(input.token));
  if (!link) return { ok: false, problem: 'unknown' };
  if (link.usedAt) return { ok: false, problem: 'used' };
  if (link.expiresAt.getTime() <= input.now.getTime()) return { ok: false, problem: 'expired' };
  const email = (link.kind === 'invite' && link.email ? link.email : input.email).toLowerCase();
  const passwordHash = await hash(input.password);
  const existingOwner = link.kind === 'owner' ? await db.tenant(link.workspaceId, (sql) => ownerOf(sql)) : undefined;
  if (await emailTaken(db, email, existingOwner?.id)) return { ok: false, problem: 'email_taken' };
  // The check above and the unique index race only when two links claim one address at once.
  return db
    .tenant(link.workspaceId, async (sql): Promise<AcceptOutcome> => {
      if (!(await useAccessLink(sql, link.id, input.now))) return { ok: false, problem: 'used' };
      let member: Member | undefined;
      if (existingOwner) {
        member = await updateMemberCredentials(sql, existingOwner.id, { email, name: input.name, passwordHash });
        await deleteSessionsOf(sql, existingOwner.id);
      }
      member ??= await insertMember(sql, {
        workspaceId: link.workspaceId,
        email,
        name: input.name,
        role: link.role,
        passwordHash,
      });
      const session = newSessionValues(member, input.now);
      await insertSession(sql, {
        workspaceId: member.workspaceId,
        memberId: member.id,
        tokenHash: sha256(session.token),
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt,
      });
      return { ok: true, session };
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) return { ok: false, problem: 'email_taken' } as const;
      throw error;
    });
}

const isUniqueViolation = (error: unknown) =>
  typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';

/** Undefined for an unknown address or a wrong password (the caller cannot tell which). */
export async function signIn(
  db: Db,
  input: { email: string; password: string; now: Date },
): Promise<NewSession | undefined> {
  const found = await findMemberForSignIn(db, input.email.trim());
  if (!found) {
    decoyHash ??= hash(token());
    await verify(await decoyHash, input.password).catch(() => false);
    return undefined;
  }
  const valid = await verify(found.passwordHash, input.password).catch(() => false);
  if (!valid) return undefined;
  const { passwordHash: _p, ...member } = found;
  const session = newSessionValues(member, input.now);
  await db.tenant(member.workspaceId, async (sql) => {
    await deleteExpiredSessionsOf(sql, member.id, input.now);
    await insertSession(sql, {
      workspaceId: member.workspaceId,
      memberId: member.id,
      tokenHash: sha256(session.token),
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt,
    });
  });
  return session;
}

function newSessionValues(member: Member, now: Date): NewSession {
  return {
    token: token(),
    csrfToken: token(),
    expiresAt: new Date(now.getTime() + SESSION_DAYS * 86_400_000),
    member,
  };
}
