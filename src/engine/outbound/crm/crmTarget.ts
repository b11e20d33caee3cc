// The CRM push (HubSpot, Pipedrive): each outbox event for a CRM target finds or creates the
// contact's person (its id kept in crm_links, so never twice), then does what the event asks — a
// hand-off creates the deal at the configured stage (or moves the one we made), a sent message or
// a reply becomes a note, a stage change or an enrollment's end moves the deal / writes our stage
// into a person property per the mapping. A retry after a lost answer looks for the deal or the
// note (each note carries a reference) before creating it again.
import {
  getContactStage,
  getCrmLink,
  releaseCrmLink,
  reserveCrmLink,
  saveCrmLink,
  type CrmLink,
} from '../../../db/crmLinks.ts';
import type { DeliveryContext, TargetSender } from '../targets.ts';
import { CrmFailure, type CrmApi, type CrmClientInput, type CrmContact, type CrmSettings } from './crmApi.ts';
import { readCrmSettings } from './crmSettings.ts';
import { dealTitle, eventNote, noteMarker } from './crmText.ts';

/** How long a person's creation may stay reserved before another delivery takes it over. */
const RESERVATION_MS = 120_000;
const WAIT_FOR_PERSON_MS = 5_000;

type EventContact = CrmContact & { id: string };

const permanent = (error: string) => ({ kind: 'failed' as const, error, permanent: true });

export const crmSender =
  (client: (input: CrmClientInput) => CrmApi): TargetSender =>
  async (ctx) => {
    const settings = readCrmSettings(ctx.target.settings);
    if (typeof ctx.secret.token !== 'string' || !settings) return permanent('the CRM integration is misconfigured');
    const contact = ctx.event.data.contact as Partial<EventContact> | undefined;
    if (!contact?.id) return permanent('the event names no contact');
    if (!contact.email) return permanent('the contact has no email address to match in the CRM');
    const api = client({ http: ctx.http, token: ctx.secret.token, settings, now: ctx.now });
    try {
      const link = await ensurePerson(ctx, api, contact as EventContact);
      if (!link)
        return {
          kind: 'failed',
          error: "another delivery is creating the contact's person",
          retryAfterMs: WAIT_FOR_PERSON_MS,
        };
      await applyEvent({ ctx, api, settings, link, contactId: contact.id });
      return { kind: 'delivered', status: 200 };
    } catch (error) {
      if (error instanceof CrmFailure) return error.result;
      throw error;
    }
  };

async function ensurePerson(ctx: DeliveryContext, api: CrmApi, contact: EventContact): Promise<CrmLink | undefined> {
  const key = { workspaceId: ctx.delivery.workspaceId, targetId: ctx.target.id, contactId: contact.id };
  const existing = await ctx.tenant((sql) => getCrmLink(sql, key));
  if (existing?.personId) return existing;
  const staleBefore = new Date(ctx.now.getTime() - RESERVATION_MS);
  if (!(await ctx.tenant((sql) => reserveCrmLink(sql, { ...key, now: ctx.now, staleBefore })))) return undefined;
  try {
    const personId = await api.upsertPerson(contact);
    await ctx.tenant((sql) => saveCrmLink(sql, { ...key, personId, now: ctx.now }));
    return { personId, dealId: null };
  } catch (error) {
    await ctx.tenant((sql) => releaseCrmLink(sql, key));
    throw error;
  }
}

type Apply = { ctx: DeliveryContext; api: CrmApi; settings: CrmSettings; link: CrmLink; contactId: string };

async function applyEvent(input: Apply): Promise<void> {
  const { ctx } = input;
  const { type, data } = ctx.event;
  if (type === 'contact.handed_off') return handOff(input);
  if (type === 'contact.stage_changed') {
    // Deliveries may arrive out of order: the contact's stage now, not the event's, is written.
    const stage = await ctx.tenant((sql) => getContactStage(sql, input.contactId));
    return syncStage(input, stage ?? String(data.to ?? ''));
  }
  if (type === 'enrollment.completed' || type === 'enrollment.stopped') return syncStage(input, type);
  const note = await ctx.tenant((sql) => eventNote(sql, ctx.event));
  if (note) await addNoteOnce(input, note);
}

async function handOff({ ctx, api, settings, link, contactId }: Apply): Promise<void> {
  const stage = settings.dealStage ?? settings.stages?.handed_off;
  if (!stage) return;
  if (link.dealId) return api.setDealStage({ dealId: link.dealId, stage });
  const title = dealTitle(ctx.event.data);
  const found = ctx.delivery.attempts > 1 ? await api.findDeal({ personId: link.personId, title }) : undefined;
  const dealId = found ?? (await api.createDeal({ personId: link.personId, title, stage }));
  if (found) await api.setDealStage({ dealId, stage });
  await ctx.tenant((sql) =>
    saveCrmLink(sql, {
      workspaceId: ctx.delivery.workspaceId,
      targetId: ctx.target.id,
      contactId,
      personId: link.personId,
      dealId,
      now: ctx.now,
    }),
  );
}

async function syncStage({ api, settings, link }: Apply, key: string): Promise<void> {
  if (settings.stageProperty && !key.startsWith('enrollment.'))
    await api.setPersonField({ personId: link.personId, field: settings.stageProperty, value: key });
  const stage = settings.stages?.[key];
  if (stage && link.dealId) await api.setDealStage({ dealId: link.dealId, stage });
}

async function addNoteOnce({ ctx, api, link }: Apply, body: string): Promise<void> {
  if (ctx.delivery.progress.noted) return;
  const marker = noteMarker(ctx.event.id);
  const exists = ctx.delivery.attempts > 1 && (await api.findNote({ personId: link.personId, marker }));
  if (!exists)
    await api.addNote({
      personId: link.personId,
      dealId: link.dealId,
      body: `${body}<br><br>${marker}`,
      at: ctx.event.occurredAt,
    });
  await ctx.saveProgress({ ...ctx.delivery.progress, noted: true });
}
