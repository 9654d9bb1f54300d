/**
 * @module
 * Keyed pseudonyms and date shifting for the de-identified OMOP export (HIPAA Safe Harbor,
 * 45 CFR §164.514(b)(2), in spirit: identifiers removed, dates moved, ages over 89 collapsed).
 *
 * - Pseudonym: HMAC-SHA256(secret, key) (RFC 2104), first 16 hex digits. Without the export secret a
 *   pseudonym cannot be linked back to the patient key, and two exports with different secrets cannot
 *   be joined.
 * - Date shift: one offset per patient in [−180, +180] days from HMAC-SHA256(secret, "date-shift" ‖ key),
 *   so intervals between a patient's events are exact while calendar dates are not.
 * - FHIR date/dateTime/instant values (FHIR R4 §2.24.0.1) are shifted on their wall-clock date: the time
 *   of day is kept and the zone offset dropped, as OMOP datetimes carry no zone.
 */
import { createHmac } from 'node:crypto';
import { utf8 } from '../core/bytes.ts';

/** Dates move by at most this many days either way. */
export const MAX_SHIFT_DAYS = 180;
/** Safe Harbor: ages above 89 are aggregated into "90 or older". */
export const AGE_LIMIT = 90;

const DAY_MS = 86_400_000;

function hmac(secret: Uint8Array, ...parts: string[]): Buffer {
  const h = createHmac('sha256', secret);
  for (const p of parts) h.update(utf8(p));
  return h.digest();
}

/** The export pseudonym of a patient key: HMAC-SHA256(secret, key) as 16 lowercase hex digits. */
export function pseudonym(secret: Uint8Array, key: string): string {
  return hmac(secret, key).toString('hex').slice(0, 16);
}

/**
 * The patient's date offset in days, in [−180, 180]: the first 32 bits of
 * HMAC-SHA256(secret, "date-shift" ‖ key) reduced mod 361 (bias below 2⁻²³, irrelevant here).
 */
export function dateShiftDays(secret: Uint8Array, key: string): number {
  return (hmac(secret, 'date-shift', key).readUInt32BE(0) % (2 * MAX_SHIFT_DAYS + 1)) - MAX_SHIFT_DAYS;
}

/** A parsed FHIR date or dateTime, as wall-clock fields; `precision` says which were given. */
export interface FhirDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** `HH:MM:SS` when the value had a time, else null. */
  readonly time: string | null;
  readonly precision: 'year' | 'month' | 'day';
}

const FHIR_DATE_RE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * Parses a FHIR date/dateTime/instant. Missing month or day is imputed to the middle of the known
 * period (July 1, the 15th), so a shift of ≤ 180 days keeps a year-only date inside its year.
 * Returns undefined for absent or malformed values (the caller then drops the row).
 */
export function parseFhirDate(value: string | undefined): FhirDate | undefined {
  if (value === undefined) return undefined;
  const m = FHIR_DATE_RE.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? 7 : Number(m[2]);
  const day = m[3] === undefined ? (m[2] === undefined ? 1 : 15) : Number(m[3]);
  const t = new Date(Date.UTC(year, month - 1, day));
  if (t.getUTCFullYear() !== year || t.getUTCMonth() !== month - 1 || t.getUTCDate() !== day)
    return undefined;
  const time = m[4] === undefined ? null : `${m[4]}:${m[5]!}:${m[6] ?? '00'}`;
  if (time !== null && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return undefined;
  const precision = m[2] === undefined ? 'year' : m[3] === undefined ? 'month' : 'day';
  return { year, month, day, time, precision };
}

/** A shifted date as OMOP writes it: `date` (YYYY-MM-DD), `datetime` (with the time, if any). */
export interface OmopDate {
  readonly date: string;
  readonly datetime: string | null;
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `d` moved by `days` calendar days (UTC arithmetic: no DST). */
export function shiftDate(d: FhirDate, days: number): OmopDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day) + days * DAY_MS);
  const year = t.getUTCFullYear();
  const month = t.getUTCMonth() + 1;
  const day = t.getUTCDate();
  const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  return { date, datetime: d.time === null ? null : `${date} ${d.time}`, year, month, day };
}

/** Parse and shift in one step; undefined when the value is absent or malformed. */
export function shiftFhirDate(value: string | undefined, days: number): OmopDate | undefined {
  const d = parseFhirDate(value);
  return d && shiftDate(d, days);
}

/**
 * Completed years from `birth` to `asOf` (ms since the epoch, UTC). A partial birth date counts from
 * the earliest day it allows, so the age is never underestimated when deciding on the 90+ rule.
 */
export function ageAt(birth: FhirDate, asOf: number): number {
  const month = birth.precision === 'year' ? 1 : birth.month;
  const day = birth.precision === 'day' ? birth.day : 1;
  const now = new Date(asOf);
  const y = now.getUTCFullYear();
  const beforeBirthday =
    now.getUTCMonth() + 1 < month || (now.getUTCMonth() + 1 === month && now.getUTCDate() < day);
  return y - birth.year - (beforeBirthday ? 1 : 0);
}
