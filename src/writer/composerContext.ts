// What every channel writer needs: the contact's names, the chosen angles, the offer, and a
// seeded picker so phrasing varies across contacts but never between two runs for the same seed.
import { seededRandom } from '../core/random.ts';
import { chooseAngle, cleanFact, lowerFirst, rankAngles, supportingAngle, upperFirst } from './composerFacts.ts';
import type { Angle } from './composerFacts.ts';
import type { WriterInput } from './types.ts';

export type ComposeContext = {
  input: WriterInput;
  purpose: string;
  firstName: string | undefined;
  company: string | undefined;
  /** "Acme" or "your team" — safe to put in any sentence. */
  companyOr: string;
  title: string | undefined;
  senderName: string | undefined;
  workspaceName: string;
  /** Offer as a full sentence ("We help … ."), when the workspace has one. */
  offer: string | undefined;
  lead: Angle;
  support: Angle | undefined;
  ranked: Angle[];
  factsUsed: Set<string>;
  pick: <T>(items: readonly T[], slot: string) => T;
  /** Records that the text quotes these input paths. */
  use: (...keys: string[]) => void;
};

const KNOWN_PURPOSES = new Set([
  'intro',
  'connection_request',
  'linkedin_dm',
  'followup_1',
  'followup_2',
  'casual_checkin',
  'value_add',
  'discovery_call',
  'breakup',
  'reengage',
]);

/** Free-form purposes are written like an intro. */
export function normalizePurpose(purpose: string): string {
  return KNOWN_PURPOSES.has(purpose) ? purpose : 'intro';
}

function sentence(text: string): string {
  const clean = upperFirst(text.trim());
  return /[.!?]$/.test(clean) ? clean : `${clean}.`;
}

export function createContext(input: WriterInput, attempt: number): ComposeContext {
  const purpose = normalizePurpose(input.purpose);
  const variant = input.variant ?? 0;
  const ranked = rankAngles(input.contact, purpose, input.previous);
  const lead = chooseAngle(ranked, variant);
  const support = supportingAngle(ranked, lead, ['pain', 'tech']);
  const company = cleanFact(input.contact.company);
  const offerText = cleanFact(input.workspace.offer);
  const factsUsed = new Set<string>();
  const base = `${input.seed}|${input.channel}|${purpose}|v${variant}|a${attempt}`;
  return {
    input,
    purpose,
    firstName: cleanFact(input.contact.firstName),
    company,
    companyOr: company ?? 'your team',
    title: cleanFact(input.contact.title),
    senderName: cleanFact(input.sender.fromName),
    workspaceName: cleanFact(input.workspace.name) ?? 'our team',
    offer: offerText === undefined ? undefined : sentence(offerText),
    lead,
    support,
    ranked,
    factsUsed,
    // seededRandom mixes the whole seed; a bare hash modulo a small n correlates across slots.
    pick: <T>(items: readonly T[], slot: string): T => {
      const index = Math.floor(seededRandom(`${base}|${slot}`)() * items.length);
      const item = items[index];
      if (item === undefined) throw new Error(`nothing to pick for ${slot}`);
      return item;
    },
    use: (...keys: string[]) => {
      for (const key of keys) factsUsed.add(key);
    },
  };
}

/** "Hi Sam," / "Hello Sam," / "Hi there," */
export function greeting(ctx: ComposeContext): string {
  if (ctx.firstName === undefined) return ctx.pick(['Hi there,', 'Hello,', 'Hi,'], 'greeting');
  ctx.use('firstName');
  return ctx.pick(
    [`Hi ${ctx.firstName},`, `Hello ${ctx.firstName},`, `Hey ${ctx.firstName},`, `${ctx.firstName},`],
    'greeting',
  );
}

/** Sign-off with the sender's name, or the workspace when the sender has none. */
export function signOff(ctx: ComposeContext, style: 'email' | 'chat'): string {
  const name = ctx.senderName ?? `The ${ctx.workspaceName} team`;
  if (style === 'chat') return ctx.senderName === undefined ? '' : `- ${ctx.senderName}`;
  const word = ctx.pick(['Best,', 'Thanks,', 'Cheers,', 'All the best,', 'Talk soon,', 'Regards,'], 'signoff');
  return `${word}\n${name}`;
}

/** The offer, introduced in one of several ways; records nothing (workspace data is not a lead fact). */
export function offerLine(ctx: ComposeContext): string {
  const name = ctx.workspaceName;
  if (ctx.offer === undefined) {
    return ctx.pick(
      [
        `I work at ${name} and thought this might be worth a conversation.`,
        `I'm with ${name}, and this seemed close to what you're working on.`,
        `I'm reaching out from ${name}.`,
      ],
      'offer',
    );
  }
  return ctx.pick(
    [
      `Some context: I'm with ${name}. ${ctx.offer}`,
      `I work at ${name}. ${ctx.offer}`,
      `A bit about us: ${lowerFirst(ctx.offer)}`,
      `${name} might be relevant here. ${ctx.offer}`,
      `For context, I'm at ${name}. ${ctx.offer}`,
    ],
    'offer',
  );
}
