// CSV columns → contact fields. Headers use the contact field names (case, spaces, dashes and
// underscores are forgiven: "First Name" = firstName), dotted `enrichment.*` / `custom.*`
// columns, `;`-separated lists; any other column goes to `custom`.

const FIELDS = [
  'email',
  'phone',
  'linkedinUrl',
  'firstName',
  'lastName',
  'title',
  'company',
  'companyDomain',
  'timezone',
  'country',
  'city',
  'tags',
  'whatsappOptIn',
  'smsOptIn',
] as const;
const LIST_FIELDS = new Set([
  'tags',
  'enrichment.painPoints',
  'enrichment.techStack',
  'enrichment.conversationStarters',
]);
const IDENTITY_FIELDS = ['email', 'phone', 'linkedinUrl'];

type Column = { kind: 'field'; name: string } | { kind: 'enrichment'; key: string } | { kind: 'custom'; key: string };

export type CsvHeader = { ok: true; columns: Column[] } | { ok: false; message: string };

const squash = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');
const BY_SQUASHED = new Map<string, string>(FIELDS.map((f) => [squash(f), f]));
BY_SQUASHED.set('linkedin', 'linkedinUrl');
BY_SQUASHED.set('linkedinprofile', 'linkedinUrl');
BY_SQUASHED.set('emailaddress', 'email');
BY_SQUASHED.set('phonenumber', 'phone');
BY_SQUASHED.set('domain', 'companyDomain');

/** Maps the header row; fails when it cannot be a contact header. */
export function mapCsvHeader(header: string[]): CsvHeader {
  const columns: Column[] = [];
  const seen = new Set<string>();
  for (const [index, rawName] of header.entries()) {
    const name = rawName.replace(/^\uFEFF/, '').trim();
    if (name === '') return { ok: false, message: `CSV header column ${index + 1} is empty` };
    const column = mapColumn(name);
    const key = column.kind === 'field' ? column.name : `${column.kind}.${column.key}`;
    if (seen.has(key)) return { ok: false, message: `CSV header has column "${name}" twice` };
    seen.add(key);
    columns.push(column);
  }
  if (!columns.some((c) => c.kind === 'field' && IDENTITY_FIELDS.includes(c.name))) {
    return {
      ok: false,
      message: `CSV header must include an email, phone or linkedinUrl column; found: ${header.slice(0, 10).join(', ')}`,
    };
  }
  return { ok: true, columns };
}

function mapColumn(name: string): Column {
  const dot = name.indexOf('.');
  if (dot > 0) {
    const prefix = squash(name.slice(0, dot));
    const key = name.slice(dot + 1).trim();
    if (prefix === 'enrichment' && key) return { kind: 'enrichment', key };
    if (prefix === 'custom' && key) return { kind: 'custom', key };
  }
  const field = BY_SQUASHED.get(squash(name));
  return field ? { kind: 'field', name: field } : { kind: 'custom', key: name };
}

/** One CSV record → the object normalizeContact() takes. Empty cells are absent. */
export function csvRecordToContact(columns: Column[], record: string[]): Record<string, unknown> {
  const contact: Record<string, unknown> = {};
  const enrichment: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  columns.forEach((column, i) => {
    const cell = record[i];
    if (cell === undefined || cell.trim() === '') return;
    if (column.kind === 'field') {
      contact[column.name] = LIST_FIELDS.has(column.name) ? splitList(cell) : cell;
    } else if (column.kind === 'enrichment') {
      enrichment[column.key] = LIST_FIELDS.has(`enrichment.${column.key}`) ? splitList(cell) : cell;
    } else {
      custom[column.key] = cell;
    }
  });
  if (Object.keys(enrichment).length > 0) contact.enrichment = enrichment;
  if (Object.keys(custom).length > 0) contact.custom = custom;
  return contact;
}

function splitList(cell: string): string[] {
  return cell
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
