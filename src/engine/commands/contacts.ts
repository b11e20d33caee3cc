// Contacts as the API and CLI read and change them (importing is importContacts.ts).
import { releaseConnectionHolds } from '../events/applyEffects.ts';
import { addActivity, listTimeline } from '../../db/activities.ts';
import {
  eraseContact,
  getContact,
  listContacts,
  setLinkedinConnection,
  type ContactFilter,
} from '../../db/contacts.ts';
import type { Cursor } from '../../db/cursor.ts';
import type { Sql } from '../../db/database.ts';
import { linkedinConnections } from '../../db/linkedinConnections.ts';
import type { EngineDeps } from '../ports.ts';

type Deps = Pick<EngineDeps, 'db' | 'clock'>;

/** Contacts as the API shows them: with where each stands with LinkedIn (db/linkedinConnections.ts). */
export const contactsPage = (deps: Deps, workspaceId: string, filter: ContactFilter) =>
  deps.db.tenant(workspaceId, async (sql) => {
    const page = await listContacts(sql, filter);
    return { ...page, data: await linkedinConnections(sql, page.data) };
  });

export const contactById = (deps: Deps, workspaceId: string, id: string) =>
  deps.db.tenant(workspaceId, (sql) => contactWithConnection(sql, id));

async function contactWithConnection(sql: Sql, id: string) {
  const contact = await getContact(sql, id);
  return contact ? (await linkedinConnections(sql, [contact]))[0] : undefined;
}

export const eraseContactById = (deps: Deps, workspaceId: string, id: string) =>
  deps.db.tenant(workspaceId, (sql) => eraseContact(sql, workspaceId, id));

/** The contact's timeline, newest first; undefined when there is no such contact. */
export const timelineOf = (deps: Deps, workspaceId: string, id: string, page: { limit: number; cursor?: Cursor }) =>
  deps.db.tenant(workspaceId, async (sql) => ((await getContact(sql, id)) ? listTimeline(sql, id, page) : undefined));

/** A LinkedIn connection accepted (or withdrawn), logged by hand: LinkedIn DMs and conditions read it. */
export async function setLinkedinConnected(deps: Deps, workspaceId: string, id: string, connected: boolean) {
  const now = deps.clock.now();
  return deps.db.tenant(workspaceId, async (sql) => {
    if (!(await setLinkedinConnection(sql, id, connected ? now : null))) return undefined;
    if (connected) await releaseConnectionHolds(sql, id, now);
    await addActivity(sql, {
      workspaceId,
      contactId: id,
      type: connected ? 'linkedin_connected' : 'linkedin_disconnected',
      summary: connected ? 'Accepted the LinkedIn connection' : 'LinkedIn connection removed',
      occurredAt: now,
    });
    return contactWithConnection(sql, id);
  });
}
