/**
 * @module
 * Showing FHIR R4 data types to people: CodeableConcept text, Quantity, HumanName, dates and the
 * clinically relevant date of a resource, base64 text attachments (https://hl7.org/fhir/R4/datatypes.html).
 * Pure functions, no React: any workspace may use them.
 */
import type { CodeableConcept, Coding, HumanName, Period, Quantity } from '@medplum/fhirtypes';
import type { RecordView as RecordViewOf } from '../../../src/api/contract/records.ts';

export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
export const UCUM = 'http://unitsofmeasure.org';

/** A resource as the node returns it: only resourceType is sure, the rest is read defensively. */
export type LooseResource = { readonly resourceType: string; readonly id?: string } & Record<string, unknown>;

/** A record version as the portal reads it: its resource loosely. */
export type RecordView = RecordViewOf<LooseResource>;

/** The first coding of a concept, or the first one of `system` when given. */
export function codingOf(cc: CodeableConcept | undefined, system?: string): Coding | undefined {
  const codings = cc?.coding ?? [];
  return system ? codings.find((c) => c.system === system) : codings[0];
}

/** What a person reads for a concept: its text, else the first coding's display, else its code. */
export function conceptText(cc: CodeableConcept | undefined, fallback = ''): string {
  if (!cc) return fallback;
  if (cc.text) return cc.text;
  const c = cc.coding?.find((x) => x.display) ?? cc.coding?.[0];
  return c?.display ?? c?.code ?? fallback;
}

/** UCUM codes people do not read as units (`mm[Hg]`, `Cel`, `/min`) shown the usual way. */
const UNIT_LABELS: Record<string, string> = {
  'mm[Hg]': 'mmHg',
  Cel: '°C',
  '[degF]': '°F',
  '/min': '/min',
  'kg/m2': 'kg/m²',
  '%': '%',
};

export function unitLabel(q: Pick<Quantity, 'unit' | 'code'> | undefined): string {
  if (!q) return '';
  if (q.code && UNIT_LABELS[q.code]) return UNIT_LABELS[q.code]!;
  return q.unit ?? q.code ?? '';
}

/** `72 /min`, `36.8 °C`; rounds to 2 decimals so float noise does not show. */
export function quantityText(q: Quantity | undefined): string {
  if (q?.value === undefined) return '';
  const v = Math.round(q.value * 100) / 100;
  const u = unitLabel(q);
  return `${v.toLocaleString()}${u ? (u === '%' ? u : ` ${u}`) : ''}`;
}

/** `Brielle Caleen Lind` from the official (or first) name. */
export function humanName(names: readonly HumanName[] | undefined, fallback = 'Unnamed patient'): string {
  const n = names?.find((x) => x.use === 'official') ?? names?.[0];
  if (!n) return fallback;
  if (n.text) return n.text;
  const s = [...(n.prefix ?? []), ...(n.given ?? []), n.family ?? ''].join(' ').trim();
  return s || fallback;
}

/** A FHIR date with no time (`1958-06-26`, `1958-06`, `1958`) is a calendar date, not an instant. */
function isDateOnly(s: string): boolean {
  return /^\d{4}(-\d{2}(-\d{2})?)?$/.test(s);
}

/** A FHIR date or dateTime in the user's locale; date-only values are not shifted by time zone. */
export function formatDate(s: string | undefined): string {
  if (!s) return '';
  if (isDateOnly(s)) {
    const [y, m, d] = s.split('-').map(Number);
    if (m === undefined) return String(y);
    const date = new Date(y!, m - 1, d ?? 1);
    return d === undefined
      ? date.toLocaleDateString(undefined, { year: 'numeric', month: 'short' })
      : date.toLocaleDateString();
  }
  const t = new Date(s);
  return Number.isNaN(t.getTime()) ? s : t.toLocaleDateString();
}

/** Date and time in the user's locale (date-only values show as a date). */
export function formatDateTime(s: string | undefined): string {
  if (!s) return '';
  if (isDateOnly(s)) return formatDate(s);
  const t = new Date(s);
  return Number.isNaN(t.getTime()) ? s : t.toLocaleString();
}

/** Whole years between a birth date and `now` (null when unknown). */
export function ageOn(birthDate: string | undefined, now: Date): number | null {
  if (!birthDate || !/^\d{4}-\d{2}-\d{2}/.test(birthDate)) return null;
  const [y, m, d] = birthDate.slice(0, 10).split('-').map(Number) as [number, number, number];
  let age = now.getFullYear() - y;
  if (now.getMonth() + 1 < m || (now.getMonth() + 1 === m && now.getDate() < d)) age -= 1;
  return age;
}

/** First 8 characters of an id; show the full id in a `title`. */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

function periodStart(p: unknown): string | undefined {
  return (p as Period | undefined)?.start ?? (p as Period | undefined)?.end;
}

/**
 * The date that matters clinically for a resource: when it happened (effective, onset, period,
 * occurrence, performed), else when it was written down (date, recorded, issued, asserted).
 */
export function clinicalDate(r: LooseResource): string | undefined {
  const str = (k: string): string | undefined => {
    const v = r[k];
    return typeof v === 'string' ? v : undefined;
  };
  return (
    str('effectiveDateTime') ??
    periodStart(r.effectivePeriod) ??
    str('onsetDateTime') ??
    periodStart(r.onsetPeriod) ??
    periodStart(r.period) ??
    str('occurrenceDateTime') ??
    str('performedDateTime') ??
    periodStart(r.performedPeriod) ??
    str('authoredOn') ??
    str('date') ??
    str('recordedDate') ??
    str('issued') ??
    str('dateAsserted')
  );
}

/** Milliseconds of a FHIR date for sorting (0 when unknown, so undated items sort last). */
export function dateValue(s: string | undefined): number {
  if (!s) return 0;
  const t = new Date(
    isDateOnly(s) ? `${s.length === 4 ? `${s}-01-01` : s.length === 7 ? `${s}-01` : s}T00:00:00` : s,
  );
  return Number.isNaN(t.getTime()) ? 0 : t.getTime();
}

/** Decodes base64 (an Attachment's `data`) as UTF-8 text. */
export function decodeBase64Text(data: string): string {
  const bin = atob(data);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

/** Encodes text as UTF-8 then base64 (FHIR base64Binary). */
export function encodeBase64Text(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Human label of a FHIR resource type (`MedicationStatement` → `Medication statement`). */
export function resourceTypeLabel(type: string): string {
  const spaced = type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
