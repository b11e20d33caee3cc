// A contact as it comes in (one JSON object or one CSV row, already shaped) → a normalized contact
// with its identity, or a precise reason. Every row is judged on its own.
import { isValidZone } from './timezone.ts';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import validator from 'validator';
import { countryCode } from './countries.ts';
import { normalizeLinkedInUrl } from './linkedin.ts';

export const CONTACT_STATUSES = [
  'new',
  'contacted',
  'replied',
  'interested',
  'not_interested',
  'unsubscribed',
  'bounced',
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

export type ContactResult = { ok: true; contact: NormalizedContact } | { ok: false; reason: string };

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
// C0 controls other than tab, line feed and carriage return, plus DEL. NUL can never be stored.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LINE_BREAK_OR_TAB = /[\t\n\r]/;

class Reject extends Error {}

/** Validates and normalizes one incoming contact. */
export function normalizeContact(raw: unknown): ContactResult {
  try {
    return { ok: true, contact: normalize(raw) };
  } catch (error) {
    if (error instanceof Reject) return { ok: false, reason: error.message };
    throw error;
  }
}

function normalize(raw: unknown): NormalizedContact {
  if (!isRecord(raw)) throw new Reject('contact must be a JSON object');
  for (const key of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(key)) throw new Reject(`unknown field "${truncate(key)}" (custom data goes in "custom")`);
  }
  const text = (field: keyof typeof TEXT_FIELDS) => singleLine(raw[field], field, TEXT_FIELDS[field]);
  const country = text('country');
  const email = normalizeEmail(singleLine(raw.email, 'email', 254));
  const phone = normalizePhone(singleLine(raw.phone, 'phone', 40), country);
  const linkedinRaw = singleLine(raw.linkedinUrl, 'linkedinUrl', 500);
  const linkedinUrl = linkedinRaw === null ? null : normalizeLinkedInUrl(linkedinRaw);
  if (linkedinRaw !== null && linkedinUrl === null) {
    throw new Reject(
      `linkedinUrl "${truncate(linkedinRaw)}" is not a LinkedIn profile URL (https://www.linkedin.com/in/…)`,
    );
  }
  const identity = email ? `email:${email}` : phone ? `phone:${phone}` : linkedinUrl ? `linkedin:${linkedinUrl}` : null;
  if (!identity) throw new Reject('contact needs an email, phone or linkedinUrl to be identified');

  const timezone = singleLine(raw.timezone, 'timezone', 64);
  if (timezone !== null && !isValidZone(timezone)) {
    throw new Reject(`timezone "${truncate(timezone)}" is not an IANA time zone name (e.g. Europe/Berlin)`);
  }
  const companyDomain = singleLine(raw.companyDomain, 'companyDomain', 253)?.toLowerCase() ?? null;
  if (companyDomain !== null && !validator.isFQDN(companyDomain)) {
    throw new Reject(`companyDomain "${truncate(companyDomain)}" is not a domain name`);
  }
  return {
    identity,
    email,
    phone,
    linkedinUrl,
    firstName: text('firstName'),
    lastName: text('lastName'),
    title: text('title'),
    company: text('company'),
    companyDomain,
    timezone,
    country,
    city: text('city'),
    tags: normalizeTags(raw.tags),
    enrichment: normalizeEnrichment(raw.enrichment),
    custom: normalizeCustom(raw.custom),
    whatsappOptIn: optionalBoolean(raw.whatsappOptIn, 'whatsappOptIn'),
    smsOptIn: optionalBoolean(raw.smsOptIn, 'smsOptIn'),
  };
}

export function normalizeEmail(value: string | null): string | null {
  if (value === null) return null;
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

function normalizeTags(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Reject(`tags must be a list of strings, not ${describe(value)}`);
  if (value.length > 50) throw new Reject('tags has more than 50 entries');
  const tags = value.map((tag, i) => singleLine(tag, `tags[${i}]`, 64)).filter((t): t is string => t !== null);
  return [...new Set(tags)];
}

function normalizeEnrichment(value: unknown): Enrichment {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new Reject(`enrichment must be an object, not ${describe(value)}`);
  const out: Enrichment = {};
  let freeForm = false;
  for (const [key, item] of Object.entries(value)) {
    const field = `enrichment.${truncate(key, 64)}`;
    if (key.length > 64) throw new Reject(`${field} has a name longer than 64 characters`);
    if ((ENRICHMENT_LISTS as readonly string[]).includes(key)) {
      if (item === null || item === undefined) continue;
      if (!Array.isArray(item)) throw new Reject(`${field} must be a list of strings, not ${describe(item)}`);
      if (item.length > 20) throw new Reject(`${field} has more than 20 entries`);
      const list = item.map((v, i) => optionalString(v, `${field}[${i}]`, 500)).filter((v): v is string => v !== null);
      if (list.length > 0) out[key] = list;
    } else if (key in ENRICHMENT_TEXTS) {
      const text = optionalString(item, field, ENRICHMENT_TEXTS[key as keyof typeof ENRICHMENT_TEXTS]);
      if (text !== null) out[key] = text;
    } else if (item !== null && item !== undefined && item !== '') {
      checkJsonStrings(item, field);
      out[key] = item;
      freeForm = true;
    }
  }
  // Only free-form keys can make it large; the known ones are bounded by their own limits.
  if (freeForm && JSON.stringify(out).length > MAX_JSON_BYTES) {
    throw new Reject(`enrichment is larger than ${MAX_JSON_BYTES} bytes`);
  }
  return out;
}

function normalizeCustom(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new Reject(`custom must be an object, not ${describe(value)}`);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const field = `custom.${truncate(key, 64)}`;
    if (key.length > 64) throw new Reject(`${field} has a name longer than 64 characters`);
    checkControl(key, `custom field name "${truncate(key, 64)}"`);
    if (item === undefined || item === '') continue;
    checkJsonStrings(item, field);
    out[key] = typeof item === 'string' ? item.trim() : item;
  }
  if (Object.keys(out).length > 0 && JSON.stringify(out).length > MAX_JSON_BYTES) {
    throw new Reject(`custom is larger than ${MAX_JSON_BYTES} bytes`);
  }
  return out;
}

/** Free-form JSON values: any shape, but no control characters and no over-long strings. */
function checkJsonStrings(value: unknown, field: string): void {
  if (typeof value === 'string') {
    checkControl(value, field);
    if (value.length > 5000) throw new Reject(`${field} is longer than 5000 characters`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkJsonStrings(v, `${field}[${i}]`));
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      checkControl(k, `${field} key`);
      checkJsonStrings(v, `${field}.${truncate(k, 64)}`);
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
