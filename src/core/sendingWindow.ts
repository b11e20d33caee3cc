// Sending windows: when, in the contact's zone, a step may go out. "Inside" is defined on the wall
// clock: the local weekday is one of schedule.days and start <= local time < end ("24:00" = the end
// of the day). Local times are converted to instants without luxon's guess for ambiguous times
// (that guess depends on the real current date), so results are the same in every season:
// a wall time inside a spring-forward gap maps to the first instant after the gap, and a wall time
// that happens twice in a fall-back overlap maps to its first occurrence.
import { DateTime, type IANAZone } from 'luxon';
import { zoneOf } from './timezone.ts';
import { seededRandom } from './random.ts';
import { clockToMinutes, WEEKDAYS, type Schedule } from './sequence.ts';

export type WindowSchedule = Pick<Schedule, 'days' | 'start' | 'end'> & { jitterSeconds?: number };

const MINUTE = 60_000;
const DAY = 86_400_000;
const DAY_SEARCH_LIMIT = 15;

export function isInsideWindow(instant: Date, schedule: WindowSchedule, zone: string): boolean {
  return insideAt(DateTime.fromJSDate(instant, { zone: zoneOf(zone) }), schedule);
}

function insideAt(local: DateTime, schedule: WindowSchedule): boolean {
  if (!allowedWeekday(schedule, local.weekday)) return false;
  const minute = local.hour * 60 + local.minute;
  return minute >= clockToMinutes(schedule.start) && minute < clockToMinutes(schedule.end);
}

/**
 * The earliest instant >= `after` inside the window, plus a deterministic jitter in
 * [0, jitterSeconds] (default schedule.jitterSeconds) drawn from `seed`, shortened so the result
 * stays at least one second before the window closes.
 */
export function nextAllowedSlot(input: {
  after: Date;
  schedule: WindowSchedule;
  zone: string;
  jitterSeconds?: number;
  seed: string;
}): Date {
  const { after, schedule, seed } = input;
  const zone = zoneOf(input.zone);
  const window = firstWindow(after.getTime(), schedule, zone);
  const jitterSeconds = input.jitterSeconds ?? schedule.jitterSeconds ?? 0;
  const room = Math.floor((window.close - window.open) / 1000) - 1;
  const maxJitter = Math.max(0, Math.min(jitterSeconds, room));
  const jitter = Math.floor(seededRandom(seed)() * (maxJitter + 1));
  return new Date(window.open + jitter * 1000);
}

type OpenWindow = { open: number; close: number };

type LocalDate = { year: number; month: number; day: number };

function firstWindow(after: number, schedule: WindowSchedule, zone: IANAZone): OpenWindow {
  const startMinute = clockToMinutes(schedule.start);
  const endMinute = clockToMinutes(schedule.end);
  const first = DateTime.fromMillis(after, { zone });
  if (insideAt(first, schedule)) {
    return { open: after, close: closeAfter(after, first, endMinute, zone) };
  }
  const firstDay = Date.UTC(first.year, first.month - 1, first.day);
  for (let offset = 0; offset < DAY_SEARCH_LIMIT; offset++) {
    const calendar = new Date(firstDay + offset * DAY);
    const isoWeekday = ((calendar.getUTCDay() + 6) % 7) + 1;
    if (!allowedWeekday(schedule, isoWeekday)) continue;
    const date = { year: calendar.getUTCFullYear(), month: calendar.getUTCMonth() + 1, day: calendar.getUTCDate() };
    for (const open of wallInstants(zone, date, startMinute)) {
      if (open < after) continue;
      const close = closeAfter(open, date, endMinute, zone);
      if (close > open) return { open, close };
    }
  }
  throw new Error(
    `schedule ${schedule.start}-${schedule.end} on ${schedule.days.join(',')} never opens in ${zone.name}`,
  );
}

/** The first instant after `from` at which the local wall clock reaches `endMinute` on `date`. */
function closeAfter(from: number, date: LocalDate, endMinute: number, zone: IANAZone): number {
  const candidates = wallInstants(zone, date, endMinute);
  return candidates.find((instant) => instant > from) ?? candidates[candidates.length - 1] ?? from;
}

/**
 * The instants whose local wall time on `date` is `minuteOfDay`: one normally, two in a fall-back
 * overlap (earliest first). Inside a spring-forward gap it is the first instant after the gap.
 */
function wallInstants(zone: IANAZone, date: LocalDate, minuteOfDay: number): number[] {
  // Minute 1440 is 00:00 of the next day: Date.UTC carries it over.
  const wall = Date.UTC(date.year, date.month - 1, date.day) + minuteOfDay * MINUTE;
  const offsets = new Set([zone.offset(wall - DAY), zone.offset(wall), zone.offset(wall + DAY)]);
  const valid = [...offsets]
    .map((offset) => wall - offset * MINUTE)
    .filter((instant) => wall - zone.offset(instant) * MINUTE === instant)
    .sort((a, b) => a - b);
  if (valid.length > 0) return [...new Set(valid)];
  // In a gap: the wall time is skipped. Search for the transition between the two readings.
  const readings = [...offsets].map((offset) => wall - offset * MINUTE).sort((a, b) => a - b);
  let low = readings[0] ?? wall;
  let high = readings[readings.length - 1] ?? wall;
  while (high - low > MINUTE) {
    const middle = low + Math.floor((high - low) / MINUTE / 2) * MINUTE;
    if (localWall(zone, middle) >= wall) high = middle;
    else low = middle;
  }
  return [high];
}

function localWall(zone: IANAZone, instant: number): number {
  return instant + zone.offset(instant) * MINUTE;
}

function allowedWeekday(schedule: WindowSchedule, isoWeekday: number): boolean {
  const day = WEEKDAYS[isoWeekday - 1];
  return day !== undefined && schedule.days.includes(day);
}
