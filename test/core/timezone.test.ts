import { describe, expect, it } from 'vitest';
import { IANAZone } from 'luxon';
import { normalizePlace, resolveContactTimezone, zoneOf, type ContactPlace } from '../../src/core/timezone.ts';
import { CITY_ZONES, COUNTRY_ZONES } from '../../src/core/timezoneTables.ts';

describe('resolveContactTimezone', () => {
  const cases: [string, ContactPlace, string, string][] = [
    ['the contact zone wins', { timezone: 'Asia/Tokyo', country: 'US', city: 'Berlin' }, 'Asia/Tokyo', 'contact'],
    ['an invalid contact zone is ignored', { timezone: 'Mars/Base', country: 'DE' }, 'Europe/Berlin', 'country'],
    ['a blank contact zone is ignored', { timezone: '  ', city: 'Paris' }, 'Europe/Paris', 'city'],
    [
      'city over country for multi-zone countries',
      { country: 'US', city: 'San Francisco' },
      'America/Los_Angeles',
      'city',
    ],
    ['city with a state suffix', { country: 'United States', city: 'Austin, TX' }, 'America/Chicago', 'city'],
    ['LinkedIn-style area names', { city: 'San Francisco Bay Area' }, 'America/Los_Angeles', 'city'],
    ['"Greater … Area"', { city: 'Greater Boston Area' }, 'America/New_York', 'city'],
    ['accents and case', { city: 'SÃO PAULO' }, 'America/Sao_Paulo', 'city'],
    ['München', { city: 'München' }, 'Europe/Berlin', 'city'],
    ['St. Louis', { city: 'St. Louis' }, 'America/Chicago', 'city'],
    [
      'a city in another country does not override the country',
      { country: 'CA', city: 'Portland' },
      'America/Toronto',
      'country',
    ],
    [
      'a known country picks its city among same-named ones',
      { country: 'CA', city: 'Vancouver' },
      'America/Vancouver',
      'city',
    ],
    ['US defaults to New York', { country: 'USA' }, 'America/New_York', 'country'],
    ['Canada defaults to Toronto', { country: 'canada' }, 'America/Toronto', 'country'],
    ['Australia defaults to Sydney', { country: 'AU' }, 'Australia/Sydney', 'country'],
    ['Perth overrides Australia', { country: 'AU', city: 'Perth' }, 'Australia/Perth', 'city'],
    ['Brazil defaults to São Paulo', { country: 'Brasil' }, 'America/Sao_Paulo', 'country'],
    ['Russia defaults to Moscow', { country: 'RU' }, 'Europe/Moscow', 'country'],
    ['Mexico defaults to Mexico City', { country: 'Mexico' }, 'America/Mexico_City', 'country'],
    ['India', { country: 'in' }, 'Asia/Kolkata', 'country'],
    ['UK aliases', { country: 'England' }, 'Europe/London', 'country'],
    [
      'unknown place falls back to the sequence',
      { country: 'Atlantis', city: 'Poseidonia' },
      'Europe/Paris',
      'sequence',
    ],
    ['nothing known falls back to the sequence', {}, 'Europe/Paris', 'sequence'],
    ['nulls from the database', { timezone: null, country: null, city: null }, 'Europe/Paris', 'sequence'],
  ];

  it.each(cases)('%s', (_name, contact, zone, source) => {
    expect(resolveContactTimezone(contact, 'Europe/Paris')).toEqual({ zone, source });
  });
});

describe('normalizePlace', () => {
  it.each([
    ['  New   York ', 'new york'],
    ['Zürich', 'zurich'],
    ['Greater London Area', 'london'],
    ['Kraków', 'krakow'],
  ])('%s → %s', (input, output) => {
    expect(normalizePlace(input)).toBe(output);
  });
});

describe('the tables', () => {
  it('only name zones this runtime knows', () => {
    const zones = [...COUNTRY_ZONES, ...CITY_ZONES].map(([, zone]) => zone ?? '');
    expect(zones.filter((zone) => !IANAZone.isValidZone(zone))).toEqual([]);
  });

  it('have one zone per country code', () => {
    const codes = COUNTRY_ZONES.map(([code]) => code);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe('zoneOf', () => {
  // Zones with odd offsets and transitions: half and quarter hours, 30-minute DST, a skipped day,
  // a change of standard offset.
  const names = [
    'America/New_York',
    'Europe/Berlin',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
    'Asia/Kathmandu',
    'Asia/Kolkata',
    'Pacific/Apia',
    'America/St_Johns',
    'Asia/Pyongyang',
    'Africa/Casablanca',
    'UTC',
  ];

  it.each(names)('answers the offsets IANAZone does, minute by minute around every transition (%s)', (name) => {
    const remembering = zoneOf(name);
    const plain = new IANAZone(name);
    const differences: string[] = [];
    // Every minute around each transition from 2000 to 2030, found by scanning days.
    for (let day = Date.UTC(2000, 0, 1); day < Date.UTC(2030, 0, 1); day += 86_400_000) {
      if (plain.offset(day) === plain.offset(day + 86_400_000)) continue;
      for (let t = day - 3_600_000; t <= day + 86_400_000 + 3_600_000; t += 60_000)
        if (remembering.offset(t) !== plain.offset(t)) differences.push(new Date(t).toISOString());
    }
    // And in random order at arbitrary milliseconds, so a remembered quarter is reused.
    for (let i = 0; i < 2000; i++) {
      const t = Date.UTC(2000, 0, 1) + Math.floor((((i * 7919) % 2000) / 2000) * 946_684_800_000) + i;
      if (remembering.offset(t) !== plain.offset(t)) differences.push(new Date(t).toISOString());
    }
    expect(differences).toEqual([]);
  });

  it('is one object per name and refuses an unknown name', () => {
    expect(zoneOf('Europe/Paris')).toBe(zoneOf('Europe/Paris'));
    expect(() => zoneOf('Mars/Base')).toThrow(/invalid IANA timezone/);
  });
});
