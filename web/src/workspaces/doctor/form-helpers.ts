/**
 * @module
 * Helpers shared by the chart's forms: the record's subject, default dates for the browser's date
 * inputs, date and code checks, and the two writes (add a record, amend one).
 */
import { api } from '../../api.ts';
import type { RecordView } from '../../lib/fhir-display.ts';
import type { WriteResult } from '../../../../src/api/contract/records.ts';

/** FHIR Reference to the patient every new record is about. */
export function subjectOf(patientId: string): { reference: string } {
  return { reference: `Patient/${patientId}` };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `YYYY-MM-DD` of a local date, the value format of `<input type="date">`. */
export function dateInputValue(d: Date): string {
  return `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** `YYYY-MM-DDTHH:mm` of a local time, the value format of `<input type="datetime-local">`. */
export function dateTimeInputValue(d: Date): string {
  return `${dateInputValue(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The date part (`YYYY-MM-DD`) of a FHIR date or dateTime, for a date input. */
export function toDateInput(s: string | undefined): string {
  return s && /^\d{4}-\d{2}-\d{2}/.test(s) ? s.slice(0, 10) : '';
}

export interface DateRule {
  readonly required?: boolean;
  /** The patient's birth date: nothing clinical happens before it. */
  readonly notBefore?: string | undefined;
  /** Planned things (an intended medication) may be dated ahead. */
  readonly allowFuture?: boolean;
}

/**
 * Checks a value of a date or datetime-local input: present when required, a real date, not in the
 * future (one minute of clock skew allowed), not before the patient's birth. Returns the error or null.
 */
export function checkDate(value: string, rule: DateRule = {}): string | null {
  if (!value) return rule.required ? 'Enter a date' : null;
  const t = new Date(value.length === 10 ? `${value}T00:00:00` : value).getTime();
  if (Number.isNaN(t)) return 'Enter a valid date';
  if (!rule.allowFuture && t > Date.now() + 60_000) return 'The date cannot be in the future';
  if (rule.notBefore) {
    const birth = new Date(`${rule.notBefore.slice(0, 10)}T00:00:00`).getTime();
    if (!Number.isNaN(birth) && t < birth) return 'The date cannot be before the patient was born';
  }
  return null;
}

/** Codes are digits only: SNOMED CT concept ids (6–18 digits), RxNorm RXCUIs (1–8 digits). */
export function checkDigits(value: string, min: number, max: number, what: string): string | null {
  if (!value) return null;
  return new RegExp(`^\\d{${String(min)},${String(max)}}$`).test(value)
    ? null
    : `A ${what} code has ${String(min)} to ${String(max)} digits`;
}

/** Adds a record (`amend` absent) or appends a corrected version of `amend`. */
export function saveRecord(resource: Record<string, unknown>, amend?: RecordView): Promise<WriteResult> {
  return amend
    ? api.post<WriteResult>(`/records/${encodeURIComponent(amend.id)}/amendments`, resource)
    : api.post<WriteResult>('/records', resource);
}

/** What the chart says after a save: what was written and where on the chain. */
export function savedMessage(what: string, r: WriteResult): string {
  const where = r.height === undefined ? '' : ` in block ${String(r.height)}`;
  return r.version > 1
    ? `${what} amended (version ${String(r.version)})${where}.`
    : `${what} added to the chart${where}.`;
}

/** The current resource without its server-assigned id and meta, as the base of an amendment. */
export function amendBase(v: RecordView): Record<string, unknown> {
  const { id: _id, meta: _meta, ...rest } = v.resource as Record<string, unknown>;
  return rest;
}

/** What every chart form gets from the chart page. */
export interface RecordFormProps {
  readonly patientId: string;
  /** The patient's birth date, when known, to reject dates before it. */
  readonly birthDate?: string | undefined;
  /** The record to correct; absent to add a new one. */
  readonly amend?: RecordView | undefined;
  readonly onClose: () => void;
  readonly onSaved: (message: string) => void;
}
