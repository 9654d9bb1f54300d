/**
 * @module
 * The "valid until" date fields: a native date input (YYYY-MM-DD, the user's own calendar UI) read
 * as the end of that day in the user's time zone, and checked to be in the future.
 */

const pad = (n: number): string => String(n).padStart(2, '0');

/** A local calendar date as YYYY-MM-DD. */
export function isoDay(t: number): string {
  const d = new Date(t);
  return `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** 23:59:59 local time of a YYYY-MM-DD day, as an ISO 8601 instant. */
export function endOfDay(day: string): string {
  return new Date(`${day}T23:59:59`).toISOString();
}

/** An error message for the field, or null when the day is a valid future date. */
export function futureDayError(day: string, now: number): string | null {
  if (day === '') return 'Choose the last day of access';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00`)))
    return 'Enter a date like 2026-12-31';
  if (Date.parse(endOfDay(day)) <= now) return 'The date must be in the future';
  return null;
}
