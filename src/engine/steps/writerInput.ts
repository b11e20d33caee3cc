// Stored contacts → the writer's view of them (absent instead of null).
import type { Contact } from '../../db/contacts.ts';
import type { WriterContact, WriterSender, WriterWorkspace } from '../../writer/types.ts';

export function toWriterContact(contact: Contact): WriterContact {
  const text = (value: string | null) => value ?? undefined;
  return {
    id: contact.id,
    email: text(contact.email),
    phone: text(contact.phone),
    linkedinUrl: text(contact.linkedinUrl),
    firstName: text(contact.firstName),
    lastName: text(contact.lastName),
    title: text(contact.title),
    company: text(contact.company),
    companyDomain: text(contact.companyDomain),
    timezone: text(contact.timezone),
    country: text(contact.country),
    city: text(contact.city),
    tags: contact.tags,
    enrichment: contact.enrichment,
    custom: contact.custom,
  };
}

/** The sending account as the writer sees it (the sandbox has none). */
export function toWriterSender(
  sender: { fromName: string | null; fromEmail: string | null; linkedinFree: boolean } | null | undefined,
): WriterSender {
  return {
    fromName: sender?.fromName ?? undefined,
    fromEmail: sender?.fromEmail ?? undefined,
    linkedinFree: sender?.linkedinFree,
  };
}

export function toWriterWorkspace(
  workspace: { name: string; offer: string | null; postalAddress: string | null } | null | undefined,
): WriterWorkspace {
  return {
    name: workspace?.name ?? '',
    offer: workspace?.offer ?? undefined,
    postalAddress: workspace?.postalAddress ?? undefined,
  };
}
