// Company names as a person writes them in running text: without the legal suffix ("Acme Inc." →
// "Acme", "Ōsaka Tooling K.K." → "Ōsaka Tooling", "Kovář s.r.o." → "Kovář") and never with a broken
// possessive ("Silva, Costa & Filhos's"). Pure; the registered name stays in the contact.
import { memo } from './memo.ts';

/** Legal forms, longest first so "GmbH & Co. KG" wins over "KG". Matched at the end, after a space or comma. */
const LEGAL_FORMS = [
  'gmbh & co. kg',
  'gmbh & co kg',
  's.a. de c.v.',
  'sp. z o.o.',
  'sp. z o. o.',
  'pty. ltd.',
  'pty ltd',
  'pvt. ltd.',
  'pvt ltd',
  'private limited',
  'incorporated',
  'corporation',
  'limited',
  'l.l.c.',
  'llc',
  'llp',
  'l.p.',
  'lp',
  'inc.',
  'inc',
  'ltd.',
  'ltd',
  'corp.',
  'corp',
  'plc',
  'gmbh',
  'mbh',
  'ag',
  'kg',
  'ohg',
  'ug',
  'e.v.',
  'se',
  's.r.o.',
  'spol. s r.o.',
  'a.s.',
  'sp.j.',
  's.a.',
  's.a.s.',
  'sas',
  'sarl',
  's.a.r.l.',
  's.p.a.',
  'spa',
  's.r.l.',
  'srl',
  's.l.',
  's.l.u.',
  'ltda.',
  'ltda',
  'b.v.',
  'bv',
  'n.v.',
  'nv',
  'oy',
  'oyj',
  'ab',
  'as',
  'asa',
  'a/s',
  'aps',
  'k.k.',
  'kk',
  'co., ltd.',
  'co. ltd.',
  'co ltd',
] as const;

/** Single-word forms that are also ordinary words or initials: stripped only after a comma or when upper-case. */
const AMBIGUOUS = new Set(['as', 'ab', 'se', 'spa', 'lp', 'ag', 'kg', 'ug', 'kk', 'bv', 'nv', 'sas']);

/** "s.r.o." also when its last dot was trimmed away as sentence punctuation. */
const FORMS = LEGAL_FORMS.flatMap((form) => (form.endsWith('.') ? [form, form.slice(0, -1)] : [form]));

function stripOnce(name: string): string {
  const lower = name.toLowerCase();
  for (const form of FORMS) {
    if (!lower.endsWith(form)) continue;
    const start = name.length - form.length;
    const before = name.slice(0, start);
    if (!/[\s,]$/.test(before)) continue;
    const written = name.slice(start);
    if (AMBIGUOUS.has(form.replace(/\.$/, '')) && !before.trimEnd().endsWith(',') && written !== written.toUpperCase())
      continue;
    const rest = before.replace(/[\s,]+$/, '');
    // A name that is only a legal form ("Inc.") is kept as written.
    return rest.length > 0 ? rest : name;
  }
  return name;
}

/**
 * "Acme, Inc." → "Acme"; "Parcel & Co" stays (the "& Co" is part of the name). Memoized per name:
 * the writer asks it of the same company several times per message.
 */
export const displayCompany = memo(stripForms);

function stripForms(name: string): string {
  let current = name.replace(/\s+/g, ' ').trim();
  for (let guard = 0; guard < 3; guard++) {
    const next = stripOnce(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * "Acme's", or undefined when the name ends in s, x or z, in punctuation, or in a word that is not
 * a name ("& Co"): callers then write "at Acme" / "the team at Silva, Costa & Filhos" instead.
 */
export function companyPossessive(name: string): string | undefined {
  const clean = displayCompany(name);
  if (!/\p{L}$/u.test(clean) || /[sxz]$/i.test(clean) || /[,&]/.test(clean)) return undefined;
  return `${clean}'s`;
}
