/**
 * @module
 * The chart's model, without React: records sorted into tabs (encounters, conditions, medications,
 * observations, notes, other) and one line of text per record (FHIR R4 Observation.value[x] and
 * component, https://hl7.org/fhir/R4/observation.html; DocumentReference attachments).
 */
import type {
  Annotation,
  Attachment,
  CodeableConcept,
  Dosage,
  ObservationComponent,
  Reference,
} from '@medplum/fhirtypes';
import {
  LOINC,
  clinicalDate,
  codingOf,
  conceptText,
  dateValue,
  decodeBase64Text,
  formatDate,
  quantityText,
  resourceTypeLabel,
  unitLabel,
} from '../../lib/fhir-display.ts';
import type { LooseResource } from '../../lib/fhir-display.ts';
import type { RecordView } from '../../lib/fhir-display.ts';

export const TABS = ['encounters', 'conditions', 'medications', 'observations', 'notes', 'other'] as const;
export type ChartTab = (typeof TABS)[number];

export const TAB_LABELS: Record<ChartTab, string> = {
  encounters: 'Encounters',
  conditions: 'Conditions',
  medications: 'Medications',
  observations: 'Observations',
  notes: 'Notes',
  other: 'Other',
};

const TAB_OF: Record<string, ChartTab> = {
  Encounter: 'encounters',
  Condition: 'conditions',
  MedicationStatement: 'medications',
  MedicationRequest: 'medications',
  MedicationAdministration: 'medications',
  Observation: 'observations',
  DocumentReference: 'notes',
};

export interface Chart {
  /** The patient's own Patient record, when the caller may read it. */
  readonly patient: RecordView | undefined;
  readonly tabs: Record<ChartTab, RecordView[]>;
}

const res = (v: RecordView): LooseResource => v.resource;

/** Sorts the records into tabs, newest clinical date first. */
export function buildChart(records: readonly RecordView[], patientId: string): Chart {
  const tabs: Record<ChartTab, RecordView[]> = {
    encounters: [],
    conditions: [],
    medications: [],
    observations: [],
    notes: [],
    other: [],
  };
  let patient: RecordView | undefined;
  for (const v of records) {
    if (v.resource.resourceType === 'Patient') {
      if (v.id === patientId || v.resource.id === patientId) patient = v;
      continue;
    }
    tabs[TAB_OF[v.resource.resourceType] ?? 'other'].push(v);
  }
  for (const t of TABS)
    tabs[t].sort((a, b) => dateValue(clinicalDate(res(b))) - dateValue(clinicalDate(res(a))));
  return { patient, tabs };
}

export interface RecordLine {
  readonly date: string | undefined;
  readonly title: string;
  readonly detail: string;
  readonly status: string | undefined;
}

export const cc = (x: unknown): CodeableConcept | undefined => x as CodeableConcept | undefined;
const first = (x: unknown): unknown => (Array.isArray(x) ? (x as unknown[])[0] : undefined);
const statusCode = (x: unknown): string | undefined => (typeof x === 'string' ? x : codingOf(cc(x))?.code);

/** Component labels short enough for a chart legend. */
const SHORT_LABELS: Record<string, string> = { '8480-6': 'Systolic', '8462-4': 'Diastolic' };

export function componentLabel(c: ObservationComponent): string {
  const code = codingOf(c.code, LOINC)?.code;
  return (code && SHORT_LABELS[code]) ?? conceptText(c.code, 'Value');
}

/** An observation's value as text: `72 /min`, `127/68 mmHg`, a string or a coded answer. */
export function observationValue(r: LooseResource): string {
  if (r.valueQuantity) return quantityText(r.valueQuantity);
  if (typeof r.valueString === 'string') return r.valueString;
  if (r.valueCodeableConcept) return conceptText(cc(r.valueCodeableConcept));
  if (typeof r.valueBoolean === 'boolean') return r.valueBoolean ? 'Yes' : 'No';
  const comps = (r.component as ObservationComponent[] | undefined) ?? [];
  const sys = comps.find((c) => codingOf(c.code, LOINC)?.code === '8480-6')?.valueQuantity;
  const dia = comps.find((c) => codingOf(c.code, LOINC)?.code === '8462-4')?.valueQuantity;
  if (sys?.value !== undefined && dia?.value !== undefined)
    return `${String(sys.value)}/${String(dia.value)} ${unitLabel(sys)}`;
  return comps
    .filter((c) => c.valueQuantity)
    .map((c) => `${componentLabel(c)} ${quantityText(c.valueQuantity)}`)
    .join(', ');
}

/** The plain text of a DocumentReference (its text/* attachments decoded), or null if it has none. */
export function noteText(r: LooseResource): string | null {
  const contents = (r.content as { attachment?: Attachment }[] | undefined) ?? [];
  const texts: string[] = [];
  for (const c of contents) {
    const a = c.attachment;
    if (!a?.data || (a.contentType && !a.contentType.startsWith('text/'))) continue;
    try {
      texts.push(decodeBase64Text(a.data));
    } catch {
      texts.push('(this attachment could not be decoded)');
    }
  }
  return texts.length > 0 ? texts.join('\n\n') : null;
}

export function noteTitle(r: LooseResource): string {
  const a = (first(r.content) as { attachment?: Attachment } | undefined)?.attachment;
  if (a?.title) return a.title;
  if (typeof r.description === 'string' && r.description) return r.description;
  return conceptText(cc(r.type), 'Note');
}

/** One line for any record: what it is, its key detail, its status and its clinical date. */
export function describe(v: RecordView): RecordLine {
  const r = res(v);
  const date = clinicalDate(r);
  const status = statusCode(r.clinicalStatus) ?? statusCode(r.status);
  switch (r.resourceType) {
    case 'Encounter':
      return {
        date,
        title: conceptText(cc(first(r.type)), conceptText(cc(r.class), 'Encounter')),
        detail: conceptText(cc(first(r.reasonCode))),
        status,
      };
    case 'MedicationStatement':
    case 'MedicationRequest':
    case 'MedicationAdministration': {
      const med = conceptText(
        cc(r.medicationCodeableConcept),
        (r.medicationReference as Reference | undefined)?.display,
      );
      const dosage = (first(r.dosage) ?? first(r.dosageInstruction)) as Dosage | undefined;
      return { date, title: med || 'Medication', detail: dosage?.text ?? '', status };
    }
    case 'Condition': {
      const abated = typeof r.abatementDateTime === 'string' ? r.abatementDateTime : undefined;
      return {
        date,
        title: conceptText(cc(r.code), 'Condition'),
        detail: abated ? `Until ${formatDate(abated)}` : conceptText(cc(r.severity)),
        status,
      };
    }
    case 'Observation':
      return { date, title: conceptText(cc(r.code), 'Observation'), detail: observationValue(r), status };
    case 'DocumentReference':
      return { date, title: noteTitle(r), detail: conceptText(cc(r.type)), status };
    case 'Immunization':
      return {
        date,
        title: conceptText(cc(r.vaccineCode), 'Immunization'),
        detail: typeof r.lotNumber === 'string' ? `Lot ${r.lotNumber}` : '',
        status,
      };
    case 'DiagnosticReport': {
      const n = Array.isArray(r.result) ? r.result.length : 0;
      return {
        date,
        title: conceptText(cc(r.code), 'Diagnostic report'),
        detail: n > 0 ? `${String(n)} result${n === 1 ? '' : 's'}` : conceptText(cc(first(r.conclusionCode))),
        status,
      };
    }
    case 'AllergyIntolerance': {
      const reaction = first(r.reaction) as { manifestation?: CodeableConcept[] } | undefined;
      return {
        date,
        title: conceptText(cc(r.code), 'Allergy'),
        detail: conceptText(reaction?.manifestation?.[0]),
        status,
      };
    }
    default: {
      const note = (first(r.note) as Annotation | undefined)?.text ?? '';
      return {
        date,
        title: conceptText(cc(r.code), resourceTypeLabel(r.resourceType)),
        detail: note,
        status,
      };
    }
  }
}
