/**
 * @module
 * FHIR R4 search parameter semantics for the `date` and `token` types (http://hl7.org/fhir/R4/search.html),
 * pure and without I/O.
 *
 * Dates: every date, dateTime or instant stands for the range its precision implies (`2013` is all of
 * 2013, `2013-01-14T10:00` one minute), half open [low, high) in ms. A resource's range is compared with
 * the parameter's range after search.html#prefix: eq (contained), ne (not eq), gt/lt (the target
 * reaches above/below the parameter's range), ge (gt or eq), le (lt or eq), sa (starts after), eb (ends
 * before). Times without a zone are read as UTC (the spec leaves it to the server).
 *
 * Tokens: `[system]|[code]` matches a code in a system, `[code]` a code in any system, `|[code]` a code
 * with no system, `[system]|` any code of a system (search.html#token). A comma means OR.
 */
import { ArgumentValueError } from '../../core/errors.ts';
import type { CodeKey } from '../../fhir/clinical-date.ts';

/** A half-open time range [low, high) in ms since the epoch. */
export interface DateRange {
  readonly low: number;
  readonly high: number;
}

const DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * The range a FHIR date, dateTime or instant stands for, or undefined when `s` is not one.
 *
 * @example
 * dateRange('2013-01'); // { low: Date.UTC(2013, 0, 1), high: Date.UTC(2013, 1, 1) }
 */
export function dateRange(s: string): DateRange | undefined {
  const m = DATE.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, hh, mi, ss, frac, zone] = m;
  const year = Number(y);
  if (mo === undefined) return { low: Date.UTC(year, 0, 1), high: Date.UTC(year + 1, 0, 1) };
  const month = Number(mo);
  if (month < 1 || month > 12) return undefined;
  if (d === undefined) return { low: Date.UTC(year, month - 1, 1), high: Date.UTC(year, month, 1) };
  const day = Number(d);
  if (day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  if (hh === undefined)
    return { low: Date.UTC(year, month - 1, day), high: Date.UTC(year, month - 1, day + 1) };
  const hour = Number(hh);
  const minute = Number(mi);
  const second = ss === undefined ? 0 : Number(ss);
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  let offset = 0;
  if (zone !== undefined && zone !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 14 || om > 59) return undefined;
    offset = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const low = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset;
  const width = ss === undefined ? 60_000 : frac === undefined ? 1000 : 1;
  return { low, high: low + width };
}

export const DATE_PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb'] as const;
export type DatePrefix = (typeof DATE_PREFIXES)[number];

export interface DateParam {
  readonly prefix: DatePrefix;
  readonly range: DateRange;
}

/** One value of a `date` parameter, e.g. `ge2019-05`; a value without a prefix is `eq`. */
export function parseDateParam(name: string, v: string): DateParam {
  const p = /^[a-z]{2}/.exec(v)?.[0];
  const prefix = (
    p !== undefined && (DATE_PREFIXES as readonly string[]).includes(p) ? p : 'eq'
  ) as DatePrefix;
  const rest = p === prefix ? v.slice(2) : v;
  const range = dateRange(rest);
  if (!range)
    throw new ArgumentValueError(name, `${v.slice(0, 64)} is not a FHIR date with an optional prefix`);
  return { prefix, range };
}

/** Whether a target range satisfies one date parameter (search.html#prefix). */
export function matchesDate(target: DateRange, p: DateParam): boolean {
  const { low, high } = p.range;
  const eq = target.low >= low && target.high <= high;
  switch (p.prefix) {
    case 'eq':
      return eq;
    case 'ne':
      return !eq;
    case 'gt':
      return target.high > high;
    case 'lt':
      return target.low < low;
    case 'ge':
      return target.high > high || eq;
    case 'le':
      return target.low < low || eq;
    case 'sa':
      return target.low >= high;
    case 'eb':
      return target.high <= low;
  }
}

/** A resource date against every parameter (ANDed), each a comma list of alternatives (ORed). */
export function dateMatches(date: string | undefined, params: readonly (readonly DateParam[])[]): boolean {
  if (params.length === 0) return true;
  const target = date === undefined ? undefined : dateRange(date);
  if (!target) return false;
  return params.every((alternatives) => alternatives.some((p) => matchesDate(target, p)));
}

/** One value of a token parameter; `system` null means "no system" (`|code`), undefined "any". */
export interface TokenParam {
  readonly system?: string | null;
  readonly code?: string;
}

export function parseToken(name: string, v: string): TokenParam {
  const bar = v.indexOf('|');
  if (bar < 0) {
    if (v === '') throw new ArgumentValueError(name, 'is empty');
    return { code: v };
  }
  const system = v.slice(0, bar);
  const code = v.slice(bar + 1);
  if (system === '' && code === '') throw new ArgumentValueError(name, 'has neither system nor code');
  return { system: system === '' ? null : system, ...(code === '' ? {} : { code }) };
}

function matchesToken(k: CodeKey, t: TokenParam): boolean {
  if (t.code !== undefined && k.code !== t.code) return false;
  if (t.system === null) return k.system === undefined;
  return t.system === undefined || k.system === t.system;
}

/** Codes of a resource against every token parameter (ANDed), each a comma list (ORed). */
export function tokenMatches(codes: readonly CodeKey[], params: readonly (readonly TokenParam[])[]): boolean {
  return params.every((alternatives) => alternatives.some((t) => codes.some((k) => matchesToken(k, t))));
}

/** Split a parameter value on commas not escaped as `\\,` (search.html#escaping). */
export function splitOr(v: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < v.length; i++) {
    const ch = v[i]!;
    if (ch === '\\' && v[i + 1] === ',') {
      cur += ',';
      i++;
    } else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
