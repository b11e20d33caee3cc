// Which IANA zone to send in for a contact: the contact's own timezone, else one inferred from its
// city, else from its country, else the sequence's. Countries with several zones map to the most
// populous one (US → New York, CA → Toronto, AU → Sydney, BR → São Paulo, RU → Moscow,
// MX → Mexico City); a known city overrides that.
import { IANAZone } from 'luxon';

export type TimezoneSource = 'contact' | 'city' | 'country' | 'sequence';
export type ResolvedTimezone = { zone: string; source: TimezoneSource };
export type ContactPlace = { timezone?: string | null; country?: string | null; city?: string | null };

// [ISO-2 code, zone, ...names]. The code itself is also a name.
const COUNTRIES: readonly (readonly string[])[] = [
  ['US', 'America/New_York', 'usa', 'united states', 'united states of america', 'america'],
  ['CA', 'America/Toronto', 'canada'],
  ['MX', 'America/Mexico_City', 'mexico'],
  ['BR', 'America/Sao_Paulo', 'brazil', 'brasil'],
  ['AR', 'America/Argentina/Buenos_Aires', 'argentina'],
  ['CL', 'America/Santiago', 'chile'],
  ['CO', 'America/Bogota', 'colombia'],
  ['PE', 'America/Lima', 'peru'],
  ['UY', 'America/Montevideo', 'uruguay'],
  ['CR', 'America/Costa_Rica', 'costa rica'],
  ['PR', 'America/Puerto_Rico', 'puerto rico'],
  ['GB', 'Europe/London', 'uk', 'united kingdom', 'great britain', 'britain', 'england', 'scotland', 'wales'],
  ['IE', 'Europe/Dublin', 'ireland'],
  ['FR', 'Europe/Paris', 'france'],
  ['DE', 'Europe/Berlin', 'germany', 'deutschland'],
  ['NL', 'Europe/Amsterdam', 'netherlands', 'the netherlands', 'holland'],
  ['BE', 'Europe/Brussels', 'belgium'],
  ['LU', 'Europe/Luxembourg', 'luxembourg'],
  ['CH', 'Europe/Zurich', 'switzerland'],
  ['AT', 'Europe/Vienna', 'austria'],
  ['ES', 'Europe/Madrid', 'spain', 'espana'],
  ['PT', 'Europe/Lisbon', 'portugal'],
  ['IT', 'Europe/Rome', 'italy', 'italia'],
  ['SE', 'Europe/Stockholm', 'sweden'],
  ['NO', 'Europe/Oslo', 'norway'],
  ['DK', 'Europe/Copenhagen', 'denmark'],
  ['FI', 'Europe/Helsinki', 'finland'],
  ['IS', 'Atlantic/Reykjavik', 'iceland'],
  ['EE', 'Europe/Tallinn', 'estonia'],
  ['PL', 'Europe/Warsaw', 'poland'],
  ['CZ', 'Europe/Prague', 'czechia', 'czech republic'],
  ['HU', 'Europe/Budapest', 'hungary'],
  ['RO', 'Europe/Bucharest', 'romania'],
  ['GR', 'Europe/Athens', 'greece'],
  ['UA', 'Europe/Kyiv', 'ukraine'],
  ['TR', 'Europe/Istanbul', 'turkey', 'turkiye'],
  ['RU', 'Europe/Moscow', 'russia', 'russian federation'],
  ['IL', 'Asia/Jerusalem', 'israel'],
  ['AE', 'Asia/Dubai', 'uae', 'united arab emirates'],
  ['SA', 'Asia/Riyadh', 'saudi arabia'],
  ['QA', 'Asia/Qatar', 'qatar'],
  ['EG', 'Africa/Cairo', 'egypt'],
  ['MA', 'Africa/Casablanca', 'morocco'],
  ['NG', 'Africa/Lagos', 'nigeria'],
  ['GH', 'Africa/Accra', 'ghana'],
  ['KE', 'Africa/Nairobi', 'kenya'],
  ['ZA', 'Africa/Johannesburg', 'south africa'],
  ['IN', 'Asia/Kolkata', 'india'],
  ['PK', 'Asia/Karachi', 'pakistan'],
  ['BD', 'Asia/Dhaka', 'bangladesh'],
  ['LK', 'Asia/Colombo', 'sri lanka'],
  ['NP', 'Asia/Kathmandu', 'nepal'],
  ['SG', 'Asia/Singapore', 'singapore'],
  ['MY', 'Asia/Kuala_Lumpur', 'malaysia'],
  ['ID', 'Asia/Jakarta', 'indonesia'],
  ['TH', 'Asia/Bangkok', 'thailand'],
  ['VN', 'Asia/Ho_Chi_Minh', 'vietnam', 'viet nam'],
  ['PH', 'Asia/Manila', 'philippines'],
  ['CN', 'Asia/Shanghai', 'china'],
  ['HK', 'Asia/Hong_Kong', 'hong kong'],
  ['TW', 'Asia/Taipei', 'taiwan'],
  ['JP', 'Asia/Tokyo', 'japan'],
  ['KR', 'Asia/Seoul', 'south korea', 'korea', 'republic of korea'],
  ['AU', 'Australia/Sydney', 'australia'],
  ['NZ', 'Pacific/Auckland', 'new zealand'],
];

// [ISO-2 code of the country the city is in, zone, ...city names].
const CITIES: readonly (readonly string[])[] = [
  ['US', 'America/New_York', 'new york', 'new york city', 'nyc', 'boston', 'philadelphia', 'washington', 'washington dc', 'atlanta', 'miami', 'charlotte', 'pittsburgh', 'baltimore', 'detroit', 'orlando', 'tampa', 'raleigh', 'columbus', 'cleveland'],
  ['US', 'America/Chicago', 'chicago', 'houston', 'dallas', 'austin', 'san antonio', 'minneapolis', 'st louis', 'saint louis', 'kansas city', 'nashville', 'new orleans', 'milwaukee'],
  ['US', 'America/Denver', 'denver', 'boulder', 'salt lake city', 'albuquerque'],
  ['US', 'America/Phoenix', 'phoenix', 'scottsdale', 'tucson'],
  ['US', 'America/Los_Angeles', 'los angeles', 'san francisco', 'sf', 'seattle', 'san diego', 'san jose', 'portland', 'las vegas', 'sacramento', 'oakland', 'palo alto', 'mountain view'],
  ['US', 'America/Anchorage', 'anchorage'],
  ['US', 'Pacific/Honolulu', 'honolulu'],
  ['CA', 'America/Toronto', 'toronto', 'montreal', 'ottawa', 'quebec city'],
  ['CA', 'America/Vancouver', 'vancouver', 'victoria'],
  ['CA', 'America/Edmonton', 'calgary', 'edmonton'],
  ['CA', 'America/Winnipeg', 'winnipeg'],
  ['CA', 'America/Halifax', 'halifax'],
  ['MX', 'America/Mexico_City', 'mexico city', 'guadalajara', 'monterrey'],
  ['MX', 'America/Tijuana', 'tijuana'],
  ['BR', 'America/Sao_Paulo', 'sao paulo', 'rio de janeiro', 'belo horizonte', 'brasilia', 'curitiba', 'porto alegre'],
  ['BR', 'America/Manaus', 'manaus'],
  ['AR', 'America/Argentina/Buenos_Aires', 'buenos aires'],
  ['CL', 'America/Santiago', 'santiago'],
  ['CO', 'America/Bogota', 'bogota', 'medellin'],
  ['PE', 'America/Lima', 'lima'],
  ['GB', 'Europe/London', 'london', 'manchester', 'birmingham', 'edinburgh', 'glasgow', 'bristol', 'cambridge', 'oxford'],
  ['IE', 'Europe/Dublin', 'dublin'],
  ['FR', 'Europe/Paris', 'paris', 'lyon', 'marseille'],
  ['DE', 'Europe/Berlin', 'berlin', 'munich', 'munchen', 'hamburg', 'frankfurt', 'cologne', 'koln', 'stuttgart'],
  ['NL', 'Europe/Amsterdam', 'amsterdam', 'rotterdam', 'utrecht', 'the hague'],
  ['BE', 'Europe/Brussels', 'brussels', 'antwerp'],
  ['CH', 'Europe/Zurich', 'zurich', 'geneva', 'basel'],
  ['AT', 'Europe/Vienna', 'vienna', 'wien'],
  ['ES', 'Europe/Madrid', 'madrid', 'barcelona', 'valencia'],
  ['PT', 'Europe/Lisbon', 'lisbon', 'lisboa', 'porto'],
  ['IT', 'Europe/Rome', 'rome', 'milan', 'milano'],
  ['SE', 'Europe/Stockholm', 'stockholm'],
  ['NO', 'Europe/Oslo', 'oslo'],
  ['DK', 'Europe/Copenhagen', 'copenhagen'],
  ['FI', 'Europe/Helsinki', 'helsinki'],
  ['PL', 'Europe/Warsaw', 'warsaw', 'krakow'],
  ['CZ', 'Europe/Prague', 'prague'],
  ['UA', 'Europe/Kyiv', 'kyiv', 'kiev'],
  ['TR', 'Europe/Istanbul', 'istanbul', 'ankara'],
  ['RU', 'Europe/Moscow', 'moscow', 'saint petersburg', 'st petersburg'],
  ['RU', 'Asia/Yekaterinburg', 'yekaterinburg'],
  ['RU', 'Asia/Novosibirsk', 'novosibirsk'],
  ['RU', 'Asia/Vladivostok', 'vladivostok'],
  ['IL', 'Asia/Jerusalem', 'tel aviv', 'jerusalem'],
  ['AE', 'Asia/Dubai', 'dubai', 'abu dhabi'],
  ['SA', 'Asia/Riyadh', 'riyadh', 'jeddah'],
  ['EG', 'Africa/Cairo', 'cairo'],
  ['NG', 'Africa/Lagos', 'lagos'],
  ['KE', 'Africa/Nairobi', 'nairobi'],
  ['ZA', 'Africa/Johannesburg', 'johannesburg', 'cape town'],
  ['IN', 'Asia/Kolkata', 'mumbai', 'bombay', 'delhi', 'new delhi', 'bangalore', 'bengaluru', 'hyderabad', 'chennai', 'pune', 'kolkata', 'gurgaon', 'gurugram', 'noida', 'ahmedabad'],
  ['SG', 'Asia/Singapore', 'singapore'],
  ['MY', 'Asia/Kuala_Lumpur', 'kuala lumpur'],
  ['ID', 'Asia/Jakarta', 'jakarta'],
  ['TH', 'Asia/Bangkok', 'bangkok'],
  ['VN', 'Asia/Ho_Chi_Minh', 'ho chi minh city', 'saigon', 'hanoi'],
  ['PH', 'Asia/Manila', 'manila'],
  ['CN', 'Asia/Shanghai', 'shanghai', 'beijing', 'shenzhen', 'guangzhou'],
  ['HK', 'Asia/Hong_Kong', 'hong kong'],
  ['TW', 'Asia/Taipei', 'taipei'],
  ['JP', 'Asia/Tokyo', 'tokyo', 'osaka'],
  ['KR', 'Asia/Seoul', 'seoul'],
  ['AU', 'Australia/Sydney', 'sydney', 'canberra'],
  ['AU', 'Australia/Melbourne', 'melbourne'],
  ['AU', 'Australia/Brisbane', 'brisbane'],
  ['AU', 'Australia/Adelaide', 'adelaide'],
  ['AU', 'Australia/Perth', 'perth'],
  ['NZ', 'Pacific/Auckland', 'auckland', 'wellington'],
];

type Place = { iso: string; zone: string };

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

const COUNTRY_INDEX = index(COUNTRIES, true);
const CITY_INDEX = index(CITIES, false);

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
  if (own && IANAZone.isValidZone(own)) return { zone: own, source: 'contact' };
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
