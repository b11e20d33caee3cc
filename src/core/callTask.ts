// When a call task is due and why it exists: pure. A call step waits for the person making the
// call until its due time — by default the end of the contact's business day (the sequence's
// sending window's end, on one of its days, in the contact's zone) — and then the sequence goes on
// whether or not the call was made.
import { DateTime } from 'luxon';
import { clockToMinutes, WEEKDAYS, type Schedule } from './sequence.ts';

export function callTaskDueAt(input: {
  now: Date;
  zone: string;
  schedule: Pick<Schedule, 'days' | 'end'>;
  /** The sequence's own due time in hours after the task is created, instead of the business day. */
  dueHours?: number;
}): Date {
  const { now, zone, schedule } = input;
  if (input.dueHours !== undefined) return new Date(now.getTime() + input.dueHours * 3_600_000);
  const endMinute = clockToMinutes(schedule.end);
  const local = DateTime.fromJSDate(now, { zone });
  for (let offset = 0; offset <= 7; offset++) {
    const day = local.plus({ days: offset }).startOf('day');
    const name = WEEKDAYS[day.weekday - 1];
    if (name === undefined || !schedule.days.includes(name)) continue;
    const end = day.plus({ minutes: endMinute });
    if (end.toMillis() > now.getTime()) return end.toJSDate();
  }
  return new Date(now.getTime() + 86_400_000);
}

/** The local time at the contact, for the person about to call ("Mon 14:05 (America/Chicago)"). */
export function localTimeAt(now: Date, zone: string): string {
  return `${DateTime.fromJSDate(now, { zone }).toFormat('ccc HH:mm')} (${zone})`;
}
