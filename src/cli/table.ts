// Lists for people: aligned columns, long cells cut short, and a line saying when there is more.

export type Column<T> = { title: string; value: (row: T) => string | number | null | undefined; max?: number };

export function printTable<T>(rows: readonly T[], columns: Column<T>[], empty: string): void {
  if (rows.length === 0) {
    process.stdout.write(`${empty}\n`);
    return;
  }
  const cells = rows.map((row) => columns.map((c) => cut(String(c.value(row) ?? '–'), c.max ?? 40)));
  const widths = columns.map((c, i) => Math.max(width(c.title), ...cells.map((r) => width(r[i] ?? ''))));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v + ' '.repeat((widths[i] ?? 0) - width(v))))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns.map((c) => c.title.toUpperCase()))}\n`);
  for (const r of cells) process.stdout.write(`${line(r)}\n`);
}

/** Characters as a terminal counts them (close enough: code points). */
const width = (text: string) => [...text].length;

function cut(text: string, max: number): string {
  const single = text.replace(/\s+/g, ' ').trim();
  const chars = [...single];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : single;
}

/** "2026-03-02T09:00:00.000Z" → "2026-03-02 09:00" (UTC). */
export function shortTime(iso: string | Date | null | undefined): string {
  if (iso === null || iso === undefined) return '–';
  const text = iso instanceof Date ? iso.toISOString() : iso;
  return text.replace('T', ' ').slice(0, 16);
}
