// Which IANA zone to send in for a contact: the contact's own timezone, else one inferred from its
// city, else from its country, else the sequence's. Countries with several zones map to the most
// populous one (US → New York, CA → Toronto, AU → Sydney, BR → São Paulo, RU → Moscow,
// MX → Mexico City); a known city overrides that.
import { IANAZone } from 'luxon';
import { CITY_ZONES, COUNTRY_ZONES } from './timezoneTables.ts';

export type TimezoneSource = 'contact' | 'city' | 'country' | 'sequence';
export type ResolvedTimezone = { zone: string; source: TimezoneSource };
export type ContactPlace = { timezone?: string | null; country?: string | null; city?: string | null };

type Place = { iso: string; zone: string };

// IANAZone.isValidZone builds a new Intl formatter on every call (~0.1 ms), and the engine asks for
// every step: remember the answers (bounded, for names that come from imported data).
const validity = new Map<string, boolean>();

/**
 * An IANA zone whose UTC offsets are remembered per minute. luxon asks the zone for its offset at
 * every conversion, and IANAZone answers through Intl's formatToParts (several microseconds each,
 * a few dozen per step). Since 2000 every zone's offset changes only on a whole minute of UTC (not
 * always a quarter hour: Newfoundland changed at 00:01 local time until 2011), so an offset read
 * once holds for the rest of its minute; earlier instants are not remembered.
 */
class RememberingZone extends IANAZone {
  private readonly offsets = new Map<number, number>();

  override offset(ts: number): number {
    if (ts < SINCE_2000) return super.offset(ts);
    const minute = Math.floor(ts / MINUTE);
    const known = this.offsets.get(minute);
    if (known !== undefined) return known;
    const offset = super.offset(minute * MINUTE);
    if (this.offsets.size >= 50_000) this.offsets.clear();
    this.offsets.set(minute, offset);
    return offset;
  }
}

const SINCE_2000 = Date.UTC(2000, 0, 1);
const MINUTE = 60_000;
const zones = new Map<string, IANAZone>();

/** The zone object for a valid IANA name (throws otherwise), one per name. */
export function zoneOf(name: string): IANAZone {
  const known = zones.get(name);
  if (known) return known;
  if (!isValidZone(name)) throw new Error(`invalid IANA timezone: ${name}`);
  const zone = new RememberingZone(name);
  if (zones.size >= 10_000) zones.clear();
  zones.set(name, zone);
  return zone;
}

/** zoneOf(name) for a valid name; an invalid one as it is (luxon then answers with an invalid date). */
export function zoneOrName(name: string): IANAZone | string {
  return isValidZone(name) ? zoneOf(name) : name;
}

/** Whether `name` is an IANA zone this runtime knows. */
export function isValidZone(name: string): boolean {
  const known = validity.get(name);
  if (known !== undefined) return known;
  const valid = IANAZone.isValidZone(name);
  if (validity.size >= 10_000) validity.clear();
  validity.set(name, valid);
  return valid;
}

function index(rows: readonly (readonly string[])[], includeCode: boolean): Map<string, Place[]> {
  const map = new Map<string, Place[]>();
  for (const [iso = '', zone = '', ...names] of rows) {
    for (const name of includeCode ? [iso, ...names] : names) {
      const key = normalizePlace(name);
      map.set(key, [...(map.get(key) ?? []), { iso, zone }]);
    }
  }
  return map;
}

const COUNTRY_INDEX = index(COUNTRY_ZONES, true);
const CITY_INDEX = index(CITY_ZONES, false);

/** Lower case, accents and punctuation removed, LinkedIn-style "Greater … Area" stripped. */
export function normalizePlace(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[.'’]/g, '')
    .replace(/[\s\-_]+/g, ' ')
    .trim()
    .replace(/^greater /, '')
    .replace(/ (bay area|metropolitan area|metro area|area|metro)$/, '');
}

export function resolveContactTimezone(contact: ContactPlace, fallbackZone: string): ResolvedTimezone {
  const own = contact.timezone?.trim();
  if (own && isValidZone(own)) return { zone: own, source: 'contact' };
  const country = contact.country ? COUNTRY_INDEX.get(normalizePlace(contact.country))?.[0] : undefined;
  const city = contact.city ? lookupCity(contact.city, country?.iso) : undefined;
  if (city) return { zone: city.zone, source: 'city' };
  if (country) return { zone: country.zone, source: 'country' };
  return { zone: fallbackZone, source: 'sequence' };
}

/** "Austin, TX" tries "austin, tx" then "austin"; a known country rules out same-named cities elsewhere. */
function lookupCity(city: string, countryIso: string | undefined): Place | undefined {
  const candidates = [city, city.split(',')[0] ?? ''];
  for (const candidate of candidates) {
    const places = CITY_INDEX.get(normalizePlace(candidate));
    if (!places) continue;
    const match = countryIso ? places.find((place) => place.iso === countryIso) : places[0];
    if (match) return match;
  }
  return undefined;
}
