import { describe, expect, it } from 'vitest';
import { IANAZone } from 'luxon';
import { normalizePlace, resolveContactTimezone, type ContactPlace } from '../../src/core/timezone.ts';
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
