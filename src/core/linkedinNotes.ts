// LinkedIn lets free members add a note to 5 connection requests a month (calendar month); after
// that a request goes without a note rather than waiting (an invitation without a note still works).
import { DateTime } from 'luxon';
import { zoneOrName } from './timezone.ts';

export const FREE_NOTES_PER_MONTH = 5;

/** The start of the calendar month of `now` in the account's zone. */
export function monthStart(now: Date, zone: string): Date {
  return DateTime.fromJSDate(now, { zone: zoneOrName(zone) })
    .startOf('month')
    .toJSDate();
}

/** Whether a free account's request may still carry a note this month. */
export function mayAddNote(input: { linkedinFree: boolean; notesThisMonth: number }): boolean {
  return !input.linkedinFree || input.notesThisMonth < FREE_NOTES_PER_MONTH;
}
