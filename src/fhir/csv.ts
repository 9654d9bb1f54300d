/**
 * @module
 * CSV writer per RFC 4180 §2: CRLF after every record (the header included), fields joined by commas,
 * and a field quoted — with each `"` doubled — when it holds a comma, a quote, CR or LF.
 *
 * RFC 4180 has no NULL. We follow PostgreSQL `COPY … CSV` (the usual way OMOP CDM tables are loaded):
 * an unquoted empty field is NULL, a quoted empty field (`""`) is the empty string. So `null` and
 * `undefined` write nothing and `''` writes `""`, and a one-column row never becomes a blank line.
 */
import { ArgumentValueError } from '../core/errors.ts';

/** A CSV cell value: null and undefined are written as NULL (an unquoted empty field). */
export type CsvValue = string | number | null | undefined;

/** A row with (at least) the columns `K`. Interfaces with those keys are accepted. */
export type CsvRow<K extends string> = Readonly<Partial<Record<K, CsvValue>>>;

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field. Numbers are written as ECMAScript `String(n)` (round-trips through `Number()`).
 *
 * @throws {ArgumentValueError} for NaN or ±Infinity, which CSV readers would load as text.
 */
export function csvField(v: CsvValue, name = 'value'): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ArgumentValueError(name, `got ${String(v)}, want a finite number`);
    return String(v);
  }
  if (v === '' || NEEDS_QUOTES.test(v)) return `"${v.replaceAll('"', '""')}"`;
  return v;
}

/**
 * `rows` as RFC 4180 CSV with a header row of `columns`, in that order. Keys of a row not named in
 * `columns` are ignored; a missing key is NULL.
 *
 * @example
 * toCsv([{ id: 1, note: 'a, "b"' }], ['id', 'note']); // 'id,note\r\n1,"a, ""b"""\r\n'
 */
export function toCsv<K extends string>(rows: readonly CsvRow<K>[], columns: readonly K[]): string {
  return csvHeader(columns) + csvLines(rows, columns);
}

/** The header record of `columns` (what {@link toCsv} starts with), for a CSV written in parts. */
export function csvHeader(columns: readonly string[]): string {
  if (columns.length === 0) throw new ArgumentValueError('columns', 'want at least one column');
  return columns.map((c) => csvField(c)).join(',') + '\r\n';
}

/** `rows` as CSV records without a header, each ending in CRLF ('' for no rows). */
export function csvLines<K extends string>(rows: readonly CsvRow<K>[], columns: readonly K[]): string {
  let out = '';
  for (const [i, row] of rows.entries())
    out += columns.map((c) => csvField(row[c], `rows[${String(i)}].${c}`)).join(',') + '\r\n';
  return out;
}
