// The contact's data as "angles" the composer can lead with: each fact shaped into language
// (src/core/factShape.ts and friends), tied to the input path it came from, and scored by how much
// the offer bears on it. Facts whose grammar is not understood are not angles at all.
import { displayCompany } from '../core/companyName.ts';
import { shapePain, shapeStarter, type ShapedPain, type ShapedStarter } from '../core/factShape.ts';
import { shapeNews, type ShapedNews } from '../core/newsShape.ts';
import { relevanceOf, type RelevanceLevel } from '../core/relevance.ts';
import { shapeRole, shapeStack, type ShapedRole, type ShapedStack } from '../core/roleShape.ts';
import type { PreviousMessage, WriterContact } from './types.ts';

export type AngleKind = 'pain' | 'news' | 'starter' | 'tech' | 'role' | 'none';

export type Angle = {
  kind: AngleKind;
  /** Input paths this angle quotes, reported as factsUsed. */
  keys: string[];
  relevance: RelevanceLevel;
  score: number;
  /** The fact as it reads mid-sentence ("manual lead research eats SDR time"), for plans and prompts. */
  text: string;
  /** The forms the angle is written with, to tell whether an earlier message already used it. */
  forms: string[];
  pain?: ShapedPain;
  news?: ShapedNews;
  starter?: ShapedStarter;
  stack?: ShapedStack;
  role?: ShapedRole;
};

export const NO_ANGLE: Angle = { kind: 'none', keys: [], relevance: 'none', score: 0, text: '', forms: [] };

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

function list(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map(cleanFact).filter((item): item is string => item !== undefined);
}

/** Words the contact's own data uses as names: never lower-cased when a fact starts with them. */
export function namesOf(contact: WriterContact): Set<string> {
  const names = new Set<string>();
  const add = (text: unknown) => {
    if (typeof text !== 'string') return;
    for (const word of text.split(/[\s,&/]+/)) if (/^\p{Lu}/u.test(word)) names.add(word.toLowerCase());
  };
  add(contact.firstName);
  add(contact.lastName);
  add(contact.company);
  add(contact.city);
  add(contact.country);
  for (const tool of list(contact.enrichment.techStack)) add(tool);
  return names;
}

/** Every angle the contact's data supports, scored against the offer. */
export function collectAngles(contact: WriterContact, offer: string | undefined): Angle[] {
  const enrichment = contact.enrichment;
  const names = namesOf(contact);
  const company = cleanFact(contact.company);
  const angles: Angle[] = [];
  const score = (text: string) =>
    offer === undefined ? { relevance: 'none' as const, score: 0 } : toScore(relevanceOf(text, offer));
  const newsText = cleanFact(enrichment.recentNews);
  const news = newsText === undefined ? undefined : shapeNews(newsText, { company, names });
  if (news !== undefined && newsText !== undefined) {
    const forms = [news.seen, news.congrats, news.topic].filter((form): form is string => form !== undefined);
    angles.push({ kind: 'news', keys: ['enrichment.recentNews'], ...score(newsText), text: news.seen, forms, news });
  }
  list(enrichment.painPoints).forEach((text, index) => {
    const pain = shapePain(text, names);
    if (pain === undefined) return;
    const forms = [pain.clause, pain.phrase, pain.topic].filter((form): form is string => form !== undefined);
    angles.push({
      kind: 'pain',
      keys: [`enrichment.painPoints[${index}]`],
      ...score(text),
      text: pain.clause ?? pain.phrase ?? pain.topic,
      forms,
      pain,
    });
  });
  list(enrichment.conversationStarters).forEach((text, index) => {
    const starter = shapeStarter(text, names);
    if (starter === undefined) return;
    const forms = [starter.phrase, starter.clause].filter((form): form is string => form !== undefined);
    angles.push({
      kind: 'starter',
      keys: [`enrichment.conversationStarters[${index}]`],
      ...score(text),
      text: starter.phrase ?? starter.clause ?? text,
      forms,
      starter,
    });
  });
  const stack = shapeStack(list(enrichment.techStack));
  if (stack !== undefined) {
    // A stack bears on the offer only when the offer names one of the tools as written ("works with
    // HubSpot"), not when a tool's name is also a word ("Outreach" and "outreach").
    const named =
      offer !== undefined && stack.tools.some((tool) => new RegExp(`\\b${escapeRegExp(tool)}\\b`).test(offer));
    const relevance = named ? { relevance: 'strong' as const, score: 1 } : { relevance: 'none' as const, score: 0 };
    angles.push({
      kind: 'tech',
      keys: ['enrichment.techStack'],
      ...relevance,
      text: stack.text,
      forms: stack.tools,
      stack,
    });
  }
  const title = cleanFact(contact.title);
  const role = title === undefined ? undefined : shapeRole(title, company && displayCompany(company));
  if (role !== undefined) {
    const about = [role.area, cleanFact(enrichment.industry)].filter(Boolean).join(' ');
    angles.push({
      kind: 'role',
      keys: ['title'],
      ...score(about || role.title),
      text: role.title,
      forms: [role.title],
      role,
    });
  }
  return angles;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function toScore(relevance: { level: RelevanceLevel; score: number }) {
  return { relevance: relevance.level, score: relevance.score };
}

function normalize(text: string): string {
  return ` ${text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;
}

/** An angle counts as used when an earlier message already wrote one of its forms. */
export function isAngleUsed(angle: Angle, previous: readonly PreviousMessage[]): boolean {
  if (previous.length === 0 || angle.kind === 'role') return false;
  const sent = normalize(previous.map((message) => `${message.subject ?? ''} ${message.body}`).join(' '));
  return angle.forms.some((form) => sent.includes(normalize(form)));
}

/** Which kinds a purpose likes to open with, after relevance. A pain the offer does not bear on comes last. */
const KIND_ORDER: Record<string, readonly AngleKind[]> = {
  intro: ['pain', 'news', 'tech', 'starter', 'role'],
  connection_request: ['news', 'starter', 'role', 'pain', 'tech'],
  casual_checkin: ['news', 'starter', 'role', 'pain', 'tech'],
  reengage: ['news', 'pain', 'starter', 'tech', 'role'],
};
const UNRELATED_ORDER: readonly AngleKind[] = ['news', 'starter', 'role', 'tech', 'pain'];
const RELEVANCE_RANK: Record<RelevanceLevel, number> = { strong: 0, soft: 1, none: 2 };

/**
 * Angles best first: what the offer bears on first (the reason for writing), then the purpose's
 * favourite kinds; among facts the offer does not bear on, warm ones (news, a talk, the role) come
 * before a pain we cannot address. `keepUsed` keeps angles earlier messages used (call talk tracks).
 */
export function rankAngles(
  angles: readonly Angle[],
  purpose: string,
  previous: readonly PreviousMessage[],
  keepUsed = false,
): Angle[] {
  const order = KIND_ORDER[purpose] ?? KIND_ORDER['intro'] ?? [];
  const kindRank = (angle: Angle) => {
    const list = angle.relevance === 'none' ? UNRELATED_ORDER : order;
    const position = list.indexOf(angle.kind);
    return position === -1 ? list.length : position;
  };
  const social = purpose === 'connection_request' || purpose === 'casual_checkin';
  return angles
    .filter((angle) => keepUsed || !isAngleUsed(angle, previous))
    .sort((a, b) =>
      social
        ? kindRank(a) - kindRank(b)
        : RELEVANCE_RANK[a.relevance] - RELEVANCE_RANK[b.relevance] || b.score - a.score || kindRank(a) - kindRank(b),
    );
}

/** The lead angle for a variant: variant n leads with the n-th kind, relevant kinds first. */
export function chooseAngle(ranked: readonly Angle[], variant: number): Angle {
  if (ranked.length === 0) return NO_ANGLE;
  const firstOfKind = ranked.filter((angle, index) => ranked.findIndex((other) => other.kind === angle.kind) === index);
  const order = [...firstOfKind, ...ranked.filter((angle) => !firstOfKind.includes(angle))];
  return order[variant % order.length] ?? NO_ANGLE;
}
