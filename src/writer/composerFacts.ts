// Turns a contact's data into "angles" the composer can lead with, each tied to the input path it
// came from, and works out which of them earlier messages already used.
import { joinNatural } from '../core/personalize.ts';
import { SENTENCE_WORDS } from '../core/commonWords.ts';
import type { PreviousMessage, WriterContact } from './types.ts';

export type AngleKind = 'news' | 'starter' | 'pain' | 'tech' | 'industry' | 'role' | 'none';

export type Angle = {
  kind: AngleKind;
  /** Input paths this angle quotes, reported as factsUsed. */
  keys: string[];
  /** The fact as it reads mid-sentence (trimmed, no trailing period, first letter lowered when safe). */
  text: string;
  /** Individual items (tech stack tools), used to detect reuse. */
  items: string[];
};

const COMMON = new Set(SENTENCE_WORDS);

/** Trims, collapses whitespace, drops template braces and trailing punctuation. */
export function cleanFact(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value)
    .replace(/[{}]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.;,!\s]+$/, '');
  return text.length > 0 ? text : undefined;
}

/** Lower-cases the first letter when the first word is ordinary English ("Manual reporting"). */
export function lowerFirst(text: string): string {
  const first = text.split(' ')[0] ?? '';
  if (/^\p{Lu}\p{Ll}+$/u.test(first) && COMMON.has(first.toLowerCase())) return text[0]?.toLowerCase() + text.slice(1);
  if (
    /^\p{Lu}\p{Ll}+$/u.test(first) &&
    /^(manual|slow|low|high|long|poor|scaling|hiring|finding|keeping|getting|tracking|reporting|losing|too|lack|limited|inconsistent|rising|missed|messy|outdated|data|lead|leads|pipeline|churn|onboarding)$/i.test(
      first,
    )
  ) {
    return text[0]?.toLowerCase() + text.slice(1);
  }
  return text;
}

export function upperFirst(text: string): string {
  return text.length > 0 ? (text[0]?.toUpperCase() ?? '') + text.slice(1) : text;
}

function list(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map(cleanFact).filter((item): item is string => item !== undefined);
}

/** Every angle the contact's data supports, in a neutral order. */
export function collectAngles(contact: WriterContact): Angle[] {
  const angles: Angle[] = [];
  const enrichment = contact.enrichment;
  const news = cleanFact(enrichment.recentNews);
  if (news !== undefined) angles.push({ kind: 'news', keys: ['enrichment.recentNews'], text: news, items: [news] });
  list(enrichment.conversationStarters).forEach((starter, index) => {
    angles.push({
      kind: 'starter',
      keys: [`enrichment.conversationStarters[${index}]`],
      text: lowerFirst(starter),
      items: [starter],
    });
  });
  list(enrichment.painPoints).forEach((pain, index) => {
    angles.push({ kind: 'pain', keys: [`enrichment.painPoints[${index}]`], text: lowerFirst(pain), items: [pain] });
  });
  const tools = list(enrichment.techStack).slice(0, 3);
  if (tools.length > 0)
    angles.push({ kind: 'tech', keys: ['enrichment.techStack'], text: joinNatural(tools), items: tools });
  const industry = cleanFact(enrichment.industry);
  if (industry !== undefined)
    angles.push({ kind: 'industry', keys: ['enrichment.industry'], text: lowerFirst(industry), items: [industry] });
  const title = cleanFact(contact.title);
  if (title !== undefined) angles.push({ kind: 'role', keys: ['title'], text: title, items: [title] });
  return angles;
}

const PRIORITY: Record<string, readonly AngleKind[]> = {
  intro: ['news', 'starter', 'pain', 'tech', 'industry', 'role'],
  connection_request: ['starter', 'news', 'tech', 'pain', 'role', 'industry'],
  linkedin_dm: ['starter', 'pain', 'news', 'tech', 'industry', 'role'],
  followup_1: ['pain', 'tech', 'starter', 'news', 'industry', 'role'],
  followup_2: ['pain', 'tech', 'industry', 'starter', 'news', 'role'],
  casual_checkin: ['starter', 'news', 'industry', 'tech', 'role', 'pain'],
  value_add: ['pain', 'tech', 'industry', 'role'],
  discovery_call: ['pain', 'tech', 'role', 'industry'],
  breakup: ['pain', 'role', 'industry'],
  reengage: ['news', 'starter', 'pain', 'tech', 'industry', 'role'],
};

function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** An angle counts as used when an earlier message already quoted it. */
export function isAngleUsed(angle: Angle, previous: readonly PreviousMessage[]): boolean {
  if (previous.length === 0) return false;
  const sent = ` ${previous.map((message) => normalize(`${message.subject ?? ''} ${message.body}`)).join(' ')} `;
  return angle.items.some((item) => sent.includes(` ${normalize(item)} `));
}

/** Unused angles, best first for the purpose. */
export function rankAngles(contact: WriterContact, purpose: string, previous: readonly PreviousMessage[]): Angle[] {
  const order = PRIORITY[purpose] ?? PRIORITY['intro'] ?? [];
  const angles = collectAngles(contact).filter((angle) => !isAngleUsed(angle, previous));
  const rank = (angle: Angle): number => {
    const position = order.indexOf(angle.kind);
    return position === -1 ? order.length : position;
  };
  return [...angles].sort((a, b) => rank(a) - rank(b));
}

/** Picks the lead angle for a variant: variant n leads with the n-th best unused angle. */
export function chooseAngle(ranked: readonly Angle[], variant: number): Angle {
  if (ranked.length === 0) return { kind: 'none', keys: [], text: '', items: [] };
  // Variants walk the kinds first (news, then a starter, then a pain point …) so A/B tests
  // compare different angles rather than two pain points.
  const firstOfKind = ranked.filter((angle, index) => ranked.findIndex((other) => other.kind === angle.kind) === index);
  const order = [...firstOfKind, ...ranked.filter((angle) => !firstOfKind.includes(angle))];
  return order[variant % order.length] ?? { kind: 'none', keys: [], text: '', items: [] };
}

/** A second, different angle of a given kind to support the first (e.g. a pain point after news). */
export function supportingAngle(ranked: readonly Angle[], lead: Angle, kinds: readonly AngleKind[]): Angle | undefined {
  return ranked.find((angle) => angle !== lead && kinds.includes(angle.kind) && angle.kind !== lead.kind);
}
