/**
 * @module
 * A FHIR R4 resource in one readable line for the patient: its group ("Conditions"), what it is
 * (CodeableConcept.text or the first coding's display), a detail (a value with its unit, a status) and
 * the clinical date (FHIR R4 per-resource date elements: Observation.effective[x],
 * Condition.onset[x], Encounter.period, …). Only what the record holds is shown.
 */
import { decodeBase64Text } from '../../lib/fhir-display.ts';
import type { RecordView } from '../../lib/fhir-display.ts';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const get = (o: unknown, key: string): unknown => (isObj(o) ? o[key] : undefined);
const first = (v: unknown): unknown => (Array.isArray(v) ? (v as unknown[])[0] : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** CodeableConcept → text, else the first coding's display or code. */
export function conceptText(cc: unknown): string | undefined {
  const coding = first(get(cc, 'coding'));
  return text(get(cc, 'text')) ?? text(get(coding, 'display')) ?? text(get(coding, 'code'));
}

export interface GroupDef {
  readonly id: string;
  readonly label: string;
  readonly types: readonly string[];
}

/** Display order: what a patient looks for first. */
export const GROUPS: readonly GroupDef[] = [
  { id: 'conditions', label: 'Conditions', types: ['Condition'] },
  {
    id: 'medications',
    label: 'Medications',
    types: ['MedicationStatement', 'MedicationRequest', 'MedicationAdministration'],
  },
  { id: 'allergies', label: 'Allergies', types: ['AllergyIntolerance'] },
  { id: 'visits', label: 'Visits', types: ['Encounter'] },
  { id: 'results', label: 'Results & vitals', types: ['Observation'] },
  { id: 'reports', label: 'Reports', types: ['DiagnosticReport'] },
  { id: 'procedures', label: 'Procedures', types: ['Procedure'] },
  { id: 'immunizations', label: 'Immunizations', types: ['Immunization'] },
  { id: 'notes', label: 'Notes & documents', types: ['DocumentReference'] },
  { id: 'profile', label: 'Personal details', types: ['Patient'] },
];

export function groupOf(resourceType: string): GroupDef {
  return (
    GROUPS.find((g) => g.types.includes(resourceType)) ?? {
      id: 'other',
      label: 'Other',
      types: [resourceType],
    }
  );
}

/** Friendly names of FHIR resource types, for consent scopes. */
export const TYPE_LABELS: Readonly<Record<string, string>> = {
  Condition: 'Conditions',
  MedicationStatement: 'Medications',
  MedicationRequest: 'Prescriptions',
  AllergyIntolerance: 'Allergies',
  Encounter: 'Visits',
  Observation: 'Results & vitals',
  DiagnosticReport: 'Reports',
  Procedure: 'Procedures',
  Immunization: 'Immunizations',
  DocumentReference: 'Notes & documents',
  Patient: 'Personal details',
};

export const typeLabel = (t: string): string => TYPE_LABELS[t] ?? t;

function clinicalDate(r: Obj): string | undefined {
  const period = (k: string): string | undefined => text(get(r[k], 'start'));
  return (
    text(r.effectiveDateTime) ??
    period('effectivePeriod') ??
    text(r.onsetDateTime) ??
    period('onsetPeriod') ??
    text(r.recordedDate) ??
    period('period') ??
    text(r.performedDateTime) ??
    period('performedPeriod') ??
    text(r.occurrenceDateTime) ??
    text(r.issued) ??
    text(r.date) ??
    text(r.dateAsserted) ??
    text(r.authoredOn)
  );
}

function quantity(q: unknown): string | undefined {
  const v = get(q, 'value');
  if (typeof v !== 'number') return undefined;
  const unit = text(get(q, 'unit')) ?? text(get(q, 'code')) ?? '';
  return `${String(Math.round(v * 100) / 100)} ${unit}`.trim();
}

function observationValue(r: Obj): string | undefined {
  const own = quantity(r.valueQuantity) ?? conceptText(r.valueCodeableConcept) ?? text(r.valueString);
  if (own) return own;
  // Panels (blood pressure) carry their values in components.
  const parts = Array.isArray(r.component)
    ? (r.component as unknown[]).map((c) => quantity(get(c, 'valueQuantity'))).filter(Boolean)
    : [];
  return parts.length > 0 ? parts.join(' / ') : undefined;
}

function what(r: Obj): string {
  switch (r.resourceType) {
    case 'Patient': {
      const n = first(r.name);
      const given = get(n, 'given');
      const parts = [...(Array.isArray(given) ? (given as unknown[]) : []), get(n, 'family')];
      return parts.filter((p) => typeof p === 'string').join(' ') || 'Personal details';
    }
    case 'Encounter':
      return conceptText(first(r.type)) ?? text(get(r.class, 'display')) ?? 'Visit';
    case 'MedicationStatement':
    case 'MedicationRequest':
    case 'MedicationAdministration':
      return (
        conceptText(r.medicationCodeableConcept) ??
        text(get(r.medicationReference, 'display')) ??
        'Medication'
      );
    case 'Immunization':
      return conceptText(r.vaccineCode) ?? 'Immunization';
    case 'DocumentReference':
      return conceptText(r.type) ?? text(get(get(first(r.content), 'attachment'), 'title')) ?? 'Document';
    default:
      return conceptText(r.code) ?? String(r.resourceType);
  }
}

function detail(r: Obj): string | undefined {
  switch (r.resourceType) {
    case 'Observation':
      return observationValue(r);
    case 'Condition':
      return conceptText(r.clinicalStatus);
    case 'Encounter':
      return conceptText(first(r.reasonCode));
    case 'MedicationStatement':
    case 'MedicationRequest':
      return text(get(first(r.dosage ?? r.dosageInstruction), 'text')) ?? text(r.status);
    case 'Patient':
      return [text(r.gender), text(r.birthDate) && `born ${String(r.birthDate)}`].filter(Boolean).join(', ');
    case 'AllergyIntolerance':
      return conceptText(r.criticality) ?? text(r.criticality);
    case 'DocumentReference':
      return noteText(r);
    default:
      return text(r.status);
  }
}

/** The text of a plain-text note (the patient reads what the doctor wrote), else the document's status. */
function noteText(r: Obj): string | undefined {
  const a = get(first(r.content), 'attachment');
  const data = text(get(a, 'data'));
  const type = text(get(a, 'contentType')) ?? '';
  if (!data || !type.startsWith('text/plain')) return text(r.status);
  try {
    return decodeBase64Text(data);
  } catch {
    return text(r.status);
  }
}

export interface RecordLine {
  readonly view: RecordView;
  readonly group: GroupDef;
  readonly what: string;
  readonly detail: string | undefined;
  /** ISO date-time or date, undefined when the record has none. */
  readonly date: string | undefined;
  readonly amended: boolean;
}

export function summarize(view: RecordView): RecordLine {
  const r = view.resource as Obj;
  const d = detail(r);
  return {
    view,
    group: groupOf(view.resource.resourceType),
    what: what(r),
    detail: d === '' ? undefined : d,
    date: clinicalDate(r),
    amended: view.version > 1,
  };
}

/** A FHIR date or dateTime in the user's locale: dates without a time stay dates. */
export function formatClinicalDate(d: string | undefined): string {
  if (!d) return '—';
  if (/^\d{4}(-\d{2}){0,2}$/.test(d)) {
    const [y, m, day] = d.split('-').map(Number);
    if (m === undefined) return String(y);
    return new Date(y!, m - 1, day ?? 1).toLocaleDateString(undefined, {
      year: 'numeric',
      month: 'short',
      ...(day === undefined ? {} : { day: 'numeric' }),
    });
  }
  return new Date(d).toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** The full local date and time, for a tooltip. */
export const fullDate = (d: string | undefined): string | undefined =>
  d && !/^\d{4}(-\d{2}){0,2}$/.test(d) ? new Date(d).toLocaleString() : d;
