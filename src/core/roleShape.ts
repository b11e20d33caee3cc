// A contact's title and tech stack as language: "VP Sales" → "you lead sales", "Founder & CEO" →
// "you run Acme"; a stack of two or more tools takes a plural verb ("SAP and Excel fit").
import { joinNatural } from './personalize.ts';

export type ShapedRole = {
  title: string;
  /** "you lead sales", "you run Acme"; undefined for titles we do not read (other languages, unusual ones). */
  clause?: string;
  /** The area the person owns, for relevance: "sales", "revenue operations". */
  area?: string;
};

export type ShapedStack = { tools: string[]; text: string; plural: boolean };

const CHIEF: Record<string, string> = {
  coo: 'operations',
  cro: 'revenue',
  cfo: 'finance',
  cmo: 'marketing',
  cto: 'engineering',
  cio: 'IT',
  cso: 'sales',
  cpo: 'product',
  chro: 'people',
};
const OFFICER_AREAS: Record<string, string> = {
  executive: 'company',
  financial: 'finance',
  operating: 'operations',
  technology: 'engineering',
  technical: 'engineering',
  information: 'IT',
  people: 'people',
  revenue: 'revenue',
  marketing: 'marketing',
  product: 'product',
  sales: 'sales',
  commercial: 'sales',
  customer: 'customer success',
};
const LEADER =
  /^(?:senior |global |regional )?(?:s?vp|evp|vice president|head|director|chief|lead|leader|gm|general manager)(?: of| for|,)?\s+(.+)$/i;
const RUNS_COMPANY =
  /\b(founder|co-?founder|ceo|owner|president|managing director|managing partner|geschäftsführer)\b/i;
const MANAGER = /^(.+?)\s+(?:manager|lead|director|leader)$/i;
/** Area words kept in their capitals. */
const KEEP_CASE = /^(?:[A-Z]{2,}s?|[A-Z][a-z]+[A-Z]\w*)$/;

function areaText(text: string): string | undefined {
  const area = text
    .replace(/\s*[,(].*$/, '')
    .split(/\s+/)
    .map((word) => (KEEP_CASE.test(word) ? word : word.toLowerCase()))
    .join(' ')
    .replace(/^the\s+/, '')
    .trim();
  if (area.length === 0 || area.split(' ').length > 4 || /[^\p{L}\s&/-]/u.test(area)) return undefined;
  return area.replace(/\s*&\s*/g, ' and ');
}

/** Reads an English job title; `company` is the name used in running text. */
export function shapeRole(title: string, company: string | undefined): ShapedRole | undefined {
  const clean = title.replace(/\s+/g, ' ').trim();
  if (clean.length === 0) return undefined;
  const lower = clean.toLowerCase();
  const officer = /^chief (\w+(?: \w+)?) officer$/.exec(lower)?.[1];
  if (officer !== undefined) {
    const area = OFFICER_AREAS[officer] ?? officer;
    if (area === 'company')
      return { title: clean, clause: company === undefined ? 'you run the company' : `you run ${company}`, area };
    return { title: clean, clause: `you run ${area}`, area };
  }
  const chief = CHIEF[lower];
  if (chief !== undefined) return { title: clean, clause: `you run ${chief}`, area: chief };
  if (RUNS_COMPANY.test(lower))
    return {
      title: clean,
      clause: company === undefined ? 'you run the company' : `you run ${company}`,
      area: 'company',
    };
  const leader = LEADER.exec(clean);
  if (leader?.[1] !== undefined) {
    const area = areaText(leader[1]);
    if (area !== undefined) return { title: clean, clause: `you lead ${area}`, area };
  }
  const manager = MANAGER.exec(clean);
  if (manager?.[1] !== undefined) {
    const area = areaText(manager[1]);
    if (area !== undefined) return { title: clean, clause: `you manage ${area}`, area };
  }
  return { title: clean };
}

/** At most three tools, joined naturally, with the number the verb must agree with. */
export function shapeStack(tools: readonly string[]): ShapedStack | undefined {
  const clean = [...new Set(tools.map((tool) => tool.replace(/\s+/g, ' ').trim()).filter((tool) => tool.length > 0))];
  const kept = clean.slice(0, 3);
  if (kept.length === 0) return undefined;
  return { tools: kept, text: joinNatural(kept), plural: kept.length > 1 };
}
