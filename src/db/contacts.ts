// Contacts of one workspace (every function runs inside db.tenant, so RLS applies too).
import { hashIdentityValue } from '../core/apiKey.ts';
import type { ContactStatus, NormalizedContact } from '../core/contact.ts';
import { encodeIdCursor } from './cursor.ts';
import type { Sql } from './database.ts';
import { uuidv7 } from './uuidv7.ts';

export type Contact = Omit<NormalizedContact, 'identity'> & {
  id: string;
  linkedinConnectedAt: string | null;
  status: ContactStatus;
  createdAt: string;
  updatedAt: string;
};

export const CONTACT_COLUMNS = `id, email, phone, linkedin_url AS "linkedinUrl", first_name AS "firstName",
  last_name AS "lastName", title, company, company_domain AS "companyDomain", timezone, country, city, tags,
  enrichment, custom, whatsapp_opt_in AS "whatsappOptIn", sms_opt_in AS "smsOptIn", status,
  to_json(linkedin_connected_at) #>> '{}' AS "linkedinConnectedAt",
  to_json(created_at) #>> '{}' AS "createdAt", to_json(updated_at) #>> '{}' AS "updatedAt"`;

const RECORD_TYPE = `id uuid, identity text, email text, phone text, linkedin_url text, first_name text, last_name text,
  title text, company text, company_domain text, timezone text, country text, city text, tags text[],
  enrichment jsonb, custom jsonb, whatsapp_opt_in boolean, sms_opt_in boolean`;

const SCALARS = [
  'email',
  'phone',
  'linkedin_url',
  'first_name',
  'last_name',
  'title',
  'company',
  'company_domain',
  'timezone',
  'country',
  'city',
  'whatsapp_opt_in',
  'sms_opt_in',
] as const;

// Present values overwrite, absent ones keep what is stored; tags are a union; enrichment and
// custom merge key by key. The WHERE makes re-importing the same data a no-op (no row returned).
const UPSERT = `
  INSERT INTO contacts AS c (id, workspace_id, identity, ${SCALARS.join(', ')}, tags, enrichment, custom)
  SELECT r.id, $1::uuid, r.identity, ${SCALARS.map((s) => `r.${s}`).join(', ')},
         coalesce(r.tags, '{}'), coalesce(r.enrichment, '{}'), coalesce(r.custom, '{}')
    FROM jsonb_to_recordset($2::jsonb) AS r(${RECORD_TYPE})
  ON CONFLICT (workspace_id, identity) DO UPDATE SET
    ${SCALARS.map((s) => `${s} = coalesce(excluded.${s}, c.${s})`).join(',\n    ')},
    tags = c.tags || array(SELECT t FROM unnest(excluded.tags) AS t WHERE t <> ALL (c.tags)),
    enrichment = c.enrichment || excluded.enrichment,
    custom = c.custom || excluded.custom,
    updated_at = now()
  WHERE ${SCALARS.map((s) => `coalesce(excluded.${s}, c.${s}) IS DISTINCT FROM c.${s}`).join('\n     OR ')}
     OR NOT (excluded.tags <@ c.tags)
     OR (c.enrichment || excluded.enrichment) IS DISTINCT FROM c.enrichment
     OR (c.custom || excluded.custom) IS DISTINCT FROM c.custom
  RETURNING (xmax = 0) AS inserted`;

// Inserts the rows whose identity is not stored yet and returns their identities; the rest are
// left to UPSERT. One round trip per batch in the common case of new people.
const INSERT_NEW = `
  INSERT INTO contacts (id, workspace_id, identity, ${SCALARS.join(', ')}, tags, enrichment, custom)
  SELECT r.id, $1::uuid, r.identity, ${SCALARS.map((s) => `r.${s}`).join(', ')},
         coalesce(r.tags, '{}'), coalesce(r.enrichment, '{}'), coalesce(r.custom, '{}')
    FROM jsonb_to_recordset($2::jsonb) AS r(${RECORD_TYPE})
   WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.workspace_id = $1::uuid AND c.identity = r.identity)
  ON CONFLICT (workspace_id, identity) DO NOTHING
  RETURNING identity`;

/**
 * Upserts a batch whose identities are distinct: new people are inserted, then only the ones
 * already stored (or inserted meanwhile by a concurrent import) go through the upsert.
 */
export async function upsertContacts(
  sql: Sql,
  workspaceId: string,
  contacts: NormalizedContact[],
): Promise<{ created: number; updated: number }> {
  if (contacts.length === 0) return { created: 0, updated: 0 };
  const { rows: inserted } = await sql.query<{ identity: string }>(INSERT_NEW, [workspaceId, toRecords(contacts)]);
  let created = inserted.length;
  let updated = 0;
  if (created < contacts.length) {
    const done = new Set(inserted.map((r) => r.identity));
    const rest = contacts.filter((c) => !done.has(c.identity));
    const { rows } = await sql.query<{ inserted: boolean }>(UPSERT, [workspaceId, toRecords(rest)]);
    const raced = rows.filter((r) => r.inserted).length;
    created += raced;
    updated += rows.length - raced;
  }
  return { created, updated };
}

function toRecords(contacts: NormalizedContact[]): string {
  return JSON.stringify(
    contacts.map((c) => ({
      id: uuidv7(),
      identity: c.identity,
      email: c.email,
      phone: c.phone,
      linkedin_url: c.linkedinUrl,
      first_name: c.firstName,
      last_name: c.lastName,
      title: c.title,
      company: c.company,
      company_domain: c.companyDomain,
      timezone: c.timezone,
      country: c.country,
      city: c.city,
      tags: c.tags,
      enrichment: c.enrichment,
      custom: c.custom,
      whatsapp_opt_in: c.whatsappOptIn,
      sms_opt_in: c.smsOptIn,
    })),
  );
}

export type ContactFilter = { tag?: string; status?: ContactStatus; limit: number; afterId?: string };

export async function listContacts(
  sql: Sql,
  filter: ContactFilter,
): Promise<{ data: Contact[]; nextCursor: string | null }> {
  const { rows } = await sql.query<Contact>(
    `SELECT ${CONTACT_COLUMNS} FROM contacts
      WHERE ($1::text IS NULL OR $1 = ANY (tags))
        AND ($2::text IS NULL OR status = $2)
        AND ($3::uuid IS NULL OR id > $3::uuid)
      ORDER BY id
      LIMIT $4`,
    [filter.tag ?? null, filter.status ?? null, filter.afterId ?? null, filter.limit + 1],
  );
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  return { data: page, nextCursor: rows.length > filter.limit && last ? encodeIdCursor(last.id) : null };
}

export async function getContact(sql: Sql, id: string): Promise<Contact | undefined> {
  const { rows } = await sql.query<Contact>(`SELECT ${CONTACT_COLUMNS} FROM contacts WHERE id = $1`, [id]);
  return rows[0];
}

/**
 * Erases a contact: the row and its timeline go, and anonymized suppression entries (hashes of
 * its email, phone and LinkedIn URL) remain so the person is never contacted again.
 */
export async function eraseContact(sql: Sql, workspaceId: string, id: string): Promise<boolean> {
  const { rows } = await sql.query<{ email: string | null; phone: string | null; linkedin_url: string | null }>(
    'DELETE FROM contacts WHERE id = $1 RETURNING email, phone, linkedin_url',
    [id],
  );
  const erased = rows[0];
  if (!erased) return false;
  const entries = [
    ['email', erased.email],
    ['phone', erased.phone],
    ['linkedin', erased.linkedin_url],
  ].filter((e): e is [string, string] => e[1] !== null);
  for (const [kind, value] of entries) {
    await sql.query(
      `INSERT INTO suppressions (workspace_id, kind, value_hash, channel, reason) VALUES ($1, $2, $3, 'all', 'erased')
       ON CONFLICT (workspace_id, kind, value_hash, channel) DO NOTHING`,
      [workspaceId, kind, hashIdentityValue(value)],
    );
  }
  return true;
}

export async function hasErasedContacts(sql: Sql): Promise<boolean> {
  const { rows } = await sql.query<{ found: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM suppressions WHERE reason = 'erased') AS found",
  );
  return rows[0]?.found === true;
}

/** Which of these identities belong to erased people (they must not be re-imported). */
export async function findErasedIdentities(sql: Sql, contacts: NormalizedContact[]): Promise<Set<string>> {
  const byHash = new Map<string, string>();
  for (const c of contacts) {
    for (const value of [c.email, c.phone, c.linkedinUrl]) if (value) byHash.set(hashIdentityValue(value), c.identity);
  }
  if (byHash.size === 0) return new Set();
  const { rows } = await sql.query<{ value_hash: string }>(
    `SELECT value_hash FROM suppressions WHERE reason = 'erased' AND value_hash = ANY ($1::text[])`,
    [[...byHash.keys()]],
  );
  return new Set(rows.map((r) => byHash.get(r.value_hash) as string));
}

/** Records (or clears) the contact's accepted LinkedIn connection. */
export async function setLinkedinConnection(sql: Sql, id: string, connectedAt: Date | null): Promise<boolean> {
  const { rowCount } = await sql.query(
    'UPDATE contacts SET linkedin_connected_at = $2, updated_at = now() WHERE id = $1',
    [id, connectedAt],
  );
  return rowCount === 1;
}

/** Sets a contact's status; with `onlyFrom`, only when it is one of those now. */
export async function setContactStatus(
  sql: Sql,
  id: string,
  status: ContactStatus,
  onlyFrom?: readonly ContactStatus[],
): Promise<void> {
  await sql.query(
    'UPDATE contacts SET status = $2, updated_at = now() WHERE id = $1 AND ($3::text[] IS NULL OR status = ANY ($3::text[]))',
    [id, status, onlyFrom ?? null],
  );
}

/** Records the contact's SMS consent (an SMS STOP withdraws it, START gives it back). */
export async function setSmsOptIn(sql: Sql, id: string, optIn: boolean): Promise<void> {
  await sql.query('UPDATE contacts SET sms_opt_in = $2, updated_at = now() WHERE id = $1', [id, optIn]);
}
