// A contact as it comes in (one JSON object or one CSV row, already shaped) → a normalized contact
// with its identity, or a precise reason. Every row is judged on its own.
import { isValidZone } from './timezone.ts';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import validator from 'validator';
import { countryCode } from './countries.ts';
import { normalizeLinkedInUrl } from './linkedin.ts';
import { illFormedMessage, loneSurrogate } from './jsonInput.ts';

export const CONTACT_STATUSES = [
  'new',
  'contacted',
  'replied',
  'interested',
  'not_interested',
  'unsubscribed',
  'bounced',
  'handed_off',
  'unreachable',
] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

export type Enrichment = {
  painPoints?: string[];
  techStack?: string[];
  conversationStarters?: string[];
  industry?: string;
  companySize?: string;
  recentNews?: string;
  [key: string]: unknown;
};

export type NormalizedContact = {
  identity: string;
  email: string | null;
  phone: string | null;
  linkedinUrl: string | null;
  firstName: string | null;
  lastName: string | null;
  title: string | null;
  company: string | null;
  companyDomain: string | null;
  timezone: string | null;
  country: string | null;
  city: string | null;
  tags: string[];
  enrichment: Enrichment;
  custom: Record<string, unknown>;
  whatsappOptIn: boolean | null;
  smsOptIn: boolean | null;
};

/** A field dropped from a contact that was kept: its identity (email, phone or LinkedIn URL) was fine. */
export type FieldWarning = { field: string; message: string };

export type ContactResult =
  | { ok: true; contact: NormalizedContact; warnings: FieldWarning[] }
  /** `reasons` holds every problem of the row; `reason` is them joined with "; ". */
  | { ok: false; reason: string; reasons: string[] };

const TEXT_FIELDS = {
  firstName: 100,
  lastName: 100,
  title: 200,
  company: 200,
  country: 100,
  city: 100,
} as const;
const KNOWN_FIELDS = new Set([
  'email',
  'phone',
  'linkedinUrl',
  'companyDomain',
  'timezone',
  'tags',
  'enrichment',
  'custom',
  'whatsappOptIn',
  'smsOptIn',
  ...Object.keys(TEXT_FIELDS),
]);
const ENRICHMENT_LISTS = ['painPoints', 'techStack', 'conversationStarters'] as const;
const ENRICHMENT_TEXTS = { industry: 200, companySize: 50, recentNews: 2000 } as const;
const MAX_JSON_BYTES = 20_000;
const MAX_TAGS = 50;
// C0 controls other than tab, line feed and carriage return, plus DEL. NUL can never be stored.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
/** Free-form enrichment and custom values: deep enough for any real record. */
const MAX_FREE_FORM_DEPTH = 16;
const LINE_BREAK_OR_TAB = /[\t\n\r]/;
const NO_IDENTITY = 'contact needs an email, phone or linkedinUrl to be identified';

class Reject extends Error {}

/**
 * Validates and normalizes one incoming contact. Every field is judged on its own: a bad optional
 * field (or list entry, or enrichment/custom key) is dropped with a warning as long as the contact
 * can still be identified by a valid email, phone or LinkedIn URL; otherwise the contact is
 * rejected with every problem found, not only the first.
 */
export function normalizeContact(raw: unknown): ContactResult {
  if (!isRecord(raw)) return rejected(['contact must be a JSON object']);
  const issues: FieldWarning[] = [];
  const attempt = <T>(field: string, fn: () => T, dropped: T): T => {
    try {
      return fn();
    } catch (error) {
      if (!(error instanceof Reject)) throw error;
      issues.push({ field, message: error.message });
      return dropped;
    }
  };
  for (const key of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(key)) {
      issues.push({ field: key, message: `unknown field "${truncate(key)}" (custom data goes in "custom")` });
    }
  }
  const text = (field: keyof typeof TEXT_FIELDS) =>
    attempt(field, () => singleLine(raw[field], field, TEXT_FIELDS[field]), null);
  const country = text('country');
  const email = attempt('email', () => normalizeEmail(singleLine(raw.email, 'email', 254)), null);
  const phone = attempt('phone', () => normalizePhone(singleLine(raw.phone, 'phone', 40), country), null);
  const linkedinUrl = attempt('linkedinUrl', () => normalizeLinkedIn(raw.linkedinUrl), null);
  const identity = email ? `email:${email}` : phone ? `phone:${phone}` : linkedinUrl ? `linkedin:${linkedinUrl}` : null;
  const contact: NormalizedContact = {
    identity: identity ?? '',
    email,
    phone,
    linkedinUrl,
    firstName: text('firstName'),
    lastName: text('lastName'),
    title: text('title'),
    company: text('company'),
    companyDomain: attempt('companyDomain', () => normalizeDomain(raw.companyDomain), null),
    timezone: attempt('timezone', () => normalizeZone(raw.timezone), null),
    country,
    city: text('city'),
    tags: attempt('tags', () => normalizeTags(raw.tags, attempt), []),
    enrichment: attempt('enrichment', () => normalizeEnrichment(raw.enrichment, attempt), {}),
    custom: attempt('custom', () => normalizeCustom(raw.custom, attempt), {}),
    whatsappOptIn: attempt('whatsappOptIn', () => optionalBoolean(raw.whatsappOptIn, 'whatsappOptIn'), null),
    smsOptIn: attempt('smsOptIn', () => optionalBoolean(raw.smsOptIn, 'smsOptIn'), null),
  };
  if (identity === null) {
    const identityIssues = issues.filter((i) => IDENTITY_FIELDS.includes(i.field));
    const others = issues.filter((i) => !IDENTITY_FIELDS.includes(i.field));
    const first = identityIssues.length > 0 ? identityIssues.map((i) => i.message) : [NO_IDENTITY];
    return rejected([...first, ...others.map((i) => i.message)]);
  }
  return { ok: true, contact, warnings: issues };
}

const IDENTITY_FIELDS = ['email', 'phone', 'linkedinUrl'];

function rejected(reasons: string[]): ContactResult {
  return { ok: false, reason: reasons.join('; '), reasons };
}

type Attempt = <T>(field: string, fn: () => T, dropped: T) => T;

function normalizeLinkedIn(value: unknown): string | null {
  const raw = singleLine(value, 'linkedinUrl', 500);
  if (raw === null) return null;
  const url = normalizeLinkedInUrl(raw);
  if (url === null) {
    throw new Reject(`linkedinUrl "${truncate(raw)}" is not a LinkedIn profile URL (https://www.linkedin.com/in/…)`);
  }
  return url;
}

function normalizeZone(value: unknown): string | null {
  const timezone = singleLine(value, 'timezone', 64);
  if (timezone !== null && !isValidZone(timezone)) {
    throw new Reject(`timezone "${truncate(timezone)}" is not an IANA time zone name (e.g. Europe/Berlin)`);
  }
  return timezone;
}

function normalizeDomain(value: unknown): string | null {
  const domain = singleLine(value, 'companyDomain', 253)?.toLowerCase() ?? null;
  if (domain !== null && !validator.isFQDN(domain))
    throw new Reject(`companyDomain "${truncate(domain)}" is not a domain name`);
  return domain;
}

export function normalizeEmail(value: string | null): string | null {
  if (value === null) return null;
  const surrogate = loneSurrogate(value);
  if (surrogate) throw new Reject(illFormedMessage('email', surrogate));
  const lower = value.toLowerCase();
  if (!validator.isEmail(lower, { allow_utf8_local_part: true, allow_ip_domain: false, require_tld: true })) {
    throw new Reject(`email "${truncate(value)}" is not a valid email address`);
  }
  return lower;
}

/** Parses a phone number (national numbers need a country) and returns it in E.164. */
export function normalizePhone(value: string | null, country: string | null): string | null {
  if (value === null) return null;
  const defaultCountry = country ? (countryCode(country) as CountryCode | undefined) : undefined;
  const parsed = parsePhoneNumberFromString(value, defaultCountry);
  if (!parsed || !parsed.isValid()) {
    const hint =
      value.trim().startsWith('+') || defaultCountry
        ? ''
        : ' (use international format, e.g. +14155550123, or set country)';
    throw new Reject(`phone "${truncate(value)}" is not a valid phone number${hint}`);
  }
  return parsed.number;
}

function singleLine(value: unknown, field: string, max: number): string | null {
  const text = optionalString(value, field, max);
  if (text !== null && LINE_BREAK_OR_TAB.test(text)) throw new Reject(`${field} contains a line break or tab`);
  return text;
}

function optionalString(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isFinite(value)) value = String(value);
  if (typeof value !== 'string') throw new Reject(`${field} must be a string, not ${describe(value)}`);
  const trimmed = value.trim();
  if (trimmed === '') return null;
  checkControl(trimmed, field);
  if (trimmed.length > max && [...trimmed].length > max) throw new Reject(`${field} is longer than ${max} characters`);
  return trimmed;
}

function checkControl(text: string, field: string): void {
  const surrogate = loneSurrogate(text);
  if (surrogate) throw new Reject(illFormedMessage(field, surrogate));
  const match = CONTROL.exec(text);
  if (match) {
    const code = match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new Reject(`${field} contains a control character (U+${code})`);
  }
}

function optionalBoolean(value: unknown, field: string): boolean | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (['true', 'yes', 'y', '1'].includes(v)) return true;
    if (['false', 'no', 'n', '0'].includes(v)) return false;
  }
  throw new Reject(`${field} must be true or false, not ${describe(value)}`);
}

function normalizeTags(value: unknown, attempt: Attempt): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Reject(`tags must be a list of strings, not ${describe(value)}`);
  const tags = value
    .map((tag, i) => attempt(`tags[${i}]`, () => singleLine(tag, `tags[${i}]`, 64), null))
    .filter((t): t is string => t !== null);
  const unique = [...new Set(tags)];
  if (unique.length > MAX_TAGS) {
    attempt(
      'tags',
      () => {
        throw new Reject(`tags has more than ${MAX_TAGS} entries (the first ${MAX_TAGS} are kept)`);
      },
      null,
    );
  }
  return unique.slice(0, MAX_TAGS);
}

function normalizeEnrichment(value: unknown, attempt: Attempt): Enrichment {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new Reject(`enrichment must be an object, not ${describe(value)}`);
  const out: Enrichment = {};
  let freeForm = false;
  for (const [key, item] of Object.entries(value)) {
    const field = `enrichment.${truncate(key, 64)}`;
    attempt(
      field,
      () => {
        if (key.length > 64) throw new Reject(`${field} has a name longer than 64 characters`);
        checkControl(key, `enrichment field name "${truncate(key, 64)}"`);
        if ((ENRICHMENT_LISTS as readonly string[]).includes(key)) {
          if (item === null || item === undefined) return;
          if (!Array.isArray(item)) throw new Reject(`${field} must be a list of strings, not ${describe(item)}`);
          if (item.length > 20) throw new Reject(`${field} has more than 20 entries`);
          const list = item
            .map((v, i) => optionalString(v, `${field}[${i}]`, 500))
            .filter((v): v is string => v !== null);
          if (list.length > 0) out[key] = list;
        } else if (key in ENRICHMENT_TEXTS) {
          const text = optionalString(item, field, ENRICHMENT_TEXTS[key as keyof typeof ENRICHMENT_TEXTS]);
          if (text !== null) out[key] = text;
        } else if (item !== null && item !== undefined && item !== '') {
          checkJsonStrings(item, field);
          out[key] = item;
          freeForm = true;
        }
      },
      undefined,
    );
  }
  // Only free-form keys can make it large; the known ones are bounded by their own limits.
  if (freeForm && JSON.stringify(out).length > MAX_JSON_BYTES) {
    throw new Reject(`enrichment is larger than ${MAX_JSON_BYTES} bytes`);
  }
  return out;
}

function normalizeCustom(value: unknown, attempt: Attempt): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new Reject(`custom must be an object, not ${describe(value)}`);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const field = `custom.${truncate(key, 64)}`;
    attempt(
      field,
      () => {
        if (key.length > 64) throw new Reject(`${field} has a name longer than 64 characters`);
        checkControl(key, `custom field name "${truncate(key, 64)}"`);
        if (item === undefined || item === '') return;
        checkJsonStrings(item, field);
        out[key] = typeof item === 'string' ? item.trim() : item;
      },
      undefined,
    );
  }
  if (Object.keys(out).length > 0 && JSON.stringify(out).length > MAX_JSON_BYTES) {
    throw new Reject(`custom is larger than ${MAX_JSON_BYTES} bytes`);
  }
  return out;
}

/** Free-form JSON values: any shape up to 16 levels, no control characters, no over-long strings. */
function checkJsonStrings(value: unknown, field: string, depth = 0): void {
  if (typeof value === 'string') {
    checkControl(value, field);
    if (value.length > 5000) throw new Reject(`${field} is longer than 5000 characters`);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (depth >= MAX_FREE_FORM_DEPTH) throw new Reject(`${field} nests deeper than ${MAX_FREE_FORM_DEPTH} levels`);
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkJsonStrings(v, `${field}[${i}]`, depth + 1));
  } else {
    for (const [k, v] of Object.entries(value)) {
      checkControl(k, `${field} key`);
      checkJsonStrings(v, `${field}.${truncate(k, 64)}`, depth + 1);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `"${truncate(value)}"`;
  return `${typeof value} ${String(value)}`;
}

function truncate(text: string, max = 80): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
}
