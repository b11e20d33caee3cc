// What every channel writer needs: names as they read in running text, the shaped offer, the
// chosen angles, and a seeded picker so phrasing varies across contacts but never between two
// runs for the same seed. No placeholder identity: an unset workspace name or sender name is
// simply not written.
import { displayCompany } from '../core/companyName.ts';
import { isPlaceholderWorkspaceName } from '../core/identityGaps.ts';
import { shapeOffer, type ShapedOffer } from '../core/offerShape.ts';
import { seededRandom } from '../core/random.ts';
import { writerPurpose, type WriterPurpose } from '../core/purposes.ts';
import { chooseAngle, cleanFact, collectAngles, isAngleUsed, rankAngles, type Angle } from './composerFacts.ts';
import { repeats, saidBefore } from './repeatedLines.ts';
import type { WriterInput } from './types.ts';

export type ComposeContext = {
  input: WriterInput;
  purpose: WriterPurpose;
  firstName: string | undefined;
  /** The company as written in running text: no legal suffix. */
  company: string | undefined;
  /** "Northwind" or "your team". */
  companyOr: string;
  /** The sender's full name (email sign-off) and first name (chat lines); undefined when unset. */
  senderName: string | undefined;
  senderFirst: string | undefined;
  /** The workspace name, or undefined while it is a placeholder nobody set. */
  workspaceName: string | undefined;
  offer: ShapedOffer | undefined;
  lead: Angle;
  ranked: Angle[];
  /** Angles earlier messages already used, most recent last. */
  used: Angle[];
  factsUsed: Set<string>;
  /** How often the body named the company so far: the next sentence says "you" instead of naming it again. */
  companyMentions: number;
  pick: <T>(items: readonly T[], slot: string) => T;
  /** Records that the text quotes these input paths. */
  use: (...keys: string[]) => void;
};

export type ComposeFacts = {
  angles: Angle[];
  offer: ShapedOffer | undefined;
  /** The company as stored and as written in running text, to tell whether a message names it. */
  companyForms: Set<string>;
};

/** Shapes the contact's facts and the offer once per message (every phrasing attempt reuses them). */
export function shapeFacts(input: WriterInput): ComposeFacts {
  const workspaceName = cleanFact(input.workspace.name);
  const offer = shapeOffer(cleanFact(input.workspace.offer), workspaceName);
  const company = cleanFact(input.contact.company);
  const companyForms = new Set(company === undefined ? [] : [company, displayCompany(company)]);
  return { angles: collectAngles(input.contact, offer?.source), offer, companyForms };
}

export function createContext(input: WriterInput, facts: ComposeFacts, attempt: number): ComposeContext {
  const purpose = writerPurpose(input.purpose);
  const variant = input.variant ?? 0;
  // A call's talk track is for the caller: it may use every fact, the ones emails used included.
  const ranked = rankAngles(facts.angles, purpose, input.previous, input.channel === 'call');
  const used = facts.angles.filter((angle) => isAngleUsed(angle, input.previous));
  const rawCompany = cleanFact(input.contact.company);
  const company = rawCompany === undefined ? undefined : displayCompany(rawCompany);
  const senderName = cleanFact(input.sender.fromName);
  const workspace = cleanFact(input.workspace.name);
  const factsUsed = new Set<string>();
  const base = `${input.seed}|${input.channel}|${purpose}|v${variant}|a${attempt}`;
  // Phrasings that would repeat a line an earlier message said are skipped while others remain.
  const said = input.channel === 'call' ? new Set<string>() : saidBefore(input.previous, 4);
  return {
    input,
    purpose,
    firstName: cleanFact(input.contact.firstName),
    company,
    companyOr: company ?? 'your team',
    senderName,
    senderFirst: senderName?.split(' ')[0],
    workspaceName: workspace === undefined || isPlaceholderWorkspaceName(workspace) ? undefined : workspace,
    offer: facts.offer,
    lead: chooseAngle(ranked, variant),
    ranked,
    used,
    factsUsed,
    companyMentions: 0,
    // seededRandom mixes the whole seed; a bare hash modulo a small n correlates across slots.
    pick: <T>(items: readonly T[], slot: string): T => {
      const fresh = items.filter((item) => typeof item !== 'string' || !repeats(item, said));
      const from = fresh.length > 0 ? fresh : items;
      const index = Math.floor(seededRandom(`${base}|${slot}`)() * from.length);
      const item = from[index];
      if (item === undefined) throw new Error(`nothing to pick for ${slot}`);
      return item;
    },
    use: (...keys: string[]) => {
      for (const key of keys) factsUsed.add(key);
    },
  };
}

/** "Northwind" (recorded as used) or "your team". */
export function companyName(ctx: ComposeContext): string {
  if (ctx.company === undefined) return 'your team';
  ctx.use('company');
  ctx.companyMentions += 1;
  return ctx.company;
}

/** "at Northwind" or "" — for the end of a sentence that reads fine without it. */
export function atCompany(ctx: ComposeContext): string {
  return ctx.company === undefined ? '' : ` at ${companyName(ctx)}`;
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

/** "Sam from Ledgerly", "Sam", "someone at Ledgerly" or undefined: who is writing, for chat lines. */
export function whoIsWriting(ctx: ComposeContext): string | undefined {
  if (ctx.senderFirst !== undefined && ctx.workspaceName !== undefined)
    return `${ctx.senderFirst} from ${ctx.workspaceName}`;
  return ctx.senderFirst;
}

/** Email sign-off: a word and the sender's name; no name is written when none is set. */
export function signOff(ctx: ComposeContext): string {
  const word = ctx.pick(['Best,', 'Thanks,', 'Cheers,', 'All the best,', 'Talk soon,', 'Regards,'], 'signoff');
  return ctx.senderName === undefined ? word : `${word}\n${ctx.senderName}`;
}
