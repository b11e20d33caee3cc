// simulate: the real decision, window and quota logic on a virtual clock (simulateRun.ts). Nothing
// is written and nothing is sent. Accounts start from their real usage. Every contact the request
// names is simulated (read in pages); the totals count them all, and the per-contact calendar lists
// the first DETAIL_LIMIT of them (`contactsSimulated` and `contactsShown` say so).
import type { Sql } from '../../db/database.ts';
import { getSequence } from '../../db/sequences.ts';
import { listSenderRows } from '../../db/senders.ts';
import { recentSends, simulationContacts, type SimulatedContact } from '../../db/simulation.ts';
import { runSimulation, type SimEvent } from './simulateRun.ts';

export type { SimEvent } from './simulateRun.ts';
export type SimContact = SimulatedContact;

export type Simulation = {
  sequenceId: string;
  start: string;
  end: string;
  /** How many contacts were simulated, and how many of them `contacts` lists. */
  contactsSimulated: number;
  contactsShown: number;
  contacts: { contactId: string; timezone: string; events: SimEvent[] }[];
  totals: { sends: number; deferrals: number; skipped: number; completed: number; byChannel: Record<string, number> };
};

/** Contacts whose calendar the answer lists (all are simulated and counted). */
export const DETAIL_LIMIT = 1000;
const PAGE = 1000;

export async function simulateSequence(
  sql: Sql,
  input: {
    sequenceId: string;
    contactIds?: string[];
    tag?: string;
    contacts?: SimContact[];
    days: number;
    start: Date;
  },
): Promise<Simulation | undefined> {
  const sequence = await getSequence(sql, input.sequenceId);
  if (!sequence) return undefined;
  const contacts = input.contacts ?? (await allContacts(sql, input.contactIds, input.tag));
  const senders = (await listSenderRows(sql)).filter((s) => s.status === 'active');
  const usage = await recentSends(
    sql,
    senders.map((s) => s.id),
    input.start,
  );
  const end = new Date(input.start.getTime() + input.days * 86_400_000);
  const states = runSimulation({ sequence, contacts, senders, usage, start: input.start, end });
  const all = states.flatMap((s) => s.events);
  const byChannel: Record<string, number> = {};
  for (const e of all) if (e.action === 'send' && e.channel) byChannel[e.channel] = (byChannel[e.channel] ?? 0) + 1;
  const shown = states.slice(0, DETAIL_LIMIT);
  return {
    sequenceId: sequence.id,
    start: input.start.toISOString(),
    end: end.toISOString(),
    contactsSimulated: states.length,
    contactsShown: shown.length,
    contacts: shown.map((s) => ({ contactId: s.contact.id, timezone: s.zone, events: s.events })),
    totals: {
      sends: all.filter((e) => e.action === 'send').length,
      deferrals: all.filter((e) => e.action === 'deferred').length,
      skipped: all.filter((e) => e.action === 'skipped').length,
      completed: all.filter((e) => e.action === 'completed').length,
      byChannel,
    },
  };
}

async function allContacts(sql: Sql, ids: string[] | undefined, tag: string | undefined): Promise<SimContact[]> {
  const out: SimContact[] = [];
  for (;;) {
    const page = await simulationContacts(sql, {
      ...(ids ? { ids } : {}),
      ...(tag !== undefined ? { tag } : {}),
      ...(out.length > 0 ? { afterId: out[out.length - 1]?.id } : {}),
      limit: PAGE,
    });
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}
