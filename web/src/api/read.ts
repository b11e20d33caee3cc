// Readers for the API's open-ended objects (contacts, sequences, accounts, simulations are
// documented with their id and status and any further fields): each field is checked, not assumed.
export type Loose = Record<string, unknown>;

export const text = (o: Loose | undefined, key: string): string | null => {
  const v = o?.[key];
  return typeof v === 'string' ? v : null;
};
export const num = (o: Loose | undefined, key: string): number | null => {
  const v = o?.[key];
  return typeof v === 'number' ? v : null;
};
export const bool = (o: Loose | undefined, key: string): boolean | null => {
  const v = o?.[key];
  return typeof v === 'boolean' ? v : null;
};
export const obj = (o: Loose | undefined, key: string): Loose | undefined => {
  const v = o?.[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Loose) : undefined;
};
export const list = (o: Loose | undefined, key: string): Loose[] => {
  const v = o?.[key];
  return Array.isArray(v) ? v.filter((x): x is Loose => typeof x === 'object' && x !== null) : [];
};
export const strings = (o: Loose | undefined, key: string): string[] => {
  const v = o?.[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
};

export function contactName(c: Loose | undefined): string {
  const name = [text(c, 'firstName'), text(c, 'lastName')].filter(Boolean).join(' ');
  return name || text(c, 'email') || text(c, 'phone') || 'Unnamed contact';
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export const label = (value: string | null | undefined): string => (value ? value.replaceAll('_', ' ') : '—');
