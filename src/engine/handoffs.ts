// A hand-off: an interested person given to a salesperson with everything needed to follow up.
// Created by a positive reply (outreach/reply.received), a call outcome connected_interested (the
// calls module calls createHandoff with source 'call') or by hand (POST /v1/handoffs). It is
// assigned by the workspace's rule, moves the contact to handed_off, lands on the timeline, and —
// through its trigger — is the contact.handed_off event that notifications, webhooks and CRMs get.
import { chooseAssignee } from '../core/handoffAssignment.ts';
import { addActivity } from '../db/activities.ts';
import { getContact, setContactStatus, type Contact } from '../db/contacts.ts';
import type { Sql } from '../db/database.ts';
import {
  acknowledgeHandoff,
  conversationSoFar,
  getHandoff,
  getHandoffSettings,
  insertHandoff,
  takeTurn,
  type HandoffRow,
} from '../db/handoffs.ts';
import { listMembers } from '../db/members.ts';

export type HandoffCause = {
  source: HandoffRow['source'];
  /** The reply or call task id; a manual hand-off has none (each one is new). */
  sourceRef: string | null;
  intent: string | null;
  note?: string;
};

/** Who, company, the conversation so far, the intent and the facts we hold. */
async function summarize(sql: Sql, contact: Contact, cause: HandoffCause): Promise<Record<string, unknown>> {
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
  return {
    who: {
      name: name || null,
      title: contact.title,
      email: contact.email,
      phone: contact.phone,
      linkedinUrl: contact.linkedinUrl,
    },
    company: { name: contact.company, domain: contact.companyDomain },
    intent: cause.intent,
    conversation: await conversationSoFar(sql, contact.id),
    facts: contact.enrichment,
    ...(cause.note ? { note: cause.note } : {}),
  };
}

export async function createHandoff(
  sql: Sql,
  input: { workspaceId: string; contactId: string; cause: HandoffCause; now: Date; publicUrl: string },
): Promise<HandoffRow | undefined> {
  const contact = await getContact(sql, input.contactId);
  if (!contact) return undefined;
  const settings = await getHandoffSettings(sql);
  const members = await listMembers(sql);
  const decided = chooseAssignee({ ...settings, members, contactTags: contact.tags });
  const chosen = decided === 'turn' ? members[(await takeTurn(sql, input.workspaceId)) % members.length] : decided;
  const handoff = await insertHandoff(sql, {
    workspaceId: input.workspaceId,
    contactId: contact.id,
    source: input.cause.source,
    sourceRef: input.cause.sourceRef,
    intent: input.cause.intent,
    summary: await summarize(sql, contact, input.cause),
    contactUrl: `${input.publicUrl.replace(/\/+$/, '')}/contacts/${contact.id}`,
    assignee: chosen,
    dueAt: new Date(input.now.getTime() + settings.slaMinutes * 60_000),
    now: input.now,
  });
  if (!handoff) return undefined;
  await setContactStatus(sql, contact.id, 'handed_off', ['new', 'contacted', 'replied', 'interested', 'unreachable']);
  await addActivity(sql, {
    workspaceId: input.workspaceId,
    contactId: contact.id,
    type: 'handed_off',
    summary: `Handed off to ${chosen ? chosen.name || chosen.email : 'the team'} (${input.cause.source})`,
    data: { handoffId: handoff.id, assignee: handoff.assignee, source: input.cause.source },
    occurredAt: input.now,
  });
  return handoff;
}

/** Acknowledges a hand-off (API and CLI): its SLA reminder will not fire. */
export async function acknowledge(
  sql: Sql,
  input: { id: string; memberId: string | null; now: Date },
): Promise<{ handoff: HandoffRow; already: boolean } | undefined> {
  if (!(await getHandoff(sql, input.id))) return undefined;
  const done = await acknowledgeHandoff(sql, input);
  const handoff = await getHandoff(sql, input.id);
  return handoff && { handoff, already: !done };
}
